"""TrainingPhasesMixin and PhaseScheduleHook: what trains in which phase."""
import pytest
import torch
from torch import nn

from gankd.models.distillers import Phase, TrainingPhasesMixin


class Net(TrainingPhasesMixin, nn.Module):

    def __init__(self, phases):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.b = nn.Sequential(nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4))
        self.init_phases(phases)

    def forward(self, x):
        return self.b(self.a(x)).mean()


PHASES = [dict(name='first', epochs=2, trainable=['a']),
          dict(name='second', epochs=3, trainable=['b.0'])]


def test_phase_of_each_epoch():
    net = Net(PHASES)
    assert [net.phase_index_at(e) for e in range(7)] == [0, 0, 1, 1, 1, 1, 1]
    assert net.total_epochs == 5 and net.phase_start_epoch(1) == 2


def test_only_the_phase_parts_train_and_frozen_bn_keeps_its_stats():
    net = Net(PHASES)
    net.set_phase(1)
    net.train()
    assert [n for n, p in net.named_parameters() if p.requires_grad] == [
        'b.0.weight', 'b.0.bias']
    assert not net.a.training and not net.b[1].training and net.b[0].training
    before = {k: v.clone() for k, v in net.state_dict().items()}
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9,
                                weight_decay=0.1)
    net(torch.randn(4, 3, 8, 8)).backward()
    optimizer.step()
    changed = {k for k, v in net.state_dict().items()
               if not torch.equal(v, before[k])}
    assert changed == {'b.0.weight', 'b.0.bias'}
    assert net.a[0].weight.grad is None  # no graph was built for it


def test_bad_phases_fail_when_built():
    with pytest.raises(ValueError, match="'a.2' is not a submodule.*a.0"):
        Net([dict(name='x', epochs=1, trainable=['a.2'])])
    with pytest.raises(ValueError, match='epochs must be > 0'):
        Phase.from_config(dict(name='x', epochs=0, trainable=['a']))
    with pytest.raises(ValueError, match='unknown keys'):
        Phase.from_config(dict(name='x', epochs=1, trainble=['a']))
