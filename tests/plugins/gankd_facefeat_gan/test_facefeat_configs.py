"""The FaceFeat-GAN configs describe the spec's schedule (section 2.3):
stage 1 -> 2a -> 2b chained by load_from, the 128x128 configs at the
spec's batch and iterations. (tests/test_configs.py builds every one of
them, the 128x128 ones at full size, with random frozen parts.)"""
import os

import pytest
from mmengine.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def load(name):
    return Config.fromfile(os.path.join(REPO, 'configs/facefeat_gan', name))


@pytest.mark.parametrize('suffix,iters', [
    ('1xb32_synthfaces32', (2000, 2000, 2000)),
    ('8xb8_celeba128', (50000, 100000, 100000))])
def test_stage_chain(suffix, iters):
    stages = [load(f'facefeat-gan-stage{s}_{suffix}.py')
              for s in ('1', '2a', '2b')]
    assert [c.model.stage for c in stages] == \
        ['features', 'render_real', 'render_mixed']
    assert tuple(c.train_cfg.max_iters for c in stages) == iters
    # each stage starts from the previous stage's last checkpoint
    for prev, name, cfg in (('1', '2a', stages[1]), ('2a', '2b', stages[2])):
        previous = stages[('1', '2a').index(prev)]
        assert cfg.load_from == (
            f'work_dirs/facefeat-gan-stage{prev}_{suffix}/'
            f'iter_{previous.train_cfg.max_iters}.pth'), name


def test_paper_resolution_settings():
    cfg = load('facefeat-gan-stage1_8xb8_celeba128.py')
    g = cfg.model.generator
    assert g.renderer.decoder.resolution == 128
    assert cfg.model.discriminator.image.resolution == 128
    assert g.identity_encoder.input_size == 128
    assert cfg.train_dataloader.batch_size * 8 == 64  # spec batch 64
    assert cfg.train_dataloader.dataset.identity_file  # identity labels
    assert g.feature_generator.z_dim == 64


def test_ablations_differ_from_the_full_model_only_where_named():
    full = load('facefeat-gan-stage2b_1xb32_synthfaces32.py')
    no_id = load('facefeat-gan-stage2b-no-id_1xb32_synthfaces32.py')
    assert full.model.lambda_id == 1.0 and no_id.model.lambda_id == 0.0
    assert 'no-id' in no_id.load_from
    single = load('facefeat-gan-single-stage_1xb32_synthfaces32.py')
    assert single.model.stage == 'single_stage'
    assert single.model.generator.feature_source == 'noise'
    assert single.load_from is None
    assert single.train_cfg.max_iters == 4000  # stages 2a + 2b
    # the evaluator is another architecture and seed than E_id
    e_id = load('identity-resnet18-w16_1xb128_synthfaces32.py')
    e_eval = load('identity-eval-wrn16-2_1xb128_synthfaces32.py')
    assert e_id.model.backbone.type != e_eval.model.backbone.type
    assert e_id.randomness.seed != e_eval.randomness.seed
