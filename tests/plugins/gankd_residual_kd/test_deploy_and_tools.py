"""The deployable S + A classifier rebuilds from its config alone (also in a
fresh process through mmpretrain), both schedules train and test through
the generic tools, configs are checked and keep their LR per phase."""
import json
import os
import textwrap

import pytest
import torch
from mmengine.config import Config
from mmengine.optim.scheduler import CosineRestartLR, LinearLR

from gankd.apis.config import prepare_config
from gankd.config import ConfigError, load_config
from gankd.engine.phase_param_groups import PhaseParamGroups, managed_settings
from gankd.models.distillers import Phase
from gankd.models.distillers.phase_optim import resolve_phase_optim
from gankd.utils.checkpoint import load_training_checkpoint
from gankd_residual_kd.schedules import residual_kd_phases

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
CONFIG = 'tests/data/configs/tiny_residual_kd.py'
SYNTH = ('configs/residual_kd/'
         'residual-kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py')


def types(cfg):
    if isinstance(cfg, dict):
        found = [cfg['type']] if isinstance(cfg.get('type'), str) else []
        return found + [t for k, v in cfg.items() if k != 'init_cfg'
                        for t in types(v)]
    if isinstance(cfg, (list, tuple)):
        return [t for v in cfg for t in types(v)]
    return []


def trained_model(build_rkd):
    model = build_rkd(zero_init_assistant=False)  # a non-zero assistant
    model.init_weights()
    model.train()
    with torch.no_grad():  # move the BN statistics off their defaults
        model.student(torch.randn(8, 3, 32, 32), mode='tensor')
    return model.eval()


def test_deployable_config_rebuilds_in_mmpretrain(build_rkd, images):
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    model = trained_model(build_rkd)
    cfg = model.deployable_config()
    assert cfg['type'] == 'mmpretrain.ImageClassifier'
    assert cfg['backbone']['type'] == 'gankd.StudentAssistantBackbone'
    assert all('.' in t for t in types(cfg)), types(cfg)
    rebuilt = MMPRETRAIN_MODELS.build(cfg)
    rebuilt.load_state_dict(model.deployable().state_dict())
    rebuilt.eval()
    with torch.no_grad():
        assert torch.equal(rebuilt(images, mode='tensor'),
                           model(images, mode='tensor'))


def test_exported_files_load_in_a_fresh_process(build_rkd, images, tmp_path,
                                                run_tool):
    model = trained_model(build_rkd)
    config = str(tmp_path / 'deploy.py')
    Config(dict(model=model.deployable_config(),
                custom_imports=dict(imports=['gankd_residual_kd']))
           ).dump(config)
    torch.save(model.deployable().state_dict(), str(tmp_path / 'w.pth'))
    with torch.no_grad():
        torch.save({'x': images, 'y': model(images, mode='tensor')},
                   str(tmp_path / 'io.pth'))
    script = textwrap.dedent(f"""
        import torch
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        from mmengine.utils import import_modules_from_strings
        cfg = Config.fromfile({config!r})
        import_modules_from_strings(**cfg.custom_imports)
        from mmpretrain.registry import MODELS
        init_default_scope('mmpretrain')
        model = MODELS.build(cfg.model).eval()
        model.load_state_dict(torch.load({str(tmp_path / 'w.pth')!r},
                                         weights_only=True))
        io = torch.load({str(tmp_path / 'io.pth')!r}, weights_only=True)
        with torch.no_grad():
            assert torch.equal(model(io['x'], mode='tensor'), io['y'])
        print('identical')
    """)
    result = run_tool(['-c', script])
    assert 'identical' in result.stdout


def _log(work):
    """Every log under ``work`` (train and test runs), concatenated."""
    return ''.join(open(os.path.join(root, f)).read()
                   for root, _, files in os.walk(work)
                   for f in sorted(files) if f.endswith('.log'))


def _changed(first, second, prefix):
    keys = [k for k in first['state_dict'] if k.startswith(prefix)]
    assert keys, prefix
    return any(not torch.equal(first['state_dict'][k], second['state_dict'][k])
               for k in keys)


def test_progressive_trains_and_tests_through_the_tools(
        tmp_path, run_tool, tiny_teacher_ckpt):
    work = str(tmp_path / 'progressive')
    option = f'model.teacher_ckpt={tiny_teacher_ckpt}'
    run_tool(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options',
              option])
    out = str(tmp_path / 'metrics.json')
    run_tool(['tools/test.py', CONFIG, os.path.join(work, 'epoch_3.pth'),
              '--work-dir', work, '--out', out, '--cfg-options', option])
    assert 0 <= json.load(open(out))['accuracy/top1'] <= 100
    ckpt = [load_training_checkpoint(os.path.join(work, f'epoch_{i}.pth'))
            for i in (1, 2, 3)]
    s, a = 'student.backbone.student.', 'student.backbone.assistant.'
    head = 'student.head.'
    # Epoch 1 trains S only, 2 A only, 3 the head only (Runner, SGD with
    # momentum and weight decay): frozen parts are bit-identical.
    assert not _changed(ckpt[0], ckpt[2], s)
    assert _changed(ckpt[0], ckpt[1], a) and not _changed(ckpt[1], ckpt[2], a)
    assert not _changed(ckpt[0], ckpt[1], head)
    assert _changed(ckpt[1], ckpt[2], head)
    teacher = torch.load(tiny_teacher_ckpt, weights_only=True)['state_dict']
    for key, value in teacher.items():
        assert torch.equal(ckpt[2]['state_dict']['teacher.' + key], value)
    log = _log(work)
    assert 'residual.explained' in log and 'distill.loss_residual' in log
    for i, phase in enumerate(('student', 'assistant', 'head'), 1):
        assert f'phase {i}/3 "{phase}" (epochs {i}-{i})' in log


