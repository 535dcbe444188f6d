"""``gankd export-student`` / ``tools/export_student.py``: write a trained
distiller's deployable network as a plain mmpretrain checkpoint + config.

The result needs no distiller and no teacher: mmpretrain's own
``ImageClassifier`` and its ``tools/test.py`` load and evaluate it
unchanged. Connectors used only for training are left out; methods that
deploy an assistant (Residual KD) export student + assistant as one
classifier.
"""
import argparse
import copy
import os
from typing import List, Optional, Tuple

from mmengine.config import Config, ConfigDict

from gankd.apis.config import build_model
from gankd.config import ConfigError, load_config
from gankd.errors import report_user_errors

__all__ = ['export_student', 'build_parser', 'main']

# Loader and evaluator settings carried over to the exported config.
DATA_KEYS = ('test_dataloader', 'test_evaluator', 'test_cfg',
             'val_dataloader', 'val_evaluator', 'val_cfg')


def _without_scope_keys(cfg):
    if isinstance(cfg, dict):
        return {k: _without_scope_keys(v) for k, v in cfg.items()
                if k != '_scope_'}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_without_scope_keys(v) for v in cfg)
    return cfg


def _gankd_scoped(cfg):
    """Prefix ``gankd.`` to the unprefixed types gankd defines, so the
    config also builds under mmpretrain's default scope."""
    from gankd.registry import ALL_REGISTRIES
    if isinstance(cfg, (dict, ConfigDict)):
        obj_type = cfg.get('type')
        if isinstance(obj_type, str) and '.' not in obj_type and any(
                obj_type in r._module_dict for r in ALL_REGISTRIES.values()):
            cfg['type'] = 'gankd.' + obj_type
        for value in cfg.values():
            _gankd_scoped(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            _gankd_scoped(value)
    return cfg


def export_student(config: str, checkpoint: str,
                   out_dir: str) -> Tuple[str, str]:
    """Export the deployable network of ``config`` trained into
    ``checkpoint``.

    Args:
        config: the distillation config (``prefix::`` allowed).
        checkpoint: a checkpoint the Runner wrote for that config.
        out_dir: where ``student.pth`` and ``student_config.py`` go.

    Returns:
        (checkpoint path, config path) written, atomically.

    Raises:
        ConfigError: the config's model is not a distiller.
        CheckpointError: the checkpoint cannot be read or does not fit.
    """
    from gankd.kinds import BaseDistiller
    from gankd.utils.checkpoint import (CheckpointError,
                                        load_training_checkpoint,
                                        save_checkpoint)
    cfg = load_config(config)
    model = build_model(cfg)
    if not isinstance(model, BaseDistiller):
        raise ConfigError(f'{config}: model {type(model).__name__} is not a '
                          'distiller; a plain classifier needs no export.')
    state = load_training_checkpoint(checkpoint).get('state_dict')
    if state is None:
        raise CheckpointError(f'{checkpoint}: no state_dict in the file.')
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise CheckpointError(f'{checkpoint}: does not fit {config}: '
                              f'{first}') from None

    net, net_cfg = model.export()
    net_cfg['data_preprocessor'] = dict(
        cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')
        or {})
    net_cfg['data_preprocessor'].setdefault('type',
                                            'mmpretrain.ClsDataPreprocessor')
    exported = dict(
        default_scope='mmpretrain',
        # gankd's datasets and backbones, for mmpretrain's own tools.
        custom_imports=dict(imports=['gankd.registry', 'gankd.datasets'],
                            allow_failed_imports=False),
        model=net_cfg,
        **{key: copy.deepcopy(cfg[key]) for key in DATA_KEYS
           if cfg.get(key) is not None})
    plugin = type(net.backbone).__module__.split('.')[0] if hasattr(
        net, 'backbone') else ''
    if plugin.startswith('gankd_'):
        exported['custom_imports']['imports'].append(plugin)
    exported = _gankd_scoped(_without_scope_keys(Config(exported).to_dict()))

    os.makedirs(out_dir, exist_ok=True)
    ckpt_path = os.path.join(out_dir, 'student.pth')
    cfg_path = os.path.join(out_dir, 'student_config.py')
    save_checkpoint({'state_dict': net.state_dict()}, ckpt_path,
                    meta=dict(exported_from=os.path.abspath(checkpoint),
                              config=os.path.abspath(config),
                              distiller=type(model).__name__))
    from gankd.utils.checkpoint import atomic_write_bytes
    atomic_write_bytes(Config(exported).pretty_text.encode(), cfg_path)
    return ckpt_path, cfg_path


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Write a trained distiller's deployable "
        'network as a plain mmpretrain checkpoint and config.')
    parser.add_argument('config', help='the distillation config')
    parser.add_argument('checkpoint', help='a checkpoint of that config')
    parser.add_argument('--out-dir', required=True,
                        help='folder for student.pth and student_config.py')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--out-dir': args.out_dir})
    ckpt, cfg = export_student(args.config, args.checkpoint, args.out_dir)
    import mmpretrain
    tool = os.path.join(os.path.dirname(mmpretrain.__file__), '.mim',
                        'tools', 'test.py')
    print(f'wrote {ckpt}\nwrote {cfg}\nevaluate with mmpretrain alone: '
          f'python {tool} {cfg} {ckpt}')
    return ckpt, cfg
