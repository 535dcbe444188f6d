"""Distillation losses (registered in MODELS)."""
from .feature_mse_loss import FeatureMSELoss
from .kl_divergence_loss import KLDivergenceLoss

__all__ = ['KLDivergenceLoss', 'FeatureMSELoss']
