"""gankd: knowledge distillation and GAN priors on the OpenMMLab engine.

Importing ``gankd`` is cheap; the registries (:mod:`gankd.registry`) load the
framework's modules and the installed plugins on first use.
"""
import warnings

from gankd.hookspecs import hookimpl
from gankd.version import __version__

__all__ = ['__version__', 'hookimpl']

# mmcv-lite has no compiled ops by design (torchvision.ops stand in); its
# import-time warning about them says nothing a gankd user can act on.
warnings.filterwarnings(
    'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
