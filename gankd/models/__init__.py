"""Reusable gankd model components.

Importing this package registers them in :data:`gankd.registry.MODELS` (the
registry imports it on first lookup).
"""
from . import backbones  # noqa: F401  (registers the CIFAR backbones)
from .heads import MultiAttributeHead

__all__ = ['MultiAttributeHead']
