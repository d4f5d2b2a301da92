"""ganzoo: a GAN model zoo for PyTorch Lightning."""

from ganzoo.images import save_image_grid

__version__ = "0.1.0"

__all__ = ["__version__", "save_image_grid"]
