"""LatentEncoderTrainer on tiny random generators: seeded targets, the
mean-code start, gradients only to the encoder, a falling loss; the seed
dataset; ReconstructionPSNR; and a Runner run of the real config whose
checkpoint build_frozen_encoder loads."""
import glob
import os

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper

from gankd.datasets import LatentSeedDataset
from gankd.evaluation.reconstruction_psnr import ReconstructionPSNR
from gankd.models.inverters.encoder_trainer import LatentEncoderTrainer
from gankd.models.inverters.latent_encoder import (LatentEncoderError,
                                                   build_frozen_encoder)
from gankd.registry import MODELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
STYLEGAN2 = dict(type='StyleGAN2Generator', resolution=16, z_space_dim=16,
                 w_space_dim=12, mapping_layers=2, mapping_fmaps=20,
                 fmaps_base=512, fmaps_max=16)
PGGAN = dict(type='PGGANGenerator', resolution=16, z_space_dim=16,
             fmaps_base=64, fmaps_max=16)
ENCODER = dict(type='LatentEncoder', resolution=16, channels=8,
               max_channels=32)
KINDS = {
    'wp': (STYLEGAN2, dict(ENCODER, space='wp', code_dim=12, num_layers=6)),
    'z': (PGGAN, dict(ENCODER, space='z', code_dim=16)),
}


def make(space='wp', seed=0, **kwargs):
    generator, encoder = KINDS[space]
    torch.manual_seed(seed)
    generator = MODELS.build(generator)
    if space == 'wp':  # a non-zero w_avg, as a trained generator has
        generator.truncation.w_avg.normal_()
    return LatentEncoderTrainer(generator, encoder, **kwargs)


def test_targets_depend_on_the_seed_only():
    trainer = make('wp')
    codes = trainer.target_codes([5, 3, 9])
    assert torch.equal(trainer.target_codes([9, 5])[1], codes[0])
    z = torch.randn(16, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(codes[1], trainer.generator.mapping(z[None])['wp']
                          [0])
    # psi 0: every seed is the mean code, w_avg on each layer
    zero = make('wp', truncation_psi=0.0)
    w_avg = zero.generator.truncation.w_avg
    assert torch.allclose(zero.target_codes([1, 2]),
                          w_avg.expand(2, 6, 12), atol=1e-6)
    z_codes = make('z').target_codes([3])
    assert torch.equal(z_codes[0], z)


@pytest.mark.parametrize('space', ['wp', 'z'])
def test_starts_at_the_mean_code(space):
    trainer = make(space)
    mean = trainer.encoder.code_mean
    if space == 'wp':
        w_avg = trainer.generator.truncation.w_avg
        assert torch.equal(mean, w_avg.expand(6, 12))
    else:
        assert torch.equal(mean, torch.zeros(16))
    images = torch.rand(2, 3, 16, 16) * 2 - 1
    assert torch.equal(trainer(images), mean.expand(2, *mean.shape))


def test_gradients_reach_the_encoder_only_through_both_terms():
    trainer = make('wp', code_weight=0.0)  # image term alone
    before = {k: v.clone() for k, v in trainer.generator.state_dict().items()}
    losses = trainer.loss([0, 1, 2])
    assert set(losses) == {'loss_code', 'loss_image'}
    sum(losses.values()).backward()
    assert all(p.grad is None for p in trainer.generator.parameters())
    # the image term reaches the encoder through G(E(x)): the (zero) head
    # first, and every layer once the head is non-zero
    assert all(p.grad.abs().sum() > 0 for p in trainer.encoder.head
               .parameters())
    with torch.no_grad():
        trainer.encoder.head.weight.normal_()
    trainer.encoder.zero_grad()
    sum(trainer.loss([0, 1, 2]).values()).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in trainer.encoder.parameters())
    after = trainer.generator.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    # pixel_weight 0 and no perceptual term: no render of E(x) at all
    assert set(make('wp', pixel_weight=0.0).loss([0])) == {'loss_code'}


@pytest.mark.parametrize('space', ['wp', 'z'])
def test_twenty_steps_reduce_the_loss(space):
    trainer = make(space).train()
    optim = OptimWrapper(torch.optim.Adam(trainer.encoder.parameters(),
                                          lr=1e-2))
    seeds = list(range(8))

    def total():
        with torch.no_grad():
            return float(sum(trainer.loss(seeds).values()))

    start = total()
    for _ in range(20):
        trainer.train_step(dict(seed=seeds, sample_idx=seeds), optim)
    assert total() < 0.75 * start


