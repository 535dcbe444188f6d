"""GAN inversion: observations to latent codes of a frozen generator.

The shared pieces of every inverter (the loss, perceptual feature nets and
the optimisation loop) and the single-code inverters. Importing this
package registers them in MODELS.
"""
from .code_optimizer import optimize_codes
from .inversion_loss import InversionLoss

__all__ = ['InversionLoss', 'optimize_codes']
