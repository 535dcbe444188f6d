"""ResidualKDDistiller: fusion by addition, zero-start assistant, losses as
the formulas give them, stop-gradient, phase freezing, early errors."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from gankd.kinds import BaseAssistant

LABELS = torch.tensor([0, 3, 9, 3])


def samples():
    return [DataSample().set_gt_label(int(y)) for y in LABELS]


def batch():
    torch.manual_seed(2)
    return dict(inputs=[torch.randint(0, 256, (3, 32, 32)).float()
                        for _ in LABELS], data_samples=samples())


def state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class OracleAssistant(BaseAssistant):
    """Returns exactly the residual F_T - F_S (teacher's last stage minus
    the connected student feature)."""

    def __init__(self, teacher_feature, student_feature):
        super().__init__()
        self.residual = lambda x: teacher_feature(x) - student_feature(x)

    def forward(self, x):
        return self.residual(x)


def test_oracle_assistant_and_teacher_head_give_teacher_logits(
        build_rkd, images):
    model = build_rkd(teacher_layer='backbone', head_init='teacher')
    model.init_weights()  # the Runner's path: the copy must survive it
    model.eval()
    backbone = model.student.backbone
    backbone.assistant = OracleAssistant(
        lambda x: model.teacher.backbone(x)[-1], backbone.forward_student)
    with torch.no_grad():
        expected = model.teacher(images, mode='tensor')
        logits = model(images, mode='tensor')
        model.predict_mode = 'student_only'
        alone = model(images, mode='tensor')
    # F_S + (F_T - F_S) is F_T up to float rounding.
    torch.testing.assert_close(logits, expected, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(alone, expected, atol=1e-3)


def test_zero_assistant_makes_combined_equal_student_only(build_rkd, images):
    model = build_rkd()
    model.init_weights()
    backbone = model.student.backbone
    model.train()
    with torch.no_grad():
        fused, = backbone(images)
        student = backbone.forward_student(images)
    assert fused.shape == (4, 32, 8, 8)  # C_T x h x w of teacher layer3
    assert torch.equal(fused, student)
    model.eval()
    with torch.no_grad():
        combined = model(images, mode='tensor')
        model.predict_mode = 'student_only'
        alone = model(images, mode='tensor')
    assert torch.equal(combined, alone)
    # Not true by construction: a random assistant changes the output.
    other = build_rkd(zero_init_assistant=False)
    other.init_weights()
    other.eval()
    with torch.no_grad():
        combined = other(images, mode='tensor')
        other.predict_mode = 'student_only'
        assert not torch.allclose(combined, other(images, mode='tensor'))


def test_losses_and_diagnostics_are_the_formulas(build_rkd, images):
    model = build_rkd(schedule='end2end', phase_epochs=dict(end2end=3),
                      zero_init_assistant=False, cls_loss_weight=0.5,
                      mimic_loss=dict(type='FeatureMSELoss', loss_weight=2.0))
    model.train()
    losses = model.loss(images, samples())
    backbone = model.student.backbone
    with torch.no_grad():
        f_t = model.teacher.backbone(images)[-1]  # layer3, [4, 32, 8, 8]
        f_s = backbone.forward_student(images)
        f_a = backbone.forward_assistant(images)
        logits = model.student.head(model.student.neck((f_s + f_a, )))
    before = (f_t - f_s).pow(2).mean()
    after = (f_t - f_s - f_a).pow(2).mean()
    torch.testing.assert_close(losses['distill.loss_mimic'], 2 * before)
    torch.testing.assert_close(losses['distill.loss_residual'], after)
    torch.testing.assert_close(losses['student.loss_cls'],
                               0.5 * F.cross_entropy(logits, LABELS))
    torch.testing.assert_close(losses['residual.mse_t_s'], before)
    torch.testing.assert_close(losses['residual.mse_t_s_a'], after)
    torch.testing.assert_close(losses['residual.explained'],
                               1 - after / before)
    diagnostics = [k for k in losses if k.startswith('residual.')]
    assert all('loss' not in k and not losses[k].requires_grad
               for k in diagnostics)


@pytest.mark.parametrize('stop_grad', [True, False])
def test_residual_loss_never_reaches_the_student(build_rkd, images,
                                                 stop_grad):
    model = build_rkd(schedule='end2end', phase_epochs=dict(end2end=3),
                      zero_init_assistant=False,
                      stop_grad_student_in_residual=stop_grad)
    model.train()
    model.loss(images, samples())['distill.loss_residual'].backward()
    backbone = model.student.backbone
    student_grads = [p.grad for p in backbone.student_parameters()]
    assistant_grads = [p.grad for p in backbone.assistant.parameters()]
    assert all(g is not None and g.abs().sum() > 0 for g in assistant_grads)
    if stop_grad:
        assert all(g is None or not g.any() for g in student_grads)
    else:  # the option does something: L_A then pulls S
        assert any(g is not None and g.abs().sum() > 0 for g in student_grads)
    assert all(p.grad is None for p in model.teacher.parameters())


def test_one_teacher_forward_per_step_cut_at_the_layer(build_rkd):
    model = build_rkd(schedule='end2end', phase_epochs=dict(end2end=3))
    calls = {'layer3': [], 'head': 0}
    model.teacher.backbone.layer3.register_forward_hook(
        lambda *_: calls['layer3'].append(torch.is_inference_mode_enabled()))
    model.teacher.head.register_forward_hook(
        lambda *_: calls.__setitem__('head', calls['head'] + 1))
    before = state(model.teacher)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1,
                                           momentum=0.9, weight_decay=0.1))
    model.train()
    log = model.train_step(batch(), wrapper)
    assert calls == {'layer3': [True], 'head': 0}
    assert {'distill.loss_mimic', 'distill.loss_residual', 'student.loss_cls',
            'residual.explained'} <= set(log)
    model.train_step(batch(), wrapper)
    assert same(state(model.teacher), before)


def test_phases_freeze_student_then_assistant_bit_identically(build_rkd):
    model = build_rkd()
    backbone = model.student.backbone
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1,
                                           momentum=0.9, weight_decay=0.1))
    teacher_calls = []
    model.teacher.backbone.register_forward_hook(
        lambda *_: teacher_calls.append(1))

    def run_phase(index, steps=2):
        model.set_phase(index)
        model.train()
        logs = [model.train_step(batch(), wrapper) for _ in range(steps)]
        return set(logs[-1])

    def student():  # weights and BN running statistics of S + connector
        return {**state(backbone.student),
                **state(backbone.student_connector)}

    keys = run_phase(0)
    assert keys == {'loss', 'distill.loss_mimic', 'residual.mse_t_s'}
    after_s, head0 = student(), state(model.student.head)
    assistant0 = state(backbone.assistant)

    keys = run_phase(1)
    assert 'distill.loss_residual' in keys and 'residual.explained' in keys
    assert same(student(), after_s)
    assert not same(state(backbone.assistant), assistant0)
    assert same(state(model.student.head), head0)
    after_a = state(backbone.assistant)

    teacher_calls.clear()
    keys = run_phase(2)
    assert keys == {'loss', 'student.loss_cls'}
    assert teacher_calls == []  # no feature loss: no teacher forward
    assert same(student(), after_s)
    assert same(state(backbone.assistant), after_a)
    assert not same(state(model.student.head), head0)


def test_missing_connector_fails_when_built_naming_the_layer(build_rkd):
    with pytest.raises(ValueError, match=r"student_connector=None.*16 "
                       r"channels.*'backbone.layer3' has 32"):
        build_rkd(student_connector=None)
    with pytest.raises(ValueError, match=r"assistant_connector=None.*8 "
                       r"channels.*'backbone.layer3' has 32"):
        build_rkd(assistant_connector=None)
    with pytest.raises(ValueError,
                       match=r"8x8.*'backbone.layer2' is 16x16"):
        build_rkd(teacher_layer='backbone.layer2')


@pytest.mark.parametrize('overrides,match', [
    (dict(schedule='joint'), r"schedule='joint'"),
    (dict(phase_epochs=dict(student=1, head=1)), r'phase_epochs=.*assistant'),
    (dict(predict_mode='teacher'), r"predict_mode='teacher'"),
    (dict(separation=dict(width_student=0.5)), r'exactly one of assistant'),
])
def test_bad_arguments_name_the_field(build_rkd, overrides, match):
    with pytest.raises(ValueError, match=match):
        build_rkd(**overrides)


def test_unit_residual_target_measures_the_scale_once(build_rkd, images):
    """residual_target='unit': the first step that trains A sets A's
    output_scale to the residual's RMS; L_A = MSE(a, R / sigma) with
    F_A = sigma * a; the scale is kept (and saved) afterwards."""
    model = build_rkd(zero_init_assistant=False, residual_target='unit')
    model.init_weights()
    model.set_phase(1)  # assistant
    model.train()
    backbone = model.student.backbone
    assert not bool(model.residual_scale_set)
    assert float(backbone.assistant.output_scale) == 1.0
    with torch.no_grad():
        feat_t = model.teacher.backbone(images)[-1]
        feat_s = backbone.forward_student(images)
    sigma = (feat_t - feat_s).pow(2).mean().sqrt()
    losses = model.loss(images, samples())
    assert bool(model.residual_scale_set)
    torch.testing.assert_close(backbone.assistant.output_scale, sigma)
    with torch.no_grad():
        feat_a = backbone.forward_assistant(images)  # sigma * a
        expected = F.mse_loss(feat_a / sigma, (feat_t - feat_s) / sigma)
    torch.testing.assert_close(losses['distill.loss_residual'], expected)
    # Not re-measured on later steps, and part of the saved state.
    with torch.no_grad():
        backbone.assistant.output_scale.fill_(0.5)
    model.loss(images, samples())
    assert float(backbone.assistant.output_scale) == 0.5
    assert 'student.backbone.assistant.output_scale' in model.state_dict()
    assert 'residual_scale_set' in model.state_dict()


def test_bn_neck_is_folded_into_the_exported_head(build_rkd, images):
    model = build_rkd(neck=dict(type='PooledBatchNormNeck'))
    model.init_weights()
    assert model.student_cfg['neck'] == dict(
        type='gankd.PooledBatchNormNeck', in_channels=32)
    model.train()
    with torch.no_grad():
        model(images * 3, mode='tensor')  # move the running statistics
    model.eval()
    net, cfg = model.export()
    assert cfg['neck'] == dict(type='mmpretrain.GlobalAveragePooling')
    with torch.no_grad():
        torch.testing.assert_close(net(images, mode='tensor'),
                                   model(images, mode='tensor'),
                                   atol=1e-5, rtol=1e-5)


def test_head_phase_soft_targets_are_the_kd_formula(build_rkd, images):
    model = build_rkd(head_distill_loss=dict(type='KLDivergenceLoss',
                                             tau=2.0, loss_weight=0.5))
    model.set_phase(2)  # head
    model.train()
    losses = model.loss(images, samples())
    model.eval()
    with torch.no_grad():
        logits = model(images, mode='tensor')
        teacher = model.teacher(images, mode='tensor')
    kl = F.kl_div(F.log_softmax(logits / 2, 1), F.softmax(teacher / 2, 1),
                  reduction='batchmean') * 4
    torch.testing.assert_close(losses['distill.loss_kd'], 0.5 * kl)
    assert set(losses) == {'student.loss_cls', 'distill.loss_kd'}
