"""Print the parameter / FLOP table of gankd's CIFAR backbones (Markdown).

Each row is an mmpretrain ``ImageClassifier``: backbone + GAP + a linear
head with ``--num-classes`` outputs, one 32x32 image. FLOPs are
``torch.utils.flop_counter.FlopCounterMode``'s count (2 x multiply-adds of
convolutions and matrix products; BN, ReLU, pooling and additions are not
counted).

    python tools/analysis/cifar_backbone_table.py
"""
import argparse

import torch
from torch.utils.flop_counter import FlopCounterMode

from gankd.models.backbones import CIFARVGG, CIFARResNet, WideResNet
from gankd.registry import MODELS

# Millions of parameters of the 100-class models as cited for the CRD
# benchmark (Tian et al., 2020); wrn_28_10 from Zagoruyko & Komodakis, Table 5.
PUBLISHED = {
    'resnet8': 0.08, 'resnet14': 0.17, 'resnet20': 0.28, 'resnet32': 0.47,
    'resnet44': 0.67, 'resnet56': 0.86, 'resnet110': 1.74,
    'resnet8x4': 1.23, 'resnet32x4': 7.43, 'wrn_16_2': 0.70,
    'wrn_40_1': 0.57, 'wrn_40_2': 2.26, 'wrn_28_10': 36.5, 'vgg8': 3.96,
    'vgg13': 9.46
}


def rows(num_classes: int):
    """Yield ``(type, arch, params, flops)`` for every named arch."""
    for cls in (CIFARResNet, WideResNet, CIFARVGG):
        for arch in cls.arch_zoo:
            in_channels = cls(arch=arch).out_channels[-1]
            model = MODELS.build(
                dict(type='mmpretrain.ImageClassifier',
                     backbone=dict(type=f'gankd.{cls.__name__}', arch=arch),
                     neck=dict(type='mmpretrain.GlobalAveragePooling'),
                     head=dict(type='mmpretrain.LinearClsHead',
                               num_classes=num_classes,
                               in_channels=in_channels))).eval()
            params = sum(p.numel() for p in model.parameters())
            with FlopCounterMode(display=False) as counter, torch.no_grad():
                model(torch.zeros(1, 3, 32, 32), mode='tensor')
            yield cls.__name__, arch, params, counter.get_total_flops()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num-classes', type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print('| arch | backbone config | params (M) | published (M) | MFLOPs |')
    print('|---|---|---:|---:|---:|')
    for type_name, arch, params, flops in rows(args.num_classes):
        published = PUBLISHED.get(arch) if args.num_classes == 100 else None
        print(f"| {arch} | `dict(type='gankd.{type_name}', arch='{arch}')` "
              f"| {params / 1e6:.3f} | "
              f"{'-' if published is None else f'{published:.2f}'} | "
              f'{flops / 1e6:.1f} |')


if __name__ == '__main__':
    main()
