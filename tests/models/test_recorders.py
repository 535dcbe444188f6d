"""ModuleOutputsRecorder and RecorderManager: what is recorded, when, and
that no hook outlives a context."""
import pytest
import torch
from torch import nn

from gankd.models.recorders import ModuleOutputsRecorder, RecorderManager
from gankd.registry import TASK_UTILS


class TinyNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential()
        self.backbone.add_module('layer1', nn.Conv2d(3, 4, 3, padding=1))
        self.backbone.add_module('layer2', nn.Conv2d(4, 6, 3, stride=2))
        self.head = nn.Linear(6, 2)

    def forward(self, x):
        return self.head(self.backbone(x).mean(dim=(2, 3)))


@pytest.fixture
def model():
    torch.manual_seed(0)
    return TinyNet()


def _num_hooks(model):
    return sum(len(m._forward_hooks) for m in model.modules())


def test_records_exactly_the_named_output(model):
    x = torch.randn(2, 3, 8, 8)
    recorder = ModuleOutputsRecorder(source='backbone.layer2')
    recorder.prepare(model)
    with recorder:
        model(x)
    expected = model.backbone.layer2(model.backbone.layer1(x))
    torch.testing.assert_close(recorder.get_record_data(), expected)
    # Not detached: a student loss can backprop through it.
    assert recorder.get_record_data().requires_grad


def test_keeps_last_call_or_all(model):
    xs = [torch.randn(1, 3, 8, 8) for _ in range(2)]
    last = ModuleOutputsRecorder('backbone.layer1')
    every = ModuleOutputsRecorder('backbone.layer1', record_all=True)
    last.prepare(model)
    every.prepare(model)
    with last, every:
        for x in xs:
            model(x)
    expected = [model.backbone.layer1(x) for x in xs]
    torch.testing.assert_close(last.get_record_data(), expected[1])
    torch.testing.assert_close(every.get_record_data(), expected)
    torch.testing.assert_close(every.get_record_data(0), expected[0])


def test_wrong_path_lists_close_matches(model):
    recorder = ModuleOutputsRecorder(source='backbone.layr2')
    with pytest.raises(ValueError, match='backbone.layer2') as info:
        recorder.prepare(model)
    assert 'TinyNet' in str(info.value)


def test_hooks_removed_after_exit_and_exception(model):
    recorder = ModuleOutputsRecorder('backbone.layer2')
    recorder.prepare(model)
    with recorder:
        assert len(model.backbone.layer2._forward_hooks) == 1
        model(torch.randn(1, 3, 8, 8))
    assert _num_hooks(model) == 0
    with pytest.raises(RuntimeError, match='boom'):
        with recorder:
            raise RuntimeError('boom')
    assert _num_hooks(model) == 0 and not recorder.recording


def test_nothing_recorded_outside_context(model):
    recorder = ModuleOutputsRecorder('backbone.layer2')
    recorder.prepare(model)
    model(torch.randn(1, 3, 8, 8))
    with pytest.raises(RuntimeError, match='nothing recorded'):
        recorder.get_record_data()
    x = torch.randn(1, 3, 8, 8)
    with recorder:
        model(x)
    inside = recorder.get_record_data()
    model(torch.randn(1, 3, 8, 8))  # after exit: must not overwrite
    assert recorder.get_record_data() is inside
    with recorder:  # a new context starts empty
        pass
    with pytest.raises(RuntimeError):
        recorder.get_record_data()


def test_unprepared_and_nested_use_raise(model):
    recorder = ModuleOutputsRecorder('head')
    with pytest.raises(RuntimeError, match='prepare'):
        with recorder:
            pass
    recorder.prepare(model)
    with recorder:
        with pytest.raises(RuntimeError, match='already'):
            recorder.__enter__()
    assert _num_hooks(model) == 0


def test_manager_records_builds_and_cleans_up(model):
    manager = RecorderManager(dict(
        feat=dict(type='ModuleOutputsRecorder', source='backbone.layer2'),
        logits=ModuleOutputsRecorder('head')))
    manager.prepare(model)
    x = torch.randn(2, 3, 8, 8)
    with manager:
        out = model(x)
        assert _num_hooks(model) == 2
    assert _num_hooks(model) == 0
    torch.testing.assert_close(manager.get('logits'), out)
    torch.testing.assert_close(
        manager.get('feat'), model.backbone.layer2(model.backbone.layer1(x)))
    assert manager.get_recorder('feat').source == 'backbone.layer2'
    with pytest.raises(KeyError, match='feat, logits'):
        manager.get('missing')
    with pytest.raises(RuntimeError, match='boom'):
        with manager:
            raise RuntimeError('boom')
    assert _num_hooks(model) == 0


def test_manager_prepare_names_recorder(model):
    manager = RecorderManager(dict(bad=ModuleOutputsRecorder('backbone.x')))
    with pytest.raises(ValueError, match="recorder 'bad'"):
        manager.prepare(model)


def test_manager_partial_enter_leaves_no_hook(model):
    ok = ModuleOutputsRecorder('head')
    ok.prepare(model)
    manager = RecorderManager(dict(ok=ok, unprepared=ModuleOutputsRecorder(
        'backbone.layer1')))
    with pytest.raises(RuntimeError, match='prepare'):
        with manager:
            pass
    assert _num_hooks(model) == 0
    assert manager._stack is None


def test_recorder_builds_from_task_utils():
    recorder = TASK_UTILS.build(dict(type='gankd.ModuleOutputsRecorder',
                                     source='a.b', record_all=True))
    assert isinstance(recorder, ModuleOutputsRecorder) and recorder.record_all


def test_record_stops_after_the_last_needed_layer(model):
    manager = RecorderManager(dict(
        first=dict(type='ModuleOutputsRecorder', source='backbone.layer1'),
        second=dict(type='ModuleOutputsRecorder', source='backbone.layer2')))
    manager.prepare(model)
    ran = []
    model.head.register_forward_hook(lambda *a: ran.append('head'))
    x = torch.randn(2, 3, 8, 8)
    out = manager.record(lambda: model(x), ['first'], stop_early=True)
    assert list(out) == ['first'] and ran == []
    torch.testing.assert_close(out['first'], model.backbone.layer1(x))
    manager.record(lambda: model(x), stop_early=False)
    assert ran == ['head'] and _num_hooks(model) == 1  # only the test's hook
