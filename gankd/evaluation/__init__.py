"""gankd metrics.

Importing this package registers them in :data:`gankd.registry.METRICS` (the
registry imports it on first lookup).
"""
from .attribute_metric import AttributeMetric
from .frechet_distance import feature_statistics, frechet_distance
from .frechet_distance_metric import FrechetDistanceMetric
from .image_quality import psnr, ssim
from .image_quality_metric import ImageQualityMetric
from .reconstruction_psnr import ReconstructionPSNR

__all__ = ['AttributeMetric', 'FrechetDistanceMetric', 'ImageQualityMetric',
           'ReconstructionPSNR',
           'feature_statistics', 'frechet_distance', 'psnr', 'ssim']
