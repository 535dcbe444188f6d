"""Model separation: derive a student S and an assistant A from one given
classifier so that S + A (+ connectors + head) costs no more FLOPs than it.

The rule is gankd's proposal (the paper's is not available, see
``configs/residual_kd/README.md``): S and A are full-depth copies of the
given backbone at reduced widths (no shared stages, ``split_stage=0``, as
the paper's figure draws them); each ends in a 1x1 conv + BN connector to
``target_channels``; the head takes ``target_channels``. Costs are counted
on the built networks with ``torch.utils.flop_counter`` (2 x multiply-adds),
never from a formula.
"""
import copy
import inspect
from typing import Optional, Tuple, Union

import torch

from gankd.models.distillers.single_teacher_distiller import model_config
from gankd.registry import MODELS, resolve_type
from gankd_residual_kd.combined_classifier import combined_classifier_config
from gankd.utils.complexity import count_flops, count_params
from gankd_residual_kd.model_utils import (call_flops, last_output,
                                           probe_output, qualify_types)
from gankd_residual_kd.split_report import SplitReport

__all__ = ['SplitReport', 'split_model', 'scale_backbone']


def _round(channels: float, divisor: int) -> int:
    """Nearest multiple of ``divisor``, at least ``divisor``."""
    return max(divisor, int(channels / divisor + 0.5) * divisor)


def _init_arguments(cls) -> dict:
    """name -> default of ``cls``'s constructor, following ``**kwargs`` up
    the MRO (mmpretrain's ResNet_CIFAR passes its widths on to ResNet)."""
    arguments = {}
    for klass in cls.__mro__:
        if '__init__' not in vars(klass):
            continue
        params = inspect.signature(vars(klass)['__init__']).parameters
        for name, param in params.items():
            if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                arguments.setdefault(name, param.default)
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            break
    return arguments


def _explicit_widths(backbone: dict) -> dict:
    """``backbone`` with ``stem_channels`` / ``base_channels`` written out
    (defaults of its class; a gankd ``arch`` name expanded)."""
    backbone = qualify_types(backbone)
    cls = resolve_type(MODELS, backbone['type'])
    params = _init_arguments(cls)
    if not {'stem_channels', 'base_channels'} <= set(params):
        raise ValueError(
            f"split_model: backbone type '{backbone['type']}' has no "
            'stem_channels/base_channels arguments; supported are backbones '
            'configured by them (mmpretrain ResNet, ResNet_CIFAR, gankd '
            'CIFARResNet). Give the assistant explicitly instead.')
    if backbone.get('arch') is not None:
        entry = getattr(cls, 'arch_zoo', {}).get(backbone['arch'])
        if not (isinstance(entry, tuple) and len(entry) == 3):
            raise ValueError(f"split_model: cannot expand arch "
                             f"'{backbone['arch']}' of {backbone['type']} "
                             'into depth/stem/base channels; give depth, '
                             'stem_channels and base_channels.')
        backbone['depth'], backbone['stem_channels'], \
            backbone['base_channels'] = entry
        del backbone['arch']
    for key in ('stem_channels', 'base_channels'):
        if key not in backbone:
            backbone[key] = params[key]
    return backbone


def scale_backbone(backbone: dict, width: float, divisor: int) -> dict:
    """``backbone`` with stem and base channels times ``width``, rounded to
    multiples of ``divisor`` (every stage scales with ``base_channels``)."""
    backbone = _explicit_widths(backbone)
    backbone['stem_channels'] = _round(backbone['stem_channels'] * width,
                                       divisor)
    backbone['base_channels'] = _round(backbone['base_channels'] * width,
                                       divisor)
    return backbone


def _measure(given: dict, student: dict, assistant: dict, target: int,
             divisor: int, input_size: int,
             given_cost: Tuple[int, int]) -> SplitReport:
    """Build S + A + connectors + head and count each part."""
    size = probe_output(student, input_size)[-2:]
    combined = combined_classifier_config(
        dict(given, backbone=student), assistant, (target, *size),
        target_name=f'{target} target channels', input_size=input_size)
    model = MODELS.build(copy.deepcopy(combined)).eval()
    backbone = model.backbone
    x = torch.zeros(1, 3, input_size, input_size)
    with torch.no_grad():
        feat_s = last_output(backbone.student(x))
        feat_a = backbone.assistant.forward_backbone(x)
        fused = backbone.forward_student(x) + backbone.forward_assistant(x)
    connectors = [backbone.student_connector, backbone.assistant.connector]

    def run_connectors():
        for module, feat in zip(connectors, (feat_s, feat_a)):
            if module is not None:
                module(feat)

    def run_head():
        feats = (fused, )
        if model.with_neck:
            feats = model.neck(feats)
        model.head(feats)

    image = (3, input_size, input_size)
    parts = {
        'given': given_cost,
        'student': (count_params(backbone.student),
                    count_flops(backbone.student, image)),
        'assistant': (count_params(backbone.assistant.backbone),
                      count_flops(backbone.assistant.backbone, image)),
        'connectors': (sum(count_params(m) for m in connectors
                           if m is not None), call_flops(run_connectors)),
        'head': (count_params(model.head) +
                 (count_params(model.neck) if model.with_neck else 0),
                 call_flops(run_head)),
        'total': (count_params(model), count_flops(model, image)),
    }
    widths = {name: (cfg['stem_channels'], cfg['base_channels'])
              for name, cfg in (('given', _explicit_widths(given['backbone'])),
                                ('student', student),
                                ('assistant', assistant))}
    return SplitReport(student=student, assistant=assistant, channels=widths,
                       target_channels=target, divisor=divisor,
                       input_size=input_size, parts=parts)


