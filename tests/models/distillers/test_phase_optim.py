"""Per-phase optimiser settings: the LR shapes by hand, how a config's
``phase_optim`` reaches each phase, and the errors that name the field."""
import math

import pytest

from gankd.errors import ConfigError
from gankd.models.distillers import Phase, PhaseOptim
from gankd.models.distillers.phase_optim import resolve_phase_optim


def test_lr_shapes_and_warm_up_by_hand():
    steps = 8
    cosine = PhaseOptim(eta_min=0.01)
    # eta_min + (peak - eta_min) * (1 + cos(pi t / T)) / 2
    assert cosine.lr_at(0.5, 0, steps) == 0.5
    assert cosine.lr_at(0.5, 4, steps) == pytest.approx(0.255, rel=1e-12)
    assert cosine.lr_at(0.5, 2, steps) == pytest.approx(
        0.01 + 0.49 * (1 + math.sqrt(0.5)) / 2, rel=1e-12)
    linear = PhaseOptim(lr_shape='linear', eta_min=0.1)
    assert [linear.lr_at(0.5, t, steps) for t in (0, 2, 6)] == \
        pytest.approx([0.5, 0.4, 0.2], rel=1e-12)
    constant = PhaseOptim(lr_shape='constant')
    assert constant.lr_at(0.5, 7, steps) == 0.5
    # Warm-up over 3 iterations from x0.4: x0.4, x0.7, x1.0 (mmengine's
    # LinearLR reaches its end factor at the warm-up's last iteration).
    warm = PhaseOptim(lr_shape='constant', warmup_epochs=1.5,
                      warmup_factor=0.4)
    assert warm.warmup_iters(2) == 3
    assert [warm.lr_at(0.5, t, steps, 3) for t in range(4)] == \
        pytest.approx([0.2, 0.35, 0.5, 0.5], rel=1e-12)


PHASES = [dict(name='stage1', epochs=2, trainable=['a']),
          dict(name='stage2', epochs=2, trainable=['b']),
          dict(name='head', epochs=1, trainable=['c'], weight_decay=0.1)]


def test_scalar_list_and_phase_name_reach_each_phase():
    phases = [Phase.from_config(p) for p in resolve_phase_optim(PHASES, dict(
        lr=[0.1, 0.05, 0.2], eta_min=1e-4, weight_decay=5e-4,
        stage2=dict(momentum=0.5), head=dict(lr_shape='constant')))]
    assert [p.optim for p in phases] == [
        PhaseOptim(lr=0.1, eta_min=1e-4, weight_decay=5e-4),
        PhaseOptim(lr=0.05, eta_min=1e-4, weight_decay=5e-4, momentum=0.5),
        # the phase's own weight_decay gives way to phase_optim's
        PhaseOptim(lr=0.2, lr_shape='constant', eta_min=1e-4,
                   weight_decay=5e-4)]
    # Nothing given: the optimizer and param_scheduler decide, as before.
    plain = Phase.from_config(PHASES[0])
    assert plain.optim == PhaseOptim() and not any(
        plain.optim.sets(key) for key in ('lr', 'weight_decay', 'momentum'))
    assert Phase.from_config(PHASES[2]).optim.sets('weight_decay')


@pytest.mark.parametrize('optim,match', [
    (dict(stage3=dict(lr=0.1)),
     r"model.phase_optim: 'stage3' is neither a setting .* nor a phase "
     r'\(stage1, stage2, head\). Did you mean stage2, stage1'),
    (dict(lr=[0.1, 0.2]), r'model.phase_optim.lr: 2 values for 3 phases'),
    (dict(head=0.1), r'model.phase_optim.head: give a dict of settings'),
    (dict(lr=-0.1), r"phase 'stage1': lr=-0.1 is not a number in \(0, inf\]"
                    r'; fix it in model.phase_optim'),
    (dict(head=dict(warmup_epochs=1)),
     r"phase 'head': warmup_epochs=1 is not a number in \[0, 1\)"),
    (dict(lr_shape='step'), r"lr_shape='step'; choose one of 'cosine'"),
])
def test_bad_settings_name_the_field(optim, match):
    with pytest.raises(ConfigError, match=match):
        [Phase.from_config(p) for p in resolve_phase_optim(PHASES, optim)]