def test_encoder_must_fit_the_generator():
    generator = MODELS.build(STYLEGAN2)
    with pytest.raises(LatentEncoderError, match=r'give \(16, 12, 6\)'):
        LatentEncoderTrainer(generator, dict(KINDS['wp'][1], num_layers=5))
    with pytest.raises(LatentEncoderError, match="space 'wp'"):
        LatentEncoderTrainer(MODELS.build(PGGAN),
                             dict(KINDS['wp'][1], code_dim=16))
    with pytest.raises(LatentEncoderError, match='truncation_psi'):
        make('z', truncation_psi=0.7)


def test_seed_dataset():
    dataset = LatentSeedDataset(5, offset=100)
    assert len(dataset) == 5 and dataset.metainfo == {}
    assert dataset[3] == dict(seed=103, sample_idx=3)
    assert dataset[-1] == dict(seed=104, sample_idx=4)
    with pytest.raises(IndexError):
        dataset[5]
    with pytest.raises(ValueError, match='num_samples >= 1'):
        LatentSeedDataset(0)


def test_predict_and_psnr_metric():
    trainer = make('wp')
    images = torch.rand(3, 3, 16, 16) * 2 - 1
    samples = trainer.predict(images)
    recon = trainer.generator.synthesize(
        trainer.encoder(images), 'wp').clamp(-1, 1)
    assert torch.allclose(samples[1].pred_img, recon[1], atol=1e-6)
    assert torch.equal(samples[1].gt_img, images[1])

    # hand-computed: two flat images 10 grey levels apart (MSE 100), and
    # one off by 20 on half of the pixels (MSE 200)
    flat = torch.full((3, 4, 4), 100 / 127.5 - 1)
    off = flat.clone()
    off[:, :2, :] = 120 / 127.5 - 1
    metric = ReconstructionPSNR()
    metric.process(None, [dict(pred_img=flat + 10 / 127.5, gt_img=flat),
                          dict(pred_img=off, gt_img=flat)])
    result = metric.compute_metrics(metric.results)
    expected = [10 * np.log10(255**2 / 100), 10 * np.log10(255**2 / 200)]
    assert np.allclose(metric.results, expected, atol=1e-6)
    assert result == pytest.approx(dict(mean=np.mean(expected),
                                        min=min(expected)))


def test_config_trains_with_the_runner_and_loads(tmp_path, run_tool):
    config = tmp_path / 'tiny_encoder.py'
    base = os.path.join(REPO, 'configs', 'inversion',
                        'encoder_stylegan2-c64_synthfaces32.py')
    config.write_text(
        f'_base_ = [{base!r}]\n'
        f"model = dict(generator=dict(_delete_=True, **{STYLEGAN2!r}),\n"
        f"             encoder={dict(KINDS['wp'][1], type='LatentEncoder')!r})"
        '\ntrain_dataloader = dict(batch_size=4)\n'
        'val_dataloader = dict(batch_size=4, dataset=dict(num_samples=8, '
        'img_size=16))\n'
        'test_dataloader = val_dataloader\n'
        'train_cfg = dict(max_iters=3, val_interval=3)\n'
        'default_hooks = dict(checkpoint=dict(interval=3))\n')
    work_dir = tmp_path / 'work'
    result = run_tool(['tools/train.py', str(config), '--work-dir',
                       str(work_dir)])
    log = result.stdout + result.stderr
    assert 'psnr/mean:' in log, log[-2000:]
    dumped, = glob.glob(str(work_dir / '*.py'))
    encoder = build_frozen_encoder(dict(config=dumped, checkpoint=str(
        work_dir / 'iter_3.pth')))
    assert encoder.code_shape == (6, 12)
    # trained for 3 steps: no longer the zero head
    assert encoder.head.weight.abs().sum() > 0


@pytest.mark.parametrize('name', ['stylegan2', 'pggan'])
def test_real_configs_fit_their_generators(name):
    """The encoder dims of the shipped configs fit the generators they
    name (random weights: the trained checkpoints are the lead's runs)."""
    from gankd.config import load_config
    from gankd.utils.frozen_generator import build_config_generator
    cfg = load_config(os.path.join(
        REPO, 'configs', 'inversion',
        f'encoder_{name}-c64_synthfaces32.py')).model.to_dict()
    generator = build_config_generator(load_config(os.path.join(
        REPO, cfg['generator']['config'])))
    args = {k: v for k, v in cfg.items() if k != 'type'}
    trainer = LatentEncoderTrainer(**dict(args, generator=generator))
    losses = trainer.loss([0, 1])
    assert set(losses) == {'loss_code', 'loss_image'}
    assert all(torch.isfinite(v) for v in losses.values())
