"""``gankd knowledge-points`` / ``tools/knowledge_points.py``: the
knowledge-points experiment (Cheng et al., CVPR 2020), end to end.

1. Trains what is missing (:mod:`gankd.apis.knowledge_points_training`):
   every network of the experiment config once per seed, with checkpoints
   at the epoch list and the weight distances of the diagnosed layers;
   finished runs are skipped, interrupted ones resume.
2. Runs the probe over every analysed network, seed, layer and checkpoint
   on the candidate SynthShapes images (``fg_mask`` = foreground), caching
   one file per checkpoint, and writes grids, per-image JSON,
   ``summary.md`` and the N_fg curves (the plugin's
   ``KnowledgePointsAnalysis``, built through the registry).

``--extra NAME CONFIG CHECKPOINT`` adds a network trained elsewhere (e.g.
a student of configs/kd, configs/sskd or configs/residual_kd) analysed at
that one checkpoint and compared with ``--extra-against`` (another extra or
an experiment network, seeds alike) on the quantity metrics.
"""
import argparse
import os
import time
from typing import List, Optional, Tuple

from gankd.errors import report_user_errors

__all__ = ['build_parser', 'main', 'run_knowledge_points', 'analysis_runs']


def analysis_runs(experiment, root: str, extras=()) -> List[dict]:
    """The runs the analysis reads: analysed networks per seed (files of
    the training step, checked against the checkpoint list), then the
    extras (one checkpoint each, at the seed of their ``NAME@K``)."""
    from gankd.apis.knowledge_points_experiment import classifier_config
    from gankd.apis.knowledge_points_training import (distance_path,
                                                      run_dir,
                                                      snapshot_path)
    from gankd.config import ConfigError, load_config
    runs = []
    for net in experiment.networks.values():
        if not net.analyse:
            continue
        cfg = load_config(net.config)
        for seed in experiment.seeds:
            folder = run_dir(root, net.name, seed)
            paths = [snapshot_path(folder, e) for e in experiment.epochs]
            missing = [e for e, p in zip(experiment.epochs, paths)
                       if not os.path.isfile(p)]
            if missing:
                found = sorted(int(n[len('snapshot_epoch_'):-4])
                               for n in (os.listdir(folder) if
                                         os.path.isdir(folder) else [])
                               if n.startswith('snapshot_epoch_') and
                               n.endswith('.pth'))
                raise ConfigError(
                    f'epochs: {folder} has no snapshot for epochs {missing}'
                    f' of the checkpoint list (found {found or "none"}); '
                    'the list changed after training: restore it or delete '
                    'the folder to retrain')
            runs.append(dict(
                name=net.name, seed=seed,
                classifier=classifier_config(cfg, net.checkpoint_prefix),
                checkpoint_prefix=net.checkpoint_prefix,
                checkpoints=list(zip(experiment.epochs, paths)),
                distances={layer: distance_path(folder, layer)
                           for layer in experiment.layers}))
    for label, config, checkpoint in extras:
        if not os.path.isfile(checkpoint):
            raise ConfigError(f'--extra {label}: no checkpoint {checkpoint}')
        name, seed = extra_name_seed(label)
        cfg = load_config(config)
        classifier, prefix = extra_classifier(cfg)
        runs.append(dict(
            name=name, seed=seed, classifier=classifier,
            checkpoint_prefix=prefix,
            checkpoints=[(int(cfg.train_cfg.max_epochs), checkpoint)],
            distances={}))
    return runs


def extra_name_seed(label: str) -> Tuple[str, int]:
    """``'kd@2'`` -> ``('kd', 2)``; ``'kd'`` -> ``('kd', 0)``."""
    from gankd.config import ConfigError
    name, at, seed = label.partition('@')
    if not name or (at and not seed.isdigit()):
        raise ConfigError(f'--extra {label}: give NAME or NAME@SEED with a '
                          'seed of digits, e.g. kd@1')
    return name, int(seed or 0)


