"""Catalog entries, one module per family of published checkpoints; each module defines ``ENTRIES``."""
