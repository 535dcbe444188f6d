"""GANSampleGridHook: seeded grids of the EMA generator, written atomically
at the start, every interval and at the end."""
import logging
import os
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.model import ExponentialMovingAverage
from PIL import Image
from torch import nn

from gankd.engine.hooks import GANSampleGridHook
from gankd.kinds import BaseGenerator


class ColourGenerator(BaseGenerator):
    """image = tanh(z[:3] * gain + bias) as a flat colour, 4x4."""

    def __init__(self):
        super().__init__()
        self.z_dim, self.resolution = 3, 4
        self.gain = nn.Parameter(torch.ones(()))
        self.bias = nn.Parameter(torch.zeros(3))
        self.calls = []

    def forward(self, z, truncation_psi=None, truncation_layers=None,
                noise_mode='const'):
        self.calls.append((self.training, torch.is_inference_mode_enabled(),
                           noise_mode))
        colour = torch.tanh(z * self.gain + self.bias)
        return dict(image=colour[:, :, None, None].expand(-1, -1, 4, 4))


class GAN(nn.Module):

    def __init__(self):
        super().__init__()
        self.generator = ColourGenerator()
        self.generator_ema = ExponentialMovingAverage(self.generator)


def make_runner(tmp_path, iteration=0):
    return SimpleNamespace(model=GAN(), work_dir=str(tmp_path),
                           iter=iteration, logger=logging.getLogger('test'),
                           visualizer=None)


def test_writes_seeded_grids_at_start_interval_and_end(tmp_path):
    runner = make_runner(tmp_path)
    hook = GANSampleGridHook(interval=2, num_samples=6, nrow=3, seed=5)
    runner.model.train()
    hook.before_train(runner)
    for iteration in range(5):
        runner.iter = iteration
        hook.after_train_iter(runner, iteration)
    runner.iter = 5
    hook.after_train(runner)
    names = sorted(os.listdir(tmp_path / 'vis'))
    assert names == ['iter_000000.png', 'iter_000002.png', 'iter_000004.png',
                     'iter_000005.png']  # no temp files left behind
    # The EMA generator ran in eval and inference mode, then went back.
    ema = runner.model.generator_ema.module
    assert ema.calls and all(c == (False, True, 'const') for c in ema.calls)
    assert runner.model.generator.calls == []
    assert ema.training
    # Pixels: image i is the colour of z seeded with 5 + i, in a 3x2 grid
    # with torchvision's 2-pixel padding.
    grid = np.asarray(Image.open(tmp_path / 'vis' / 'iter_000004.png'))
    assert grid.shape == (2 + 2 * 6, 2 + 3 * 6, 3)
    for i in range(6):
        z = torch.randn(3, generator=torch.Generator().manual_seed(5 + i))
        expected = ((torch.tanh(z) + 1) / 2 * 255 + 0.5).clamp(0, 255).to(
            torch.uint8).numpy()
        row, col = divmod(i, 3)
        pixel = grid[2 + row * 6 + 1, 2 + col * 6 + 1]
        np.testing.assert_array_equal(pixel, expected)


def test_end_grid_not_repeated_and_visualizer(tmp_path):
    added = []
    runner = make_runner(tmp_path)
    runner.visualizer = SimpleNamespace(
        add_image=lambda name, image, step: added.append((name, step,
                                                          image.shape)))
    hook = GANSampleGridHook(interval=3, num_samples=4, before_train=False,
                             add_to_visualizer=True, use_ema=False)
    hook.before_train(runner)
    runner.iter = 2
    hook.after_train_iter(runner, 2)
    runner.iter = 3
    hook.after_train(runner)  # the grid of iteration 3 exists already
    assert sorted(os.listdir(tmp_path / 'vis')) == ['iter_000003.png']
    assert added == [('gan_samples', 3, (2 + 2 * 6, 2 + 2 * 6, 3))]
    assert runner.model.generator.calls  # use_ema=False


def test_model_without_generator_fails_before_training(tmp_path):
    runner = make_runner(tmp_path)
    runner.model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match='needs a model with a generator'):
        GANSampleGridHook().before_train(runner)