def extra_classifier(cfg) -> Tuple[dict, str]:
    """The classifier config an ``--extra`` training config evaluates and
    where its weights sit in the checkpoints: a distiller's deployed
    network (its student; Residual KD's S + A + connectors + head, which
    ``model.student``, the model it was split from, is not) under
    ``student.``, or a plain classifier at the top."""
    from gankd.apis.knowledge_points_experiment import classifier_config
    if 'teacher' not in cfg.model:
        return classifier_config(cfg, ''), ''
    from gankd.apis.config import build_model
    classifier = build_model(cfg).deployable_config()
    if 'data_preprocessor' not in classifier and cfg.get('data_preprocessor'):
        classifier['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    return classifier, 'student.'


def run_knowledge_points(config: str, work_dir: Optional[str] = None,
                         cfg_options: Optional[dict] = None,
                         extras=(), extra_against: Optional[str] = None,
                         train_only: bool = False,
                         progress: bool = True) -> dict:
    """Train what is missing, analyse, write the outputs; returns
    ``{'trained': [...], 'learned': n sigma files, 'out_dir': ...}``."""
    from gankd.apis.knowledge_points_experiment import load_experiment
    from gankd.apis.knowledge_points_training import train_missing
    from gankd.config import ConfigError
    from gankd.registry import TASK_UTILS
    experiment = load_experiment(config, cfg_options)
    labels = [extra_name_seed(e[0]) for e in extras]
    names = sorted({name for name, _ in labels})
    if len(set(labels)) != len(labels) or set(names) & set(
            experiment.networks):
        raise ConfigError(f'--extra names (with their seeds) must be unique'
                          f' and differ from the networks '
                          f'{sorted(experiment.networks)}')
    root = work_dir or os.path.join('work_dirs', os.path.splitext(
        os.path.basename(config.split('::')[-1]))[0])
    start = time.perf_counter()
    trained = train_missing(experiment, root, progress)
    if train_only:
        return dict(trained=trained, learned=0, out_dir=None)
    compare = list(experiment.compare)
    if extras:
        against = extra_against or 'baseline'
        if against not in names and against not in experiment.networks:
            raise ConfigError(f'--extra-against {against!r}: not an --extra'
                              f' name nor a network')
        compare += [(n, against) for n in names if n != against]
    analysis = TASK_UTILS.build(dict(
        type='KnowledgePointsAnalysis', layers=experiment.layers,
        images=experiment.images, probe=experiment.probe, compare=compare,
        grid_images=experiment.grid_images))
    out_dir = os.path.join(root, 'analysis')
    result = analysis.run(out_dir, analysis_runs(experiment, root, extras),
                          progress)
    if progress:
        print(f'knowledge-points: {len(trained)} trainings and '
              f"{result['learned']} sigma files computed in "
              f'{time.perf_counter() - start:.0f} s; table in '
              f"{os.path.join(out_dir, 'summary.md')}", flush=True)
    return dict(trained=trained, learned=result['learned'], out_dir=out_dir)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Knowledge points (Cheng et al., CVPR 2020):'
        ' train T, B, S per seed and analyse their knowledge points.')
    parser.add_argument('config', help='experiment config, e.g. configs/'
                        'knowledge_points/kp_resnet18-3stage-w8_'
                        'synthshapes.py')
    parser.add_argument('--work-dir', help='output folder (default '
                        'work_dirs/<config name>): train/ and analysis/')
    parser.add_argument('--extra', nargs=3, action='append', default=[],
                        metavar=('NAME', 'CONFIG', 'CHECKPOINT'),
                        help='also analyse a network trained elsewhere '
                        '(a distiller config: the network it deploys) at '
                        'CHECKPOINT; NAME@K marks seed K of NAME')
    parser.add_argument('--extra-against', help='compare the extras with '
                        'this extra or network (default baseline)')
    parser.add_argument('--train-only', action='store_true',
                        help='train what is missing, do not analyse')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress lines')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override experiment keys, e.g. seeds=[0]')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--work-dir': args.work_dir})
    return run_knowledge_points(
        args.config, args.work_dir, args.cfg_options,
        [tuple(e) for e in args.extra], args.extra_against,
        args.train_only, progress=not args.no_progress)
