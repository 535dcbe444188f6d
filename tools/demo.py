"""``make demo``: train the SynthShapes baseline student and report it.

Trains the mmpretrain baseline student (configs/baselines/) from scratch on
the embedded SynthShapes data with gankd's generic training entry point,
evaluates it on the test split, and prints a one-row table.

    python tools/demo.py [--epochs N] [--work-dir DIR]
"""
import argparse
import os.path as osp
import time

from gankd.apis.config import load_config, prepare_config
from gankd.apis.test import test
from gankd.apis.train import train

CONFIG = 'configs/baselines/resnet18-3stage-w8_1xb64_synthshapes.py'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=None,
                        help="training epochs (default: the config's)")
    parser.add_argument('--work-dir', default='work_dirs/demo')
    args = parser.parse_args()

    cfg = load_config(osp.join(osp.dirname(osp.dirname(__file__)), CONFIG))
    cfg.work_dir = args.work_dir
    if args.epochs is not None:
        cfg.train_cfg.max_epochs = args.epochs
    cfg.default_hooks.logger.interval = 157  # one line per epoch
    prepare_config(cfg, 'train')

    start = time.time()
    runner = train(cfg)
    seconds = time.time() - start
    params = sum(p.numel() for p in runner.model.parameters())

    cfg.load_from = osp.join(args.work_dir,
                             f'epoch_{cfg.train_cfg.max_epochs}.pth')
    cfg.work_dir = osp.join(args.work_dir, 'test')
    metrics = test(prepare_config(cfg, 'test'))

    print('\nSynthShapes baseline student (mmpretrain, from scratch), '
          f'{cfg.train_cfg.max_epochs} epochs, test split of '
          f'{len(runner.test_dataloader.dataset)} images:\n')
    print('| model | params | top-1 (%) | top-5 (%) | train time |')
    print('|---|---|---|---|---|')
    print(f'| {osp.basename(CONFIG)[:-3]} | {params / 1e3:.0f} K | '
          f"{metrics['accuracy/top1']:.2f} | {metrics['accuracy/top5']:.2f} "
          f'| {seconds / 60:.1f} min |')


if __name__ == '__main__':
    main()
