"""Time the training iterations of a config: wall and CPU seconds each.

Usage::

    OMP_NUM_THREADS=1 python tools/analysis/time_train_iterations.py \\
        CONFIG [--iters 30] [--warmup 5] [--cfg-options ...]

Runs ``--iters`` iterations of the config's training (no validation, no
checkpoints, data loaded in the main process so that its cost is
counted) and prints the median wall seconds per iteration and the median
CPU seconds per iteration of this process (``time.process_time``: all its
threads). On a shared machine the wall time depends on the load; with one
thread the CPU time is what an iteration takes on a quiet core, so a
budget can be set from it: ``iterations = budget / cpu_s_per_iter``.
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from gankd.config import CfgOptionsAction, load_config  # noqa: E402
from gankd.errors import report_user_errors  # noqa: E402


@report_user_errors
def main(argv=None) -> dict:
    from mmengine.hooks import Hook

    from gankd.engine import GankdRunner
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=5,
                        help='first iterations left out of the medians')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=args.iters,
                         val_interval=args.iters + 1)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.default_hooks.checkpoint = None
    cfg.custom_hooks = []
    cfg.work_dir = tempfile.mkdtemp(prefix='time_iters_')
    times = []

    class IterTimer(Hook):
        priority = 'VERY_HIGH'

        # from one iteration's end to the next: data loading included
        def before_train(self, runner):
            self.last = None

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            now = (time.perf_counter(), time.process_time())
            if self.last is not None:
                times.append((now[0] - self.last[0], now[1] - self.last[1]))
            self.last = now

    runner = GankdRunner.from_cfg(cfg)
    runner.register_hook(IterTimer())
    runner.train()
    kept = times[args.warmup:] or times
    result = dict(
        config=args.config, iters=len(times), measured=len(kept),
        wall_s_per_iter=statistics.median(t[0] for t in kept),
        cpu_s_per_iter=statistics.median(t[1] for t in kept),
        threads=int(__import__('torch').get_num_threads()))
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    main()
