"""Checking configs before a Runner is built (reading them is
:mod:`gankd.config`).

* :func:`prepare_config` applies plugins' CLI arguments, scopes the model
  subtree (:func:`gankd.registry.scope_config_types`) and runs the read-only
  checks: gankd's own (every component type resolves, nested model parts
  included; for train and test the model is one the Runner can run, the
  loop's lengths are whole numbers and every parameter schedule fits them,
  :mod:`gankd.apis.runner_checks`; a teacher cache can key the train
  pipeline, :mod:`gankd.apis.teacher_cache_config`) and the plugins'
  ``gankd_check_config``. For ``train``, a model with ``teacher_cache``
  gets its ``TeacherCacheHook``.
  All problems are reported together, one line each, before anything is
  built (a single problem on the error line itself).
* :func:`build_model` builds a config's model for tools that do not train
  it (export, FLOPs, step timing).
"""
import argparse
import copy
import os
from typing import List, Optional

from mmengine.config import Config

from gankd.config import ConfigError
from gankd.plugins import hook_results
from gankd.registry import (ALL_REGISTRIES, DATASETS, METRICS, MODELS,
                            UnknownComponentError, find_type, resolve_type,
                            scope_config_types, type_scope)

__all__ = [
    'check_config', 'prepare_config', 'add_common_arguments',
    'apply_common_arguments', 'build_model'
]


def _check_type(field: str, cfg, registry) -> List[str]:
    if not isinstance(cfg, dict) or not isinstance(cfg.get('type'), str):
        return []
    try:
        resolve_type(registry, cfg['type'], cfg.get('_scope_'))
    except UnknownComponentError as error:
        return [f'{field}.type: {error}']
    return []


def _check_nested_types(field: str, cfg, scope: Optional[str]) -> List[str]:
    """Every class-like ``type`` below ``cfg`` must name something in some
    registry of its scope (nested parts are built by whoever holds them, so
    the registry is not known here).

    Class-like means scope-prefixed or capitalised: lowercase values such as
    an attribute list's ``dict(name='smile', type='binary')`` are data, not
    components. ``init_cfg`` and ``train_cfg`` are skipped: they use
    registries outside mmengine's tree (e.g. mmpretrain's batch augments).
    """
    problems = []
    if isinstance(cfg, dict):
        obj_type = cfg.get('type')
        if isinstance(obj_type, str) and (
                type_scope(obj_type) or obj_type[:1].isupper()):
            scope = cfg.get('_scope_') or type_scope(obj_type) or scope
            if not any(find_type(registry, obj_type, scope) is not None
                       for registry in ALL_REGISTRIES.values()):
                problems += _check_type(field, dict(cfg, _scope_=scope),
                                        MODELS)
        for key, value in cfg.items():
            if key not in ('init_cfg', 'train_cfg', 'type', '_scope_'):
                problems += _check_nested_types(f'{field}.{key}', value,
                                                scope)
    elif isinstance(cfg, (list, tuple)):
        for i, value in enumerate(cfg):
            problems += _check_nested_types(f'{field}[{i}]', value, scope)
    return problems


def check_config(cfg: Config, command: str) -> List[str]:
    """gankd's checks plus the plugins' ``gankd_check_config``, read-only."""
    from gankd.apis.runner_checks import (check_model_kind, check_schedules,
                                          check_train_loop)
    from gankd.apis.teacher_cache_config import check_teacher_cache
    model = cfg.get('model')
    problems = _check_type('model', model, MODELS)
    if not problems and isinstance(model, dict):
        problems = _check_nested_types('model', model, None)
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if isinstance(loader, dict):
            problems += _check_type(f'{split}_dataloader.dataset',
                                    loader.get('dataset'), DATASETS)
        evaluator = cfg.get(f'{split}_evaluator')
        for i, metric in enumerate(evaluator if isinstance(
                evaluator, (list, tuple)) else [evaluator]):
            problems += _check_type(f'{split}_evaluator[{i}]', metric,
                                    METRICS)
    if command == 'train' and cfg.get('train_dataloader') is None:
        problems.append('train_dataloader: missing; training needs one')
    # 'check' (print-config --check) checks what train would hit, for
    # configs that train.
    trains = command == 'check' and cfg.get('train_cfg') is not None
    if (command in ('train', 'test') or trains) and not problems:
        problems += check_model_kind(cfg, command)
    if command in ('train', 'check'):
        problems += check_train_loop(cfg) + check_schedules(cfg)
        problems += check_teacher_cache(cfg)
    for plugin, result in hook_results(
            'gankd_check_config', command=command, cfg=copy.deepcopy(cfg)):
        problems += [f'[{plugin}] {line}' for line in result]
    return problems


