"""Differentiable degradations for inversion with a GAN prior: the loss
compares ``degrade(G(z))`` with the degraded observation, and
``restore(output, observation)`` keeps what the observation knows
(colourisation: its luminance; inpainting: its known pixels).
Registered in MODELS."""
from .degradations import (BaseDegradation, CentreHoleMask,
                           ComposedDegradation, DegradationError, Downsample,
                           Grayscale, IdentityDegradation, Mask, read_mask)

__all__ = ['BaseDegradation', 'IdentityDegradation', 'Grayscale',
           'Downsample', 'Mask', 'CentreHoleMask', 'read_mask',
           'ComposedDegradation', 'DegradationError']
