"""StageByStageDistiller: what trains and what is frozen in each phase, one
loss at a time, no lambda, early-stopped forwards, and resume mid-phase."""
import os
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from gankd.registry import MODELS
from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_sskd.py'
SYNTH = ('configs/sskd/'
         'sskd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def model_cfg(**kwargs):
    cfg = Config.fromfile(os.path.join(REPO, CONFIG)).model.to_dict()
    cfg.pop('_delete_', None)
    cfg.update(kwargs)
    return cfg


def batch(n=4):
    torch.manual_seed(0)
    return dict(inputs=[torch.randint(0, 256, (3, 32, 32)).float()
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(i) for i in range(n)])


def test_phases_of_the_three_modes():
    model = MODELS.build(model_cfg())
    assert [(p.name, p.losses) for p in model.phases] == [
        ('stage1', ('stage1', )), ('stage2', ('stage2', )),
        ('stage3', ('stage3', )), ('head', ('ce', ))]
    assert model.phases[1].trainable == ('student.backbone.layer2',
                                         'connectors.stage2')
    two = MODELS.build(model_cfg(mode='two_phase', stage_epochs=3))
    assert [p.name for p in two.phases] == ['backbone', 'head']
    joint = MODELS.build(model_cfg(mode='joint', joint_lambda=10.0))
    assert joint.phases[0].losses == ('stage1', 'stage2', 'stage3', 'ce')


def test_lambda_belongs_to_joint_mode_only():
    with pytest.raises(ValueError, match="mode 'sskd' has no loss weight"):
        MODELS.build(model_cfg(joint_lambda=1.0))
    with pytest.raises(ValueError, match='needs joint_lambda'):
        MODELS.build(model_cfg(mode='joint'))


def test_stage_two_step_changes_stage_two_only():
    model = MODELS.build(model_cfg())
    model.init_weights()
    model.set_phase(1)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    wrapper = OptimWrapper(torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4))
    losses = model.train_step(batch(), wrapper)
    assert {k for k in losses if 'loss' in k} == {
        'loss', 'distill.stage2.loss_mimic'}
    changed = {k.split('.')[0] + '.' + k.split('.')[2]
               for k, v in model.state_dict().items()
               if not torch.equal(v, before[k]) and k.startswith('student')}
    changed |= {'connectors.' + k.split('.')[1]
                for k, v in model.state_dict().items()
                if not torch.equal(v, before[k]) and k.startswith('connect')}
    assert changed == {'student.layer2', 'connectors.stage2'}
    for key in before:
        if key.startswith(('teacher', 'student.backbone.layer1',
                           'student.backbone.bn1', 'student.head')):
            assert torch.equal(model.state_dict()[key], before[key]), key
    assert model.student.backbone.layer3[0].conv1.weight.grad is None


def test_phase_a_forwards_stop_at_the_active_stage():
    model = MODELS.build(model_cfg())
    model.set_phase(0)
    ran = []
    for net in ('student', 'teacher'):
        getattr(model, net).backbone.layer2.register_forward_hook(
            lambda *a, net=net: ran.append(net))
    model.loss(torch.randn(2, 3, 32, 32), None)
    assert ran == []


def test_student_stage_input_is_the_students_own_feature():
    model = MODELS.build(model_cfg())
    model.set_phase(1)
    seen = []
    model.student.backbone.layer2.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].detach().clone()))
    inputs = torch.randn(2, 3, 32, 32)
    model.loss(inputs, None)
    with torch.no_grad():  # changing the teacher's stage 1 ...
        model.teacher.backbone.layer1[0].conv1.weight.mul_(-3)
    model.loss(inputs, None)
    assert torch.equal(seen[0], seen[1])  # ... does not reach student stage 2


def test_missing_connector_fails_naming_the_stage():
    cfg = model_cfg()
    cfg['stages'][1]['connector'] = None
    model = MODELS.build(cfg)
    model.set_phase(1)
    with pytest.raises(ValueError, match=r'stage2: student backbone.layer2 '
                       r'gives \[2, 8, 16, 16\] but teacher gives '
                       r'\[2, 16, 16, 16\].*ConvBNConnector'):
        model.loss(torch.randn(2, 3, 32, 32), None)


def test_stage_loss_falls_while_its_stage_trains():
    model = MODELS.build(model_cfg())
    model.set_phase(0)
    model.train()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05,
                                           momentum=0.9))
    data = batch(16)
    first = model.train_step(data, wrapper)['distill.stage1.loss_mimic']
    for _ in range(30):
        last = model.train_step(data, wrapper)['distill.stage1.loss_mimic']
    assert last < 0.5 * first


