"""What train and test would fail on inside the Runner is reported before
it is built, one line per problem naming the field and the fix."""
import pytest
from mmengine.config import Config

from gankd.apis.config import prepare_config
from gankd.apis.runner_checks import (check_model_kind, check_schedules,
                                      check_train_loop)
from gankd.config import ConfigError, load_config

BASELINE = 'configs/baselines/resnet18-w16_1xb64_synthshapes.py'
WARMUP_COSINE = [
    dict(type='LinearLR', by_epoch=True, begin=0, end=1),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1),
]


def test_the_readme_baseline_with_one_epoch_says_what_to_change():
    cfg = load_config(BASELINE, {'train_cfg.max_epochs': 1})
    with pytest.raises(ConfigError) as caught:
        prepare_config(cfg, 'train')
    assert str(caught.value) == (
        'the config cannot be used: param_scheduler[1] (CosineAnnealingLR) '
        'begins at epoch 1 and ends at train_cfg.max_epochs=1, so it has no '
        'epochs left: set train_cfg.max_epochs to 2 or more, or change the '
        'schedule (param_scheduler)')
    # The fix it names works: two epochs leave the cosine phase one.
    prepare_config(load_config(BASELINE, {'train_cfg.max_epochs': 2}),
                   'train')


@pytest.mark.parametrize('schedule, loop, problems', [
    (WARMUP_COSINE, dict(max_epochs=2), []),
    # an explicit end that is not after its begin
    (dict(type='StepLR', begin=3, end=3), dict(max_epochs=9),
     ['param_scheduler (StepLR): end=3 is not after begin=3; fix '
      'param_scheduler.end']),
    # iteration-based: against max_iters, per optimizer
    (dict(generator=[dict(type='ConstantLR', by_epoch=False, begin=10)],
          discriminator=[]),
     dict(type='IterBasedTrainLoop', max_iters=10),
     ['param_scheduler.generator[0] (ConstantLR) begins at iteration 10 '
      'and ends at train_cfg.max_iters=10, so it has no iterations left: '
      'set train_cfg.max_iters to 11 or more, or change the schedule '
      '(param_scheduler)']),
    # another unit than the loop's: its length is only known at run time
    (dict(type='ConstantLR', by_epoch=False, begin=10), dict(max_epochs=1),
     []),
])
def test_schedules_against_the_loop(schedule, loop, problems):
    cfg = Config(dict(param_scheduler=schedule, train_cfg=loop))
    assert check_schedules(cfg) == problems


@pytest.mark.parametrize('key, value', [
    ('max_epochs', 'abc'), ('max_epochs', -1), ('max_epochs', 0),
    ('max_epochs', 1.5), ('max_iters', True), ('val_interval', 0),
    ('val_begin', -1),
])
def test_loop_lengths_must_be_whole_numbers(key, value):
    least = 0 if key == 'val_begin' else 1
    cfg = Config(dict(train_cfg={key: value}))
    assert check_train_loop(cfg) == [
        f'train_cfg.{key}: {value!r} is not a whole number >= {least}; '
        f'e.g. --cfg-options train_cfg.{key}=2']


def test_bad_max_epochs_is_reported_once_not_by_the_schedule_too():
    cfg = load_config(BASELINE, {'train_cfg.max_epochs': -1})
    with pytest.raises(ConfigError) as caught:
        prepare_config(cfg, 'train')
    assert str(caught.value) == (
        'the config cannot be used: train_cfg.max_epochs: -1 is not a whole '
        'number >= 1; e.g. --cfg-options train_cfg.max_epochs=2')


GENERATOR = dict(type='StyleGAN2Generator', resolution=16)


def test_a_generator_is_not_a_model_to_train():
    assert check_model_kind(Config(dict(model=GENERATOR)), 'train') == [
        "model.type: 'StyleGAN2Generator' is a generator (BaseGenerator); "
        'gankd train runs an mmengine BaseModel (a distiller, restorer, '
        'inverter, GAN or classifier): wrap it in a GAN to train it (model='
        "dict(type='UnconditionalGAN', generator=..., discriminator=...)); "
        'sample it with gankd generate']
    gan = dict(type='UnconditionalGAN', generator=GENERATOR)
    assert check_model_kind(Config(dict(model=gan)), 'train') == []


def test_check_applies_the_kind_check_to_configs_that_train():
    """print-config --check finds what train would: the kind check runs for
    a config with a train_cfg, not for a probe's or an inverter's."""
    cfg = load_config(BASELINE)
    cfg.model = dict(GENERATOR)
    with pytest.raises(ConfigError, match="'StyleGAN2Generator' is a "
                       'generator'):
        prepare_config(cfg, 'check')
    cfg.train_cfg = None
    prepare_config(cfg, 'check')
