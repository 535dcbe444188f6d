"""Sample grids of a GAN's generator during training."""
import io
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from gankd.registry import HOOKS
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['GANSampleGridHook']


@HOOKS.register_module()
class GANSampleGridHook(Hook):
    """Writes ``work_dir/<out_dir>/iter_XXXXXX.png``: a grid of images from
    fixed seeds, so grids of a run (and of runs) are comparable.

    Written before training (``iter_000000``, the initial generator), every
    ``interval`` iterations and when training ends, on the main process
    only. Images come from the model's EMA generator (``generator_ema.module``)
    or, with ``use_ema=False`` or no EMA, its ``generator``: in eval mode and
    inference mode, the generator's train/eval state restored afterwards.
    Image ``i`` is drawn from ``z`` seeded with ``seed + i`` (see
    :func:`gankd.models.gans.sampling.generate_images`). Files are written
    atomically (temp file + rename).

    Args:
        interval (int): iterations between grids.
        num_samples (int): images in the grid.
        nrow (int, optional): images per row; default about square.
        seed (int): seed of the first image.
        truncation_psi (float, optional): truncation (None: none).
        noise_mode (str): ``'const'`` keeps noise fixed between grids.
        use_ema (bool): sample the EMA generator when the model has one.
        before_train (bool): also write the grid of the initial generator.
        after_train (bool): also write the final grid.
        out_dir (str): folder under the work dir.
        add_to_visualizer (bool): also give the grid to the runner's
            visualizer (e.g. for TensorBoard backends) as ``gan_samples``.
        batch_size (int): images generated per forward.
    """

    priority = 'LOW'  # after the logger: the step (and its EMA update) is done

    def __init__(self,
                 interval: int = 1000,
                 num_samples: int = 64,
                 nrow: Optional[int] = None,
                 seed: int = 0,
                 truncation_psi: Optional[float] = None,
                 noise_mode: str = 'const',
                 use_ema: bool = True,
                 before_train: bool = True,
                 after_train: bool = True,
                 out_dir: str = 'vis',
                 add_to_visualizer: bool = False,
                 batch_size: int = 64) -> None:
        if interval < 1 or num_samples < 1:
            raise ValueError('GANSampleGridHook: interval and num_samples '
                             f'must be >= 1, got {interval}, {num_samples}')
        self.interval, self.num_samples = interval, num_samples
        self.nrow = nrow or max(1, round(num_samples**0.5))
        self.seed, self.truncation_psi = seed, truncation_psi
        self.noise_mode, self.use_ema = noise_mode, use_ema
        self.at_start, self.at_end = before_train, after_train
        self.out_dir, self.add_to_visualizer = out_dir, add_to_visualizer
        self.batch_size = batch_size
        self._last_step = None

    def before_train(self, runner) -> None:
        self._generator(runner)  # fail before training, not at the 1st grid
        if self.at_start:
            self.write_grid(runner, runner.iter)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self.write_grid(runner, runner.iter + 1)

    def after_train(self, runner) -> None:
        if self.at_end and self._last_step != runner.iter:
            self.write_grid(runner, runner.iter)

    def _generator(self, runner):
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if self.use_ema and hasattr(model, 'generator_ema'):
            return model.generator_ema.module
        generator = getattr(model, 'generator', None)
        if generator is None:
            raise TypeError(f'GANSampleGridHook needs a model with a '
                            f'generator; {type(model).__name__} has none.')
        return generator.module if is_model_wrapper(generator) else generator

    @master_only
    def write_grid(self, runner, step: int) -> str:
        """Generate and write the grid for iteration ``step``; returns the
        file path."""
        from PIL import Image
        from torchvision.utils import make_grid

        from gankd.models.gans.sampling import generate_images
        images = generate_images(
            self._generator(runner),
            [self.seed + i for i in range(self.num_samples)],
            truncation_psi=self.truncation_psi, noise_mode=self.noise_mode,
            batch_size=self.batch_size)
        grid = make_grid(images.float().cpu(), nrow=self.nrow,
                         normalize=True, value_range=(-1, 1))
        # [3, H, W] in [0, 1] -> uint8 RGB, rounded as torchvision saves.
        pixels = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(
            torch.uint8).numpy()
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format='PNG')
        path = osp.join(runner.work_dir, self.out_dir, f'iter_{step:06d}.png')
        atomic_write_bytes(buffer.getvalue(), path)
        if self.add_to_visualizer:
            runner.visualizer.add_image('gan_samples', pixels, step=step)
        runner.logger.info(f'sample grid written to {path}')
        self._last_step = step
        return path