def test_end2end_trains_everything_at_once(tmp_path, run_tool,
                                           tiny_teacher_ckpt):
    config = tmp_path / 'end2end.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = [{os.path.join(REPO, CONFIG)!r}]
        model = dict(schedule='end2end',
                     phase_epochs=dict(_delete_=True, end2end=2))
        train_cfg = dict(max_epochs=2, val_interval=2)
        param_scheduler = dict(_delete_=True, type='CosineAnnealingLR',
                               by_epoch=True, T_max=2)
    """))
    work = str(tmp_path / 'end2end')
    run_tool(['tools/train.py', str(config), '--work-dir', work,
              '--cfg-options', f'model.teacher_ckpt={tiny_teacher_ckpt}'])
    first = load_training_checkpoint(os.path.join(work, 'epoch_1.pth'))
    second = load_training_checkpoint(os.path.join(work, 'epoch_2.pth'))
    for prefix in ('student.backbone.student.', 'student.backbone.assistant.',
                   'student.head.'):
        assert _changed(first, second, prefix), prefix
    log = _log(work)
    line = next(ln for ln in log.splitlines() if 'Epoch(train) [2]' in ln)
    for key in ('distill.loss_mimic', 'distill.loss_residual',
                'student.loss_cls', 'residual.explained'):
        assert key in line, key


@pytest.mark.parametrize('change,match', [
    (dict(custom_hooks=[]), "add custom_hooks=\\[dict\\(type='PhaseSchedule"),
    (dict(train_cfg=dict(max_epochs=4)), 'sum to 3 but train_cfg.max_epochs'),
])
def test_config_check_stops_a_run_that_would_not_switch_phases(change, match):
    cfg = load_config(os.path.join(REPO, CONFIG))
    cfg.merge_from_dict(change)
    with pytest.raises(ConfigError, match=match):
        prepare_config(cfg, 'train')


def previous_schedule():
    """The SynthShapes config's param_scheduler before per-phase settings:
    a CosineRestartLR per phase, plus a 1-epoch LinearLR warm-up for S and
    A."""
    def phase(begin, end, warmup):
        return [dict(type=CosineRestartLR, periods=[end - begin],
                     restart_weights=[1.0], eta_min=1e-4, begin=begin,
                     end=end)] + ([dict(type=LinearLR, start_factor=0.1,
                                        begin=begin, end=begin + 1)]
                                  if warmup else [])
    return phase(0, 6, True) + phase(6, 12, True) + phase(12, 15, False)


def _synthshapes_phases(lr):
    cfg = load_config(os.path.join(REPO, SYNTH))
    assert cfg.param_scheduler == []
    phase_optim = dict(cfg.model.phase_optim, lr=lr)
    return cfg, [Phase.from_config(p) for p in resolve_phase_optim(
        residual_kd_phases('progressive', dict(cfg.model.phase_epochs), True),
        phase_optim)]


def test_synthshapes_phase_settings_start_each_phase():
    """The config's peaks (student 1.0, assistant 2.5, head 1.0), S and A
    starting their warm-up at 0.1 x the peak."""
    cfg = load_config(os.path.join(REPO, SYNTH))
    _, phases = _synthshapes_phases(cfg.model.phase_optim.lr)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    groups = PhaseParamGroups(optimizer, managed_settings(phases))
    starts = []
    for phase in phases:
        groups.apply(phase.optim, 0, phase.epochs * 10, 10)
        starts.append(optimizer.param_groups[0]['lr'])
    assert starts == pytest.approx([0.1, 0.25, 1.0])


def test_phase_settings_reproduce_the_previous_schedulers():
    """With the config's former peak (0.05 in every phase) the per-phase
    settings give the LR its schedulers gave (one cosine per phase from
    0.05 to 1e-4, S and A warmed up from x0.1), up to mmengine's chained
    warm-up also scaling eta_min: 9.2e-5 relative at most."""
    cfg, phases = _synthshapes_phases(0.05)
    length = 157  # iterations per epoch: 10,000 images, batch 64
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    groups = PhaseParamGroups(optimizer, managed_settings(phases))
    new = []
    for phase in phases:
        for step in range(phase.epochs * length):
            groups.apply(phase.optim, step, phase.epochs * length, length)
            new.append(optimizer.param_groups[0]['lr'])

    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = [item.pop('type').build_iter_from_epoch(
        optimizer, epoch_length=length, **item)
        for item in previous_schedule()]
    old = []
    for _ in range(cfg.train_cfg.max_epochs * length):
        old.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    assert new == pytest.approx(old, rel=1e-4, abs=0)
    starts = [0, 6 * length, 12 * length]
    assert [new[i] for i in starts] == pytest.approx([0.005, 0.005, 0.05])
