"""Heads for mmpretrain classifiers (registered in gankd MODELS)."""
from .multi_attribute_head import MultiAttributeHead

__all__ = ['MultiAttributeHead']