def test_resumed_in_stage_two_ends_like_an_unbroken_run(
        tmp_path, run_tool, tiny_teacher_ckpt):
    opts = ['--cfg-options', f'model.teacher_ckpt={tiny_teacher_ckpt}']
    unbroken = str(tmp_path / 'unbroken')
    run_tool(['tools/train.py', CONFIG, '--work-dir', unbroken, *opts])
    # A run stopped after stage 1 (epoch 1) resumes into stage 2.
    broken = tmp_path / 'broken'
    broken.mkdir()
    shutil.copy(os.path.join(unbroken, 'epoch_1.pth'), broken)
    (broken / 'last_checkpoint').write_text(str(broken / 'epoch_1.pth'))
    broken = str(broken)
    result = run_tool(['tools/train.py', CONFIG, '--work-dir', broken,
                       '--resume', *opts])
    log = result.stdout + result.stderr
    assert 'resumed epoch: 1' in log and 'phase 2/4 "stage2"' in log
    expected = load_training_checkpoint(
        os.path.join(unbroken, 'epoch_4.pth'))['state_dict']
    actual = load_training_checkpoint(
        os.path.join(broken, 'epoch_4.pth'))['state_dict']
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key


def test_phases_must_cover_max_epochs(tmp_path, run_tool):
    result = run_tool(['tools/train.py', CONFIG, '--work-dir',
                       str(tmp_path), '--cfg-options',
                       'train_cfg.max_epochs=5'], check=False)
    assert result.returncode != 0
    assert 'phases cover 4 epochs' in result.stdout + result.stderr


def test_head_phase_soft_targets_are_the_kd_formula():
    """head_distill_loss adds tau^2 * KL(teacher || student) at tau on the
    teacher's logits in the head phase, and head_ce_weight scales CE."""
    import torch.nn.functional as F
    model = MODELS.build(model_cfg(
        head_distill_loss=dict(type='KLDivergenceLoss', tau=4.0,
                               loss_weight=0.9), head_ce_weight=0.1))
    model.set_phase(len(model.phases) - 1)  # head
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    model.eval()  # the frozen backbone was in eval mode already
    with torch.no_grad():
        student = model.student(data['inputs'], mode='tensor')
        teacher = model.teacher(data['inputs'], mode='tensor')
    labels = torch.arange(4)
    kl = F.kl_div(F.log_softmax(student / 4, 1), F.softmax(teacher / 4, 1),
                  reduction='batchmean') * 16
    torch.testing.assert_close(losses['distill.loss_kd'], 0.9 * kl)
    torch.testing.assert_close(losses['student.loss_ce'],
                               0.1 * F.cross_entropy(student, labels))
    # Mimic phases are unchanged: no teacher logits, no KD term.
    model.set_phase(0)
    assert 'distill.loss_kd' not in model.loss(data['inputs'],
                                               data['data_samples'])


def _phase_lrs(cfg, length):
    """The LR of every iteration of ``cfg``'s phases, as PhaseScheduleHook
    sets it, for ``length`` iterations per epoch."""
    from gankd.engine.phase_param_groups import (PhaseParamGroups,
                                                 managed_settings)
    model = MODELS.build(dict(cfg.model.to_dict(), teacher_ckpt=None))
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    groups = PhaseParamGroups(optimizer, managed_settings(model.phases))
    lrs = []
    for phase in model.phases:
        for step in range(phase.epochs * length):
            groups.apply(phase.optim, step, phase.epochs * length, length)
            lrs.append(optimizer.param_groups[0]['lr'])
    return lrs


def test_synthshapes_phase_settings_shape_the_lr():
    """The SynthShapes config's settings, by hand (10 iterations per
    epoch): each mimic phase (40 iterations) follows a cosine from 2.5 to
    1e-4 times a warm-up factor rising from 0.1 at t = 0 to 1 at t = 9; the
    head phase (30 iterations) a cosine from 0.5, no warm-up."""
    import math

    from gankd.config import load_config
    cfg = load_config(os.path.join(REPO, SYNTH))
    assert cfg.param_scheduler == []
    lrs = _phase_lrs(cfg, 10)
    assert len(lrs) == 150

    def cosine(peak, t, T):
        return 1e-4 + (peak - 1e-4) * (1 + math.cos(math.pi * t / T)) / 2

    for start in (0, 40, 80):  # stages 1-3: 4 epochs each
        assert lrs[start] == pytest.approx(0.1 * 2.5)
        assert lrs[start + 9] == pytest.approx(cosine(2.5, 9, 40))
        assert lrs[start + 20] == pytest.approx(cosine(2.5, 20, 40))
    assert lrs[120] == pytest.approx(0.5)  # head: 3 epochs
    assert lrs[135] == pytest.approx(cosine(0.5, 15, 30))


def test_phase_settings_reproduce_cosine_restarts():
    """Per-phase settings with one LR for all phases give, iteration by
    iteration, the LR of mmengine's CosineRestartLR (periods 4, 4, 4, 3
    epochs, eta_min 1e-4, restarting at 0.05: the config's former
    schedule)."""
    from mmengine.optim.scheduler import CosineRestartLR

    from gankd.config import load_config
    cfg = load_config(os.path.join(REPO, SYNTH))
    cfg.model.phase_optim = dict(lr=0.05, eta_min=1e-4)
    length = 157  # iterations per epoch: 10,000 images, batch 64
    new = _phase_lrs(cfg, length)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    scheduler = CosineRestartLR.build_iter_from_epoch(
        optimizer, periods=[4, 4, 4, 3], restart_weights=[1, 1, 1, 1],
        eta_min=1e-4, epoch_length=length)
    old = []
    for _ in range(cfg.train_cfg.max_epochs * length):
        old.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        scheduler.step()
    assert new == pytest.approx(old, rel=1e-12, abs=0)
