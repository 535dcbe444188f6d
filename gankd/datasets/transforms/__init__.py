"""Data transforms registered in :data:`gankd.registry.TRANSFORMS`: the
blind-face-restoration degradation steps and the packing of restoration
samples."""
from .blind_degradations import (RandomDownsample, RandomGaussianBlur,
                                 RandomGaussianNoise, RandomJPEG, ResizeLike)
from .degradation_step import DegradationStep, DegradationTransformError
from .pack_restoration_inputs import PackRestorationInputs

__all__ = ['DegradationTransformError', 'DegradationStep',
           'RandomGaussianBlur', 'RandomDownsample', 'RandomGaussianNoise',
           'RandomJPEG', 'ResizeLike', 'PackRestorationInputs']
