"""Derive a Residual KD student S and assistant A from one given classifier
and print what each part costs (a thin wrapper over
``gankd_residual_kd.separation.split_model``).

CONFIG is a classifier config (its ``model`` is the given model, e.g.
``configs/_base_/models/resnet18-3stage-w8_cifar.py``) or a Residual KD
config (its ``model.student`` is the given model, its ``model.separation``
gives the defaults and its teacher layer the target channels).

    python tools/analysis/split_student_assistant.py \\
        configs/_base_/models/resnet18-3stage-w8_cifar.py \\
        --divisor 2 --target-channels 64

FLOPs: ``torch.utils.flop_counter`` (2 x multiply-adds of convolutions and
linear layers), counted on the built networks.
"""
import argparse
import warnings

import torch

from gankd.config import load_config
from gankd.errors import report_user_errors
from gankd.models.distillers.single_teacher_distiller import model_config
from gankd.registry import MODELS, scope_config_types


def _width(value: str):
    return value if value == 'auto' else float(value)


def _teacher_channels(model: dict, input_size: int) -> int:
    """C_T at the config's teacher layer (a random teacher: only the shape
    is read)."""
    from gankd.models.recorders import RecorderManager
    from gankd_residual_kd.model_utils import last_output
    teacher = MODELS.build(scope_config_types(model_config(model['teacher'])))
    manager = RecorderManager(dict(feat=dict(
        type='ModuleOutputsRecorder',
        source=model.get('teacher_layer', 'backbone'))))
    manager.prepare(teacher.eval())
    with torch.no_grad():
        feat = manager.record(
            lambda: teacher(torch.zeros(1, 3, input_size, input_size),
                            mode='tensor'), stop_early=True)['feat']
    return int(last_output(feat).shape[1])


@report_user_errors
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='classifier or Residual KD config')
    parser.add_argument('--width-student', type=float,
                        help='a_S in (0, 1] (default 0.8)')
    parser.add_argument('--width-assistant', type=_width,
                        help="a_A in (0, 1] or 'auto' (default)")
    parser.add_argument('--divisor', type=int,
                        help='round channels to multiples of it (default 8)')
    parser.add_argument('--target-channels', type=int,
                        help='C_T of the connectors (default: the teacher '
                        "layer's channels for a Residual KD config, else the "
                        "given backbone's output channels)")
    parser.add_argument('--input-size', type=int,
                        help='side of the image FLOPs are counted on '
                        '(default 32)')
    parser.add_argument('--split-stage', type=int,
                        help='shared leading stages (only 0 is implemented)')
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    from gankd_residual_kd.separation import split_model
    cfg = load_config(args.config)
    model = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') \
        else dict(cfg.model)
    options = {}
    if 'student' in model and 'teacher' in model:  # a distiller config
        base = model['student']
        options.update(model.get('separation') or {})
        options.setdefault('input_size', model.get('probe_size', 32))
    else:
        base = model
    for key in ('width_student', 'width_assistant', 'divisor',
                'target_channels', 'input_size', 'split_stage'):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    if 'target_channels' not in options and base is not model:
        options['target_channels'] = _teacher_channels(
            model, options.get('input_size', 32))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        report = split_model(base, **options)
    print(f'# {args.config}')
    print(report.table())
    print()
    print('student backbone:  ', report.student)
    print('assistant backbone:', report.assistant)


if __name__ == '__main__':
    main()
