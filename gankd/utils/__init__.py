"""Utilities: safe checkpoint I/O, converters, the model index."""
from gankd.utils.checkpoint import (CheckpointError, atomic_write_bytes,
                                    load_training_checkpoint, load_weights,
                                    save_checkpoint)

__all__ = [
    'CheckpointError', 'atomic_write_bytes', 'load_training_checkpoint',
    'load_weights', 'save_checkpoint'
]
