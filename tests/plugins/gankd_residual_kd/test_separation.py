"""split_model: S + A + connectors + head within the given model's FLOPs,
channels on the divisor grid, 'auto' the widest assistant that fits, counts
that match hand computations."""
import pytest

from gankd.utils.complexity import count_flops
from gankd_residual_kd.separation import split_model

# The SynthShapes baseline student's layout with 10 classes: 8/16/32 ch.
GIVEN = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, stem_channels=8,
                  base_channels=8, num_stages=3, strides=(1, 2, 2),
                  dilations=(1, 1, 1), out_indices=(2, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
              in_channels=32))
SIZE = 16  # FLOPs counted on 16x16 images: last stage 4x4


def split(**kwargs):
    kwargs = dict(dict(divisor=2, target_channels=16, input_size=SIZE),
                  **kwargs)
    return split_model(GIVEN, **kwargs)


@pytest.mark.parametrize('width_student', [0.5, 0.8])
def test_auto_assistant_is_the_widest_that_fits(width_student):
    report = split(width_student=width_student, width_assistant='auto')
    flops = {name: cost[1] for name, cost in report.parts.items()}
    assert report.fits and flops['total'] <= flops['given']
    for name in ('student', 'assistant'):
        assert all(c % 2 == 0 for c in report.channels[name])
    # The parts are the whole derived classifier (additions cost 0 FLOPs).
    assert flops['total'] == sum(flops[name] for name in (
        'student', 'assistant', 'connectors', 'head'))
    base = report.channels['assistant'][1]
    if base < 8:  # one divisor step wider no longer fits
        wider = split(width_student=width_student,
                      width_assistant=(base + 2) / 8, check_budget=False)
        assert not wider.fits


def test_counts_match_hand_computation():
    report = split(width_student=0.75, width_assistant=0.5)
    assert report.channels == {'given': (8, 8), 'student': (6, 6),
                               'assistant': (4, 4)}
    s_out, a_out, target, hw = 4 * 6, 4 * 4, 16, 4 * 4
    # 1x1 convs at 4x4: 2 FLOPs per multiply-add; BN is not counted.
    assert report.parts['connectors'] == (
        target * (s_out + a_out) + 2 * 2 * target,
        2 * hw * target * (s_out + a_out))
    assert report.parts['head'] == (target * 10 + 10, 2 * target * 10)
    assert report.student['base_channels'] == 6
    assert report.assistant['stem_channels'] == 4


def test_divisor_too_coarse_leaves_no_assistant():
    # 0.8 x 8 channels rounds to 8 with divisor 4: S alone is the budget.
    with pytest.raises(ValueError, match='no assistant fits'):
        split(width_student=0.8, divisor=4)


def test_explicit_assistant_over_budget_is_rejected():
    with pytest.raises(ValueError, match='exceeds the budget'):
        split(width_student=0.75, width_assistant=0.75)


@pytest.mark.parametrize('kwargs,match', [
    (dict(split_stage=1), 'split_stage=1.*not implemented'),
    (dict(width_student=1.5), 'width_student must be in'),
    (dict(width_assistant='half'), "width_assistant must be 'auto'"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        split(**kwargs)


def test_unsupported_backbone_is_named():
    given = dict(GIVEN, backbone=dict(type='gankd.CIFARVGG', arch='vgg8'),
                 head=dict(GIVEN['head'], in_channels=512))
    with pytest.raises(ValueError, match="'gankd.CIFARVGG' has no "
                       'stem_channels/base_channels'):
        split_model(given, input_size=SIZE)


def test_gankd_arch_name_is_expanded():
    given = dict(GIVEN, backbone=dict(type='gankd.CIFARResNet',
                                      arch='resnet8x4'),
                 head=dict(GIVEN['head'], in_channels=256))
    report = split_model(given, width_student=0.5, divisor=8,
                         input_size=SIZE)
    assert report.student == dict(type='gankd.CIFARResNet', depth=8,
                                  stem_channels=16, base_channels=32)
    assert report.fits and report.target_channels == 256


def test_distiller_separation_builds_what_split_model_reports(build_rkd):
    model = build_rkd(assistant=None, separation=dict(
        width_student=0.5, width_assistant='auto', divisor=2))
    report = model.separation_report
    backbone = model.deployable_config()['backbone']
    assert backbone['student'] == report.student
    assert backbone['assistant']['backbone'] == report.assistant
    assert report.target_channels == 32 and report.fits
    # What is deployed costs what the report says (the benchmark's counter).
    assert count_flops(model.deployable()) == report.parts['total'][1]
