"""Backbones of the CIFAR-100 knowledge-distillation benchmarks (CRD's model
zoo): He et al.'s CIFAR ResNets, wide ResNets and VGG-BN, as mmpretrain
backbones registered in :data:`gankd.registry.MODELS`. See README.md here for
the architectures, parameter counts and FLOPs."""
from .cifar_resnet import CIFARResNet
from .cifar_vgg import CIFARVGG
from .staged_backbone import StagedBackbone
from .wide_resnet import WideResNet

__all__ = ['StagedBackbone', 'CIFARResNet', 'WideResNet', 'CIFARVGG']
