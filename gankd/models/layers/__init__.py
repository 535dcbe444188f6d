"""Primitives shared by the PGGAN / StyleGAN / StyleGAN2 plugins and the
methods that build on them (ENTED's texture decoder)."""
from .equalized_lr import EqualizedConv2d, EqualizedLinear
from .fir_filter import fir_kernel, upfirdn2d
from .fir_filter_module import FIRFilter
from .fused_resampling import shift_sum_kernel
from .minibatch_stddev import MinibatchStdDev
from .modulated_conv import ModulatedConv2d, StyleAffine
from .pixel_norm import PixelNorm, pixel_norm

__all__ = [
    'EqualizedLinear', 'EqualizedConv2d', 'pixel_norm', 'PixelNorm',
    'MinibatchStdDev', 'fir_kernel', 'upfirdn2d', 'shift_sum_kernel',
    'FIRFilter', 'ModulatedConv2d', 'StyleAffine'
]
