"""``tools/analysis/evaluate_face_synthesis.py``: spec facefeat_gan.md
section 6 (checks 2-6) as a JSON report for one FaceFeat-GAN checkpoint;
run it on each stage and ablation and compare (check 7).

Real faces: the first ``--num-images`` images of the training config's
dataset on the ``--split`` split (held-out poses, expressions and lighting
of the training identities). The independent evaluator: an identity
classifier config + checkpoint (trained separately, other seed and
architecture; never used in training).
"""
import argparse
import json
import os
from typing import List, Optional

from gankd.errors import report_user_errors

__all__ = ['real_faces', 'main']


def real_faces(dataset: dict, num: int, split: str):
    """``(images [N, 3, R, R] in [-1, 1] RGB, labels [N])`` of a gankd
    dataset config (samples with ``img`` BGR uint8 and ``gt_label``)."""
    import numpy as np
    import torch

    from gankd.registry import DATASETS, scope_config_types
    data = DATASETS.build(scope_config_types(dict(
        dataset, num_samples=num, split=split, pipeline=[], cache=False)))
    samples = [data[i] for i in range(num)]
    images = np.stack([s['img'][..., ::-1] for s in samples])
    labels = torch.tensor([int(s['gt_label']) for s in samples])
    return (torch.from_numpy(images.copy()).permute(0, 3, 1, 2).float()
            / 127.5 - 1, labels)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='FaceFeat-GAN checks (spec section 6) of '
        'one checkpoint, as JSON.')
    parser.add_argument('config', help='the training config')
    parser.add_argument('checkpoint', help='a checkpoint of it')
    parser.add_argument('--evaluator-config', required=True,
                        help='the independent identity classifier config')
    parser.add_argument('--evaluator-checkpoint', required=True,
                        help='its trained weights')
    parser.add_argument('--num-images', type=int, default=500,
                        help='held-out real faces (default 500)')
    parser.add_argument('--split', default='val',
                        help='dataset split of the real faces')
    parser.add_argument('--per-identity', type=int, default=16,
                        help='generated faces per identity (default 16)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of every draw')
    parser.add_argument('--no-ema', action='store_true',
                        help='evaluate the trained generator, not its EMA')
    parser.add_argument('--out', help='write the report here (JSON)')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    import torch

    from gankd.apis.face_synthesis import load_face_generator
    from gankd.apis.face_synthesis_eval import evaluate_generator
    from gankd.config import load_config
    from gankd.registry import MODELS
    generator = load_face_generator(args.config, args.checkpoint,
                                    not args.no_ema)
    fresh = None
    if getattr(generator, 'feature_source', 'noise') != 'noise':
        # stage 1's starting point: the feature generators re-drawn as
        # they are initialised (PyTorch's default layer init)
        fresh = load_face_generator(args.config, args.checkpoint)
        torch.manual_seed(args.seed)
        fresh.feature_generators.apply(
            lambda m: m.reset_parameters()
            if hasattr(m, 'reset_parameters') else None)
    evaluator = MODELS.build(dict(
        type='FaceIdentityEncoder', config=args.evaluator_config,
        checkpoint=args.evaluator_checkpoint)).eval()
    cfg = load_config(args.config)
    images, labels = real_faces(cfg.train_dataloader.dataset.to_dict(),
                                args.num_images, args.split)
    report = evaluate_generator(generator, evaluator, images, labels,
                                args.per_identity, fresh=fresh,
                                seed=args.seed)
    report.update(config=args.config, checkpoint=args.checkpoint)
    text = json.dumps(report, indent=1)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)),
                    exist_ok=True)
        with open(args.out, 'w') as file:
            file.write(text + '\n')
    print(text)
    return report
