"""Both ENTED stages through tools/train.py (tiny 16x16 configs): stage A
alone, and stage B from a stage-A checkpoint (written here from the
stage-A config's model, so each test runs one tool)."""
import torch
from mmengine.config import Config

from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import load_training_checkpoint

STAGE_A = 'tests/data/configs/tiny_ented_stage_a.py'
STAGE_B = 'tests/data/configs/tiny_ented_stage_b.py'


def test_stage_a_trains_and_validates(tmp_path, run_tool):
    result = run_tool(['tools/train.py', STAGE_A, '--work-dir',
                       str(tmp_path)])
    log = result.stdout + result.stderr
    for key in ('gen.loss_l1', 'gen.loss_vq', 'image/psnr', 'image/ssim'):
        assert key in log, (key, log[-2000:])
    assert 'gen.loss_attn' not in log  # no reference in stage A
    state = load_training_checkpoint(str(tmp_path / 'iter_3.pth'))
    assert int(state['state_dict']['iteration']) == 3


def test_stage_b_trains_from_stage_a_with_the_adversarial_loss(
        tmp_path, run_tool):
    torch.manual_seed(7)
    stage_a = MODELS.build(scope_config_types(
        Config.fromfile(STAGE_A).model.to_dict()))
    ckpt_a = str(tmp_path / 'stage_a.pth')
    torch.save(dict(state_dict=stage_a.state_dict(), meta={}), ckpt_a)
    work = tmp_path / 'b'
    result = run_tool([
        'tools/train.py', STAGE_B, '--work-dir', str(work),
        '--cfg-options', f'model.init_from.checkpoint={ckpt_a}'])
    log = result.stdout + result.stderr
    for key in ('gen.loss_attn', 'gen.loss_adv', 'gen.loss_vq',
                'disc.loss_real', 'disc.loss_r1', 'image/psnr'):
        assert key in log, (key, log[-2000:])
    state = load_training_checkpoint(str(work / 'iter_3.pth'))['state_dict']
    # the frozen dictionary is stage A's, exactly
    key = 'generator.quantizer.codebook'
    assert torch.equal(state[key], stage_a.state_dict()[key])
    # the LQ encoder started from stage A's and was trained on
    key = 'generator.lq_encoder.layers.0.conv.weight'
    assert not torch.equal(state[key], stage_a.state_dict()[key])
