"""The metrics tests write reference statistics and converted weights to a private cache."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Reference statistics and converted weights go to a temporary cache, never the user's."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("ganzoo-cache")
        mp.setenv("GANZOO_CACHE", str(path))
        yield path
