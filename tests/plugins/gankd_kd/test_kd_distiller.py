"""KDDistiller: the loss is what Hinton's formula gives, the teacher runs
once per step, and the method trains and tests through the generic tools."""
import json
import os

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from gankd.registry import MODELS
from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_kd.py'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def build(**kwargs):
    cfg = Config.fromfile(os.path.join(REPO, CONFIG)).model.to_dict()
    cfg.pop('_delete_', None)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_loss_is_hintons_formula_computed_by_hand(tiny_teacher_ckpt):
    model = build(teacher_ckpt=tiny_teacher_ckpt,
                  distill_loss=dict(type='KLDivergenceLoss', tau=2.0,
                                    loss_weight=0.7),
                  student_loss_weight=0.3)
    torch.manual_seed(0)
    inputs = torch.randn(4, 3, 32, 32)
    labels = torch.tensor([0, 3, 9, 3])
    samples = [DataSample().set_gt_label(int(y)) for y in labels]
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        s = model.student(inputs, mode='tensor')
        t = model.teacher(inputs, mode='tensor')
    p_t = F.softmax(t / 2, dim=1)
    kl = (p_t * (p_t.log() - F.log_softmax(s / 2, dim=1))).sum(1).mean()
    torch.testing.assert_close(losses['distill.loss_kd'], 0.7 * 4 * kl)
    torch.testing.assert_close(losses['student.loss_ce'],
                               0.3 * F.cross_entropy(s, labels))


def test_one_teacher_forward_per_step_and_teacher_unchanged(
        tiny_teacher_ckpt):
    model = build(teacher_ckpt=tiny_teacher_ckpt)
    calls = []
    model.teacher.backbone.register_forward_hook(
        lambda m, i, o: calls.append(torch.is_inference_mode_enabled()))
    before = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    model.train()
    data = dict(inputs=[torch.randint(0, 256, (3, 32, 32)).float()
                        for _ in range(4)],
                data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train_step(data, wrapper)
    assert calls == [True]
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_train_then_test_through_the_tools(tmp_path, run_tool,
                                           tiny_teacher_ckpt):
    work = str(tmp_path / 'kd')
    run_tool(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options',
              f'model.teacher_ckpt={tiny_teacher_ckpt}'])
    out = str(tmp_path / 'metrics.json')
    run_tool(['tools/test.py', CONFIG, os.path.join(work, 'epoch_2.pth'),
              '--work-dir', work, '--out', out, '--cfg-options',
              f'model.teacher_ckpt={tiny_teacher_ckpt}'])
    assert 0 <= json.load(open(out))['accuracy/top1'] <= 100
    # Through the Runner (which calls init_weights), the teacher is still
    # exactly the file's, and the student trained.
    teacher = torch.load(tiny_teacher_ckpt, weights_only=True)['state_dict']
    trained = load_training_checkpoint(os.path.join(work, 'epoch_2.pth'))
    first = load_training_checkpoint(os.path.join(work, 'epoch_1.pth'))
    for key, value in teacher.items():
        assert torch.equal(trained['state_dict']['teacher.' + key], value)
    assert not torch.equal(first['state_dict']['student.head.fc.weight'],
                           trained['state_dict']['student.head.fc.weight'])
