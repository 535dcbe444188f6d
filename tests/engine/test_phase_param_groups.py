"""A phase's optimiser settings in the optimizer's parameter groups: group
ratios kept, unset settings restored, and one SGD step by hand in a phase
with and without weight decay."""
import pytest
import torch
from torch import nn

from gankd.engine.phase_param_groups import PhaseParamGroups, managed_settings
from gankd.errors import ConfigError
from gankd.models.distillers import Phase, PhaseOptim, TrainingPhasesMixin


class Net(TrainingPhasesMixin, nn.Module):

    def __init__(self, phases):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.b = nn.Sequential(nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4))
        self.init_phases(phases)

    def forward(self, x):
        return self.b(self.a(x)).pow(2).mean()


PHASES = [dict(name='first', epochs=1, trainable=['a']),
          dict(name='second', epochs=1, trainable=['b'], weight_decay=0.0,
               lr=0.2, lr_shape='constant')]


def test_phase_values_keep_group_ratios_and_unset_ones_come_back():
    net = Net(PHASES)
    # Group 2 as paramwise_cfg makes it: lr_mult 0.1, decay_mult 0.
    optimizer = torch.optim.SGD(
        [{'params': net.a.parameters()},
         {'params': net.b.parameters(), 'lr': 0.01, 'weight_decay': 0.0}],
        lr=0.1, momentum=0.9, weight_decay=1e-3)
    groups = PhaseParamGroups(optimizer, managed_settings(net.phases))
    assert groups.managed == ('lr', 'weight_decay')
    optimizer.param_groups[0]['lr'] = 123.0  # as a resumed checkpoint would
    groups.apply(net.phases[1].optim, step=3, steps=4, epoch_length=4)
    assert [(g['lr'], g['weight_decay'], g['momentum'])
            for g in optimizer.param_groups] == [
                (0.2, 0.0, 0.9), (pytest.approx(0.2 * 0.1), 0.0, 0.9)]
    # Phase 1 sets nothing: the optimizer's values, on a cosine (the
    # managed LR of a phase without settings) from them to 0.
    groups.apply(net.phases[0].optim, step=0, steps=4, epoch_length=4)
    assert [(g['lr'], g['weight_decay']) for g in optimizer.param_groups] \
        == [(0.1, 1e-3), (0.01, 0.0)]


def test_momentum_without_momentum_is_refused():
    net = Net([dict(PHASES[0], momentum=0.5)])
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
    with pytest.raises(ConfigError, match=r'a phase sets momentum, but the '
                       r'optimizer \(Adam\) has no momentum'):
        PhaseParamGroups(optimizer, managed_settings(net.phases))


@pytest.mark.parametrize('phase,decay', [(0, 0.1), (1, 0.0)])
def test_one_step_by_hand_with_the_phase_weight_decay(phase, decay):
    """SGD's first step: p -= lr * (grad + wd * p) (the momentum buffer
    starts as that sum); the frozen part is untouched and has no grad."""
    torch.manual_seed(0)
    net = Net(PHASES)
    net.set_phase(phase)
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9,
                                weight_decay=0.1)
    groups = PhaseParamGroups(optimizer, managed_settings(net.phases))
    groups.apply(net.phase.optim, step=0, steps=4, epoch_length=4)
    lr = optimizer.param_groups[0]['lr']
    assert (lr, optimizer.param_groups[0]['weight_decay']) == (
        (0.1, 0.1) if phase == 0 else (0.2, 0.0))
    trained, frozen = (net.a, net.b) if phase == 0 else (net.b, net.a)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net(torch.randn(2, 3, 8, 8)).backward()
    grads = {n: p.grad.clone() for n, p in trained.named_parameters()}
    optimizer.step()
    for name, param in trained.named_parameters():
        old = before[('a.' if phase == 0 else 'b.') + name]
        expected = old - lr * (grads[name] + decay * old)
        assert torch.allclose(param, expected, rtol=0, atol=1e-7), name
    assert all(p.grad is None for p in frozen.parameters())
    prefix = 'b.' if phase == 0 else 'a.'  # weights and BN statistics
    assert all(torch.equal(v, before[k]) for k, v in net.state_dict().items()
               if k.startswith(prefix))


def test_phase_optim_is_frozen_data():
    phase = Phase.from_config(PHASES[1])
    assert phase.optim == PhaseOptim(lr=0.2, lr_shape='constant',
                                     weight_decay=0.0)
