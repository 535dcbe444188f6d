"""The Fréchet distance between two sets of real images: the floor a
generator's FID-style score is read against.

Usage::

    python tools/analysis/real_fid_floor.py CONFIG [--splits val test]

Builds the config's ``val_evaluator`` feature extractor and computes the
distance between the real images of two of its dataloaders (default: the
val and test splits, both of ``val_dataloader``'s size). A generator
matching the data distribution would score about this value with the same
number of samples.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.registry import DefaultScope

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from gankd.config import load_config  # noqa: E402
from gankd.errors import report_user_errors  # noqa: E402


def real_features(cfg, split: str, extractor, batch_size: int = 100):
    """Features ``[N, D]`` of the ``split`` images of the val dataloader's
    dataset (same size and seed), as the GAN model feeds them to metrics."""
    from mmengine.runner import Runner

    from gankd.registry import MODELS
    loader_cfg = dict(cfg.val_dataloader)
    loader_cfg['dataset'] = dict(loader_cfg['dataset'], split=split)
    loader_cfg['batch_size'] = batch_size
    loader = Runner.build_dataloader(loader_cfg)
    # as the Runner does: the model's own, else the config's top-level one
    pre_cfg = dict(cfg.model.get('data_preprocessor') or
                   cfg.get('data_preprocessor') or
                   dict(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True))
    pre_cfg.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
    preprocessor = MODELS.build(pre_cfg)
    chunks = []
    with torch.inference_mode():
        for batch in loader:
            images = preprocessor(batch, False)['inputs']
            chunks.append(extractor(images).double().numpy())
    return np.concatenate(chunks)


@report_user_errors
def main(argv=None) -> None:
    from gankd.evaluation.frechet_distance import (feature_statistics,
                                                   frechet_distance)
    from gankd.registry import MODELS, scope_config_types
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--splits', nargs=2, default=['val', 'test'])
    args = parser.parse_args(argv)
    cfg = load_config(args.config)
    # unscoped names in the config (SynthFaces) are gankd's, as in a Runner
    DefaultScope.get_instance('real_fid_floor',
                              scope_name=cfg.get('default_scope', 'gankd'))
    extractor = MODELS.build(scope_config_types(
        cfg.val_evaluator.feature_extractor.to_dict())).eval()
    first, second = (real_features(cfg, split, extractor)
                     for split in args.splits)
    distance = frechet_distance(*feature_statistics(first),
                                *feature_statistics(second))
    print(f'{args.splits[0]} vs {args.splits[1]} ({len(first)} / '
          f'{len(second)} real images): {distance:.6g}')


if __name__ == '__main__':
    main()
