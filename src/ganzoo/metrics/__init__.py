"""FID, IS, KID and precision / recall / density / coverage with the standard 2015-12-05 Inception, offline,
and a recorded protocol.

    from ganzoo.metrics import GenerativeMetrics, reference_stats
    ref = reference_stats(ganzoo.data.create("mnist", data_dir=...), "train")
    suite = GenerativeMetrics(ref)                 # standard Inception; any nn.Module via extractor=
    suite.update(G.sample(100, seed=0)); suite.compute(); suite.protocol()

``ganzoo.callbacks.GenerativeMetricsCallback`` logs them during training; ``ganzoo eval`` prints them for a
saved model.
"""

from ganzoo.metrics.extractor import (
    FeatureExtractor,
    InceptionV3,
    as_extractor,
    prepare_images,
    standard_inception,
)
from ganzoo.metrics.fid import FID, frechet_distance
from ganzoo.metrics.inception_score import InceptionScore
from ganzoo.metrics.kid import KID
from ganzoo.metrics.prdc import PRDC, prdc
from ganzoo.metrics.stats import FeatureMoments, FeatureStats, reference_stats
from ganzoo.metrics.suite import GenerativeMetrics, evaluate, generate

__all__ = [
    "FID",
    "KID",
    "PRDC",
    "FeatureExtractor",
    "FeatureMoments",
    "FeatureStats",
    "GenerativeMetrics",
    "InceptionScore",
    "InceptionV3",
    "as_extractor",
    "evaluate",
    "frechet_distance",
    "generate",
    "prdc",
    "prepare_images",
    "reference_stats",
    "standard_inception",
]