def split_model(base_model_cfg: dict,
                width_student: float = 0.8,
                width_assistant: Union[float, str] = 'auto',
                divisor: int = 8,
                target_channels: Optional[int] = None,
                input_size: int = 32,
                split_stage: int = 0,
                check_budget: bool = True) -> SplitReport:
    """Derive S and A from a given classifier within its FLOPs.

    Args:
        base_model_cfg (dict): The given classifier (``ImageClassifier``
            with a backbone configured by ``stem_channels`` /
            ``base_channels``), or ``dict(cfg_path=...)``.
        width_student (float): ``a_S`` in (0, 1]: S's channels over the
            given model's (before rounding).
        width_assistant (float | str): ``a_A``, or ``'auto'``: the largest
            width (a multiple of ``divisor`` in base channels) whose total
            fits the budget.
        divisor (int): Channels are rounded to multiples of it.
        target_channels (int, optional): ``C_T`` the connectors map to
            (the teacher's channels at the matched layer). Defaults to the
            given backbone's output channels.
        input_size (int): Side of the square image FLOPs are counted on.
        split_stage (int): Shared leading stages ``k``; only 0 (S and A
            fully separate) is implemented.
        check_budget (bool): Raise when an explicit ``width_assistant``
            exceeds the budget (False: report it, for ablations).

    Returns:
        SplitReport: S and A backbone configs and their costs.

    Raises:
        ValueError: an unsupported backbone or split stage, a width out of
            range, or no assistant that fits (with the numbers).
    """
    if split_stage != 0:
        raise ValueError(
            f'split_model: split_stage={split_stage} (shared leading stages) '
            'is not implemented; use split_stage=0 (S and A are separate '
            "full-depth networks, as the paper's figure shows).")
    if not 0 < width_student <= 1:
        raise ValueError(f'split_model: width_student must be in (0, 1], '
                         f'got {width_student}.')
    auto = width_assistant == 'auto'
    if not auto and not (isinstance(width_assistant, (int, float))
                         and 0 < width_assistant <= 1):
        raise ValueError("split_model: width_assistant must be 'auto' or in "
                         f'(0, 1], got {width_assistant!r}.')
    given = qualify_types(model_config(base_model_cfg))
    given['backbone'] = _explicit_widths(given['backbone'])
    given_model = MODELS.build(copy.deepcopy(given)).eval()
    given_cost = (count_params(given_model),
                  count_flops(given_model, (3, input_size, input_size)))
    if target_channels is None:
        target_channels = int(probe_output(given_model.backbone,
                                           input_size)[1])
    student = scale_backbone(given['backbone'], width_student, divisor)
    base = given['backbone']['base_channels']
    if auto:  # widest first: the first that fits is the largest
        widths = [c / base for c in range(_round(base, divisor), 0, -divisor)]
    else:
        widths = [float(width_assistant)]
    report = None
    for width in widths:
        assistant = scale_backbone(given['backbone'], width, divisor)
        report = _measure(given, student, assistant, target_channels,
                          divisor, input_size, given_cost)
        if report.fits:
            return report
    if auto:
        raise ValueError(
            f'split_model: no assistant fits: with the narrowest one '
            f'({divisor} base channels) S + A + connectors + head cost '
            f'{report.parts["total"][1] / 1e6:.3f} MFLOPs > '
            f'{given_cost[1] / 1e6:.3f} of the given model; lower '
            'width_student or the divisor.\n' + report.table())
    if check_budget:
        raise ValueError(
            f'split_model: width_assistant={width_assistant} exceeds the '
            f'budget ({report.ratio:.3f} x the given FLOPs); use '
            "width_assistant='auto' or a smaller width.\n" + report.table())
    return report