def prepare_config(cfg: Config, command: str,
                   args: Optional[argparse.Namespace] = None) -> Config:
    """Apply plugins' CLI arguments, scope the model, run every check.

    Raises:
        ConfigError: listing every problem found, one per line.
    """
    if args is not None:
        hook_results('gankd_apply_cli_arguments', command=command, args=args,
                     cfg=cfg)
    if cfg.get('model') is not None:
        scope_config_types(cfg.model)
    cfg.setdefault('default_scope', 'gankd')
    problems = check_config(cfg, command)
    if command == 'train' and not problems:
        from gankd.apis.teacher_cache_config import add_teacher_cache_hook
        add_teacher_cache_hook(cfg)
    if len(problems) == 1:
        raise ConfigError(f'the config cannot be used: {problems[0]}')
    if problems:
        raise ConfigError('the config cannot be used:\n  ' +
                          '\n  '.join(problems))
    return cfg


def apply_common_arguments(cfg: Config, args: argparse.Namespace) -> None:
    """``--launcher`` and ``--work-dir`` (default ``work_dirs/<config>``).

    Raises:
        OutputPathError: the work dir cannot be written.
    """
    from gankd.utils.output_paths import check_output_paths
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        name = os.path.splitext(os.path.basename(args.config))[0]
        cfg.work_dir = os.path.join('work_dirs', name)
    flag = '--work-dir' if args.work_dir is not None else 'work_dir'
    check_output_paths(folders={flag: cfg.work_dir})


def add_common_arguments(parser: argparse.ArgumentParser,
                         command: str) -> None:
    """Arguments every Runner command takes, then the plugins' own."""
    from gankd.config import CfgOptionsAction
    parser.add_argument(
        'config', help='config file, or <plugin>::path inside a plugin')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config keys, e.g. train_cfg.max_epochs=2')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher for distributed runs')
    parser.add_argument(
        '--local_rank',
        '--local-rank',
        type=int,
        default=0,
        help='accepted because torch.distributed.launch passes it, not '
        'for use by hand: each process takes its rank from LOCAL_RANK, which '
        'the launcher sets (torchrun in tools/dist_train.sh)')
    hook_results('gankd_add_cli_arguments', command=command, parser=parser)


def build_model(cfg: Config):
    """Build ``cfg.model`` as the Runner would (top-level
    ``data_preprocessor``, scopes from type prefixes), but with the
    teacher's weights not loaded: for tools that only count, time or
    overwrite them (export loads a checkpoint holding the teacher too).
    ``cfg`` is not changed.

    Raises:
        ComponentArgumentError: a component's fields do not fit its
            constructor (naming the field path).
    """
    import warnings

    from gankd.utils.build_errors import explain_build_errors
    model_cfg = copy.deepcopy(cfg.model)
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    if 'data_preprocessor' not in model_cfg and cfg.get('data_preprocessor'):
        model_cfg.data_preprocessor = copy.deepcopy(cfg.data_preprocessor)
    with warnings.catch_warnings(), explain_build_errors(cfg):
        warnings.filterwarnings('ignore', 'teacher_ckpt is None')
        return MODELS.build(scope_config_types(model_cfg))
