"""Utilities: safe checkpoint I/O, converters, the model index.

The checkpoint names below are re-exported lazily (PEP 562): importing a
light submodule (``gankd.utils.progress``, ``gankd.utils.layer_specs``)
must not import torch, which ``gankd.utils.checkpoint`` does.
"""
import importlib

__all__ = [
    'CheckpointError', 'atomic_write_bytes', 'load_training_checkpoint',
    'load_weights', 'save_checkpoint'
]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module('gankd.utils.checkpoint'),
                       name)
    raise AttributeError(f"module 'gankd.utils' has no attribute '{name}'")
