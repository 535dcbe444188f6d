"""Evaluation of a GAN model: seeded fakes from the EMA generator."""
from typing import List, Optional, Sequence

from torch import Tensor

from gankd.models.gans.sampling import generate_images

__all__ = ['GANSamplingMixin']


class GANSamplingMixin:
    """``sample_images`` and mmengine's ``forward`` modes for a GAN model
    with ``generator_ema`` (an mmengine EMA around the generator),
    ``plain_generator``, ``val_seed``, ``val_noise_mode`` and
    ``val_truncation_psi``.

    For each real image the EMA generator draws a fake from ``z`` seeded
    with ``val_seed + sample_idx``: an image depends on its dataset index
    only, not on the batch, the number of processes or the global RNG.
    """

    def sample_images(self, seeds: Sequence[int], use_ema: bool = True,
                      truncation_psi: Optional[float] = None,
                      noise_mode: Optional[str] = None) -> Tensor:
        """Images ``[len(seeds), 3, H, W]`` in ``[-1, 1]``, one per seed
        (see :func:`~gankd.models.gans.sampling.generate_images`)."""
        generator = self.generator_ema.module if use_ema \
            else self.plain_generator
        return generate_images(
            generator, list(seeds),
            truncation_psi=truncation_psi if truncation_psi is not None
            else self.val_truncation_psi,
            noise_mode=noise_mode or self.val_noise_mode)

    def _val_seeds(self, inputs: Tensor, data_samples) -> List[int]:
        if data_samples is None:
            return [self.val_seed + i for i in range(inputs.shape[0])]
        indices = [sample.get('sample_idx') for sample in data_samples]
        if any(index is None for index in indices):
            raise KeyError(
                'UnconditionalGAN evaluation seeds each fake with its real '
                "image's sample_idx, but a data sample has none: keep "
                "'sample_idx' in the PackInputs meta_keys.")
        return [self.val_seed + int(index) for index in indices]

    def forward(self, inputs: Tensor, data_samples=None,
                mode: str = 'tensor'):
        """``'predict'``: data samples with ``fake_img``/``real_img``;
        ``'tensor'``: the fakes ``[N, 3, H, W]``. Training goes through
        :meth:`train_step` (there is no single loss to return)."""
        if mode == 'loss':
            raise NotImplementedError(
                'UnconditionalGAN trains through train_step (one optimizer '
                "per network); mode='loss' is not available.")
        fakes = self.sample_images(self._val_seeds(inputs, data_samples))
        if mode == 'tensor':
            return fakes
        if mode != 'predict':
            raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', "
                             f"got '{mode}'")
        if data_samples is None:
            from mmpretrain.structures import DataSample
            data_samples = [DataSample() for _ in range(inputs.shape[0])]
        for sample, fake, real in zip(data_samples, fakes, inputs):
            sample.set_field(fake, 'fake_img')
            sample.set_field(real, 'real_img')
        return data_samples
