"""The wrapper config of a model trained in phases, and the union of its
phases' parameters that DDP registers (the 2-process runs are in
test_dist_train.py)."""
import pytest
from torch import nn

from gankd.engine.phased_ddp import is_phased, phased_wrapper_cfg
from gankd.errors import ConfigError
from gankd.models.distillers import TrainingPhasesMixin


class Net(TrainingPhasesMixin, nn.Module):

    def __init__(self, phases):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(2, 2), nn.Linear(2, 2), \
            nn.BatchNorm1d(2)
        self.init_phases(phases)


PHASES = [dict(name='first', epochs=1, trainable=['a']),
          dict(name='second', epochs=1, trainable=['b'])]


def trainable(net):
    return [n for n, p in net.named_parameters() if p.requires_grad]


def test_all_phases_trainable_then_the_current_phase_again():
    net = Net(PHASES)
    net.set_phase(1)
    net.train()
    with net.all_phases_trainable():
        # what DDP registers: both phases, never a part no phase trains
        assert trainable(net) == ['a.weight', 'a.bias', 'b.weight', 'b.bias']
    assert trainable(net) == ['b.weight', 'b.bias']
    assert not net.a.training and not net.c.training and net.b.training
    assert is_phased(net) and not is_phased(Net(PHASES[:1]))
    assert not is_phased(nn.Linear(2, 2))


def test_wrapper_config_finds_unused_parameters():
    assert phased_wrapper_cfg(None) == dict(
        type='MMDistributedDataParallel', find_unused_parameters=True,
        broadcast_buffers=False)
    given = dict(device_ids=None, broadcast_buffers=True)
    assert phased_wrapper_cfg(given) == dict(
        given, type='MMDistributedDataParallel', find_unused_parameters=True)
    assert 'find_unused_parameters' not in given  # not changed in place


@pytest.mark.parametrize('cfg,match', [
    (dict(find_unused_parameters=False),
     'model_wrapper_cfg.find_unused_parameters: must be True'),
    (dict(type='MMFullyShardedDataParallel'),
     "model_wrapper_cfg.type: 'MMFullyShardedDataParallel' is not a "
     'DistributedDataParallel'),
])
def test_wrapper_configs_that_cannot_work_are_refused(cfg, match):
    with pytest.raises(ConfigError, match=match):
        phased_wrapper_cfg(cfg)
