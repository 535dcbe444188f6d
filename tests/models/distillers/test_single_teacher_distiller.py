"""SingleTeacherDistiller: the teacher is loaded safely, frozen, run once in
inference mode only as far as needed; its features can enter losses."""
import os

import pytest
import torch
from mmengine.config import Config

from gankd.models.distillers import SingleTeacherDistiller
from gankd.utils.checkpoint import CheckpointError

CFG = Config.fromfile(os.path.join(os.path.dirname(__file__), '..', '..',
                                   'data', 'configs', 'tiny_kd.py'))


def build(**kwargs):
    args = dict(student=CFG.student.to_dict(), teacher=CFG.teacher.to_dict(),
                data_preprocessor=CFG.model.data_preprocessor.to_dict())
    args.update(kwargs)
    return SingleTeacherDistiller(**args)


def test_teacher_is_loaded_frozen_and_survives_init_weights(
        tiny_teacher_ckpt):
    model = build(teacher_ckpt=tiny_teacher_ckpt)
    saved = torch.load(tiny_teacher_ckpt, weights_only=True)['state_dict']
    model.init_weights()  # what the Runner does after building
    model.train()
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key
    assert not model.teacher.training and model.student.training
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())


def test_teacher_checkpoint_errors_name_the_file(tmp_path, tiny_teacher_ckpt):
    with pytest.raises(CheckpointError, match='not found.*teacher_ckpt'):
        build(teacher_ckpt=str(tmp_path / 'nope.pth'))
    state = torch.load(tiny_teacher_ckpt, weights_only=True)['state_dict']
    state.pop('head.fc.bias')
    state['extra'] = torch.zeros(1)
    bad = str(tmp_path / 'bad.pth')
    torch.save(state, bad)
    with pytest.raises(CheckpointError,
                       match=r"bad.pth: does not fit the teacher config "
                       r"\(missing 1 key: head.fc.bias; unexpected 1 key: "
                       r"extra\)"):
        build(teacher_ckpt=bad)


def test_recorder_paths_are_checked_when_built():
    with pytest.raises(ValueError, match="'backbone.layer4'.*backbone.layer"):
        build(teacher_recorders=dict(
            f=dict(type='ModuleOutputsRecorder', source='backbone.layer4')))


def test_teacher_runs_only_up_to_the_recorded_layer():
    model = build(teacher_recorders=dict(
        f1=dict(type='ModuleOutputsRecorder', source='backbone.layer1')))
    calls = []
    for name in ('layer1', 'layer2', 'layer3'):
        getattr(model.teacher.backbone, name).register_forward_hook(
            lambda *a, name=name: calls.append(name))
    inputs = torch.randn(2, 3, 32, 32)
    feats = model.teacher_features(inputs)
    assert calls == ['layer1']
    with torch.no_grad():
        expected = model.teacher.backbone.layer1(model.teacher.backbone.relu(
            model.teacher.backbone.bn1(model.teacher.backbone.conv1(inputs))))
    torch.testing.assert_close(feats['f1'], expected)
    # A clone made outside inference mode: a loss can save it for backward.
    assert not feats['f1'].is_inference()
    student = torch.randn_like(feats['f1'], requires_grad=True)
    torch.nn.functional.mse_loss(student, feats['f1']).backward()
    assert student.grad is not None


def test_teacher_trained_by_the_runner_loads(tmp_path, tiny_teacher_ckpt):
    """A Runner checkpoint also holds the runner state: gankd's runner
    writes it as plain data, which the plain weights-only loader reads;
    plain mmengine's (Python objects) is refused, saying what to do."""
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer

    from gankd.engine.runner_state import to_plain
    state = torch.load(tiny_teacher_ckpt, weights_only=True)
    buffer = HistoryBuffer()
    buffer.update(np.float64(1.5))
    path = str(tmp_path / 'epoch_3.pth')
    torch.save(dict(state, message_hub=to_plain(
        dict(log_scalars={'train/loss': buffer}))), path)
    model = build(teacher_ckpt=path)
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, state['state_dict'][key]), key
    torch.save(dict(state, message_hub=dict(
        log_scalars={'train/loss': buffer})), path)
    with pytest.raises(CheckpointError, match='docs/safety.md'):
        build(teacher_ckpt=path)
