"""Lightning callbacks for GAN training: sample grids, a two-loss progress bar, FID / IS / KID as it goes."""

from ganzoo.callbacks.metrics import GenerativeMetricsCallback
from ganzoo.callbacks.progress import GANProgressBar, StepBudgetETA
from ganzoo.callbacks.samples import SampleGrid

__all__ = ["GANProgressBar", "GenerativeMetricsCallback", "SampleGrid", "StepBudgetETA"]
