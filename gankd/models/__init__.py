"""Reusable gankd model components.

Importing this package registers them in :data:`gankd.registry.MODELS` (the
registry imports it on first lookup).
"""
from . import backbones  # noqa: F401  (registers the CIFAR backbones)
from . import connectors  # noqa: F401  (registers ConvBNConnector)
from . import data_preprocessors  # noqa: F401  (restoration batches)
from . import degradations  # noqa: F401  (inversion degradations)
from . import distillers  # noqa: F401  (registers SingleTeacherDistiller)
from . import feature_extractors  # noqa: F401  (FID-style extractors)
from . import gans  # noqa: F401  (registers UnconditionalGAN)
from . import inverters  # noqa: F401  (GAN inversion: losses, inverters)
from . import losses  # noqa: F401  (registers the distillation losses)
from . import necks  # noqa: F401  (registers PooledBatchNormNeck)
from . import predictors  # noqa: F401  (registers AttributeScorer)
from . import recorders  # noqa: F401  (registers recorders in TASK_UTILS)
from .heads import MultiAttributeHead

__all__ = ['MultiAttributeHead']
