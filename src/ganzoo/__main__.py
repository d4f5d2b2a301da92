"""``python -m ganzoo``: the same as the ``ganzoo`` command."""

import sys

from ganzoo.cli import main

sys.exit(main())
