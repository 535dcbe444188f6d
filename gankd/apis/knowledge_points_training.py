"""Training the networks of a knowledge-points experiment, once per seed,
with the checkpoints and weight distances the analysis reads.

Each (network, seed) trains in ``<root>/train/<network>/seed<k>`` from its
own config plus: the seed, ``CheckpointAtEpochsHook`` on the checkpoint
list and the final epoch (``snapshot_epoch_<e>.pth``), one
``WeightDistanceHook`` per diagnosed layer (``weight_distance_<layer>.json``)
and, for a student, its teacher's final snapshot of the same seed. A
finished run leaves ``finished.json`` and is skipped; an interrupted one
resumes from its last checkpoint (mmengine ``resume``; the hooks resume
their records, ``tests/engine/test_knowledge_point_hooks.py``).
"""
import json
import os
import time
from typing import List

from gankd.apis.knowledge_points_experiment import Experiment
from gankd.config import load_config
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['run_dir', 'snapshot_path', 'distance_path', 'final_epoch',
           'runner_config', 'train_missing', 'FINISHED']

FINISHED = 'finished.json'


def run_dir(root: str, network: str, seed: int) -> str:
    return os.path.join(root, 'train', network, f'seed{seed}')


def snapshot_path(folder: str, epoch: int) -> str:
    return os.path.join(folder, f'snapshot_epoch_{epoch}.pth')


def distance_path(folder: str, layer: str) -> str:
    return os.path.join(folder, f'weight_distance_{layer}.json')


def final_epoch(config: str) -> int:
    return int(load_config(config).train_cfg.max_epochs)


def runner_config(experiment: Experiment, network: str, seed: int,
                  root: str):
    """The Runner config of one (network, seed), prepared and checked."""
    from gankd.apis.config import prepare_config
    net = experiment.networks[network]
    cfg = load_config(net.config)
    folder = run_dir(root, network, seed)
    cfg.work_dir = folder
    cfg.randomness = dict(seed=seed, deterministic=False)
    # unique: mmengine's logger and visualizer are per-name singletons
    cfg.experiment_name = f'kp_{network}_seed{seed}_{time.time_ns()}'
    last = int(cfg.train_cfg.max_epochs)
    snapshots = sorted(set(experiment.epochs if net.analyse else []) |
                       {last})
    hooks = [dict(type='CheckpointAtEpochsHook', epochs=snapshots)]
    if net.analyse:
        hooks += [dict(type='WeightDistanceHook',
                       params=[net.checkpoint_prefix + layer],
                       filename=os.path.basename(distance_path('', layer)))
                  for layer in experiment.layers]
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + hooks
    if net.teacher is not None:
        teacher = experiment.networks[net.teacher]
        cfg.model.teacher_ckpt = snapshot_path(
            run_dir(root, net.teacher, seed), final_epoch(teacher.config))
    if os.path.isfile(os.path.join(folder, 'last_checkpoint')):
        cfg.resume, cfg.load_from = True, None
    return prepare_config(cfg, 'train')


def _finished(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, FINISHED))


def train_missing(experiment: Experiment, root: str,
                  progress: bool = True) -> List[str]:
    """Train every (network, seed) not finished yet, in order (teachers
    first); returns the runs trained now, as ``'<network>/seed<k>'``."""
    from gankd.apis.train import train
    todo = [(name, seed) for name in experiment.networks
            for seed in experiment.seeds
            if not _finished(run_dir(root, name, seed))]
    total = len(experiment.networks) * len(experiment.seeds)
    done = []
    for name, seed in todo:
        folder = run_dir(root, name, seed)
        if progress:
            state = ('resuming' if os.path.isfile(
                os.path.join(folder, 'last_checkpoint')) else 'training')
            print(f'knowledge-points: {state} {name} seed {seed} '
                  f'({total - len(todo) + len(done) + 1}/{total}) in '
                  f'{folder}', flush=True)
        start = time.perf_counter()
        train(runner_config(experiment, name, seed, root))
        record = dict(network=name, seed=seed,
                      seconds=round(time.perf_counter() - start, 1))
        atomic_write_bytes(json.dumps(record).encode(),
                           os.path.join(folder, FINISHED))
        done.append(f'{name}/seed{seed}')
    return done
