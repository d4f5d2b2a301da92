"""ganzoo: a GAN model zoo for PyTorch Lightning."""

from ganzoo.hub.catalog import list_models
from ganzoo.hub.load import load
from ganzoo.images import save_image_grid

__version__ = "0.1.0"

__all__ = ["__version__", "list_models", "load", "save_image_grid"]
