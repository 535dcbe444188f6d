"""mGANprior's inverter: N codes composed at one layer of a frozen
generator with adaptive channel importance (spec §2)."""
from typing import Dict, Optional, Sequence, Union

import torch
from torch import Tensor, nn

from gankd.kinds import BaseInverter
from gankd.models.degradations import IdentityDegradation
from gankd.models.inverters import optimize_codes
from gankd.registry import MODELS
from gankd.utils.frozen_generator import build_frozen_generator
from gankd_mganprior.code_init import (Z_INITS, MultiCodeError, initial_codes,
                                       is_style_based, resolve_layer)

__all__ = ['MultiCodeInverter']

FUSES = ('mean', 'sum')


class MultiCodeInverter(BaseInverter):
    """Multi-code GAN prior inversion (Gu et al., CVPR 2020).

    ``G = G2 ∘ G1`` split after ``layer``. Image b's N codes give feature
    maps ``F_bn = G1(code_bn)`` ``[C, h, w]``, fused with per-code,
    per-channel weights ``alpha`` ``[B, N, C]``:
    ``fuse='sum'``: ``sum_n F_bn * alpha_bn`` (paper form), ``'mean'``: the
    same divided by N (the official code's form). The image is
    ``G2(fused)``. All B * N codes run through G1 as one batch.

    z generators (PGGAN): codes ``[B, N, z_dim]``, G2 needs no codes.
    Style-based generators (spec §2.6, proposed): codes ``[B, N, L, w_dim]``
    in wp; G1 reads each code's own rows (the rows of the layers up to
    ``layer``; later rows are stored but unused), G2 reads one optimised
    ``shared`` ``[B, L, w_dim]`` per image, initialised from the average w
    (its rows up to ``layer`` are unused). Other state that G1 hands to G2
    (StyleGAN2's running skip image) is fused by the plain mean over the
    codes [proposed: no source covers it].

    Args:
        generator: ``build_frozen_generator`` cfg or module (frozen here).
        layer: a name of ``generator.layer_names()`` or ℓ >= 1 (position
            ℓ - 1 of that list, spec §2.5).
        num_codes: N.
        fuse: ``'mean'`` or ``'sum'``.
        alpha_init: initial value of every weight (None: 1 / N).
        z_init: ``'gaussian'``, ``'zeros'`` or ``'mean_w'`` (see
            :func:`~gankd_mganprior.code_init.initial_codes`).
        optimize_alpha: whether alpha is optimised (else kept at init).
        loss: ``InversionLoss`` cfg or module.
        optimizer: OPTIMIZERS cfg (SGD lr 1.0: the official setting).
        num_iters: optimisation steps.
        noise_mode: the generator's noise mode.
        record_every: keep the free tensors every this many steps (0: no).
        seed: with each image's index, fixes its random codes.
    """

    decoding_fields = ('layer', 'num_codes', 'fuse', 'noise_mode')

    def __init__(self, generator: Union[dict, nn.Module],
                 layer: Union[int, str], num_codes: int = 20,
                 fuse: str = 'mean', alpha_init: Optional[float] = None,
                 z_init: str = 'gaussian', optimize_alpha: bool = True,
                 loss: Union[dict, nn.Module] = dict(type='InversionLoss'),
                 optimizer: dict = dict(type='SGD', lr=1.0),
                 num_iters: int = 300, noise_mode: str = 'const',
                 record_every: int = 0, seed: int = 0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if fuse not in FUSES:
            raise MultiCodeError(f"fuse='{fuse}': use one of {FUSES}")
        if int(num_codes) < 1:
            raise MultiCodeError(f'num_codes={num_codes}: give at least 1')
        self.generator = build_frozen_generator(generator)
        self.freeze('generator')
        self.layer = resolve_layer(self.generator, layer)
        self.style_based = is_style_based(self.generator)
        self.space = 'wp' if self.style_based else 'z'
        self.num_codes, self.fuse = int(num_codes), fuse
        self.alpha_init = (1.0 / self.num_codes if alpha_init is None else
                           float(alpha_init))
        self.z_init, self.optimize_alpha = z_init, bool(optimize_alpha)
        if z_init not in Z_INITS or (z_init == 'mean_w'
                                     and not self.style_based):
            initial_codes(self.generator, 1, z_init, [])  # raises, saying why
        # Not ``self.loss``: that is the mmengine mode method.
        self.loss_fn = loss if isinstance(loss, nn.Module) else MODELS.build(
            dict(loss))
        self.optimizer, self.num_iters = dict(optimizer), int(num_iters)
        self.noise_mode, self.record_every = noise_mode, int(record_every)
        self.seed = int(seed)

    # composition ---------------------------------------------------------
    def fuse_features(self, codes: Tensor, alpha: Tensor) -> Dict[str, Tensor]:
        """G1 on all codes as one batch, then the weighted fusion.

        Args:
            codes: ``[B, N, z_dim]`` or ``[B, N, L, w_dim]``.
            alpha: ``[B, N, C]``, C the channels of ``layer``'s output.

        Returns:
            The state G2 continues from: ``feature`` ``[B, C, h, w]`` and
            G1's other state tensors (mean over the codes).
        """
        batch, num = codes.shape[:2]
        state = self.generator.forward_to(codes.flatten(0, 1), self.layer,
                                          self.space, self.noise_mode)
        features = state['feature'].unflatten(0, (batch, num))
        fused = (features * alpha[..., None, None]).sum(1)
        if self.fuse == 'mean':
            fused = fused / num
        out = {key: value.unflatten(0, (batch, num)).mean(1)
               for key, value in state.items() if key != 'feature'}
        out['feature'] = fused
        return out

    def compose(self, codes: Tensor, alpha: Tensor,
                shared: Optional[Tensor] = None) -> Tensor:
        """``G2(fuse(G1(codes), alpha))`` -> ``[B, 3, H, W]`` (not clamped);
        ``shared`` ``[B, L, w_dim]`` feeds G2 of style-based generators."""
        if self.style_based and shared is None:
            raise MultiCodeError('compose: a style-based generator needs '
                                 'shared [B, L, w_dim] codes for G2')
        return self.generator.forward_from(self.fuse_features(codes, alpha),
                                           shared, self.layer, self.space,
                                           self.noise_mode)

    def num_channels(self) -> int:
        """C, the channels of the composition layer's output."""
        with torch.no_grad():
            codes = initial_codes(self.generator, 1, 'zeros',
                                  [torch.Generator()])
            state = self.generator.forward_to(codes[0], self.layer,
                                              self.space, self.noise_mode)
        return state['feature'].shape[1]

    # inversion -----------------------------------------------------------
    def initial_state(self, indices: Sequence[int]) -> Dict[str, Tensor]:
        """The free tensors before optimisation: ``codes``, ``alpha`` and
        (style-based) ``shared``, on the generator's device."""
        streams = self.image_generators(indices, self.seed)
        codes = initial_codes(self.generator, self.num_codes, self.z_init,
                              streams)
        alpha = torch.full((len(streams), self.num_codes,
                            self.num_channels()), self.alpha_init,
                           device=codes.device)
        state = dict(codes=codes, alpha=alpha)
        if self.style_based:
            state['shared'] = self.generator.mean_wp(len(streams))
        return state

    def invert(self, images: Tensor, degradation: Optional[nn.Module] = None,
               indices: Optional[Sequence[int]] = None) -> Dict[str, Tensor]:
        """See :class:`~gankd.kinds.BaseInverter`; extras ``alpha``
        ``[B, N, C]``, ``shared`` (style-based), ``layer``, ``fuse`` and,
        with ``record_every``, ``records``: ``optimize_codes``' list of
        ``dict(iteration, params=[codes, alpha (if optimised), shared
        (style-based)])``."""
        indices = range(len(images)) if indices is None else indices
        if len(indices) != len(images):
            raise MultiCodeError(f'indices: {len(indices)} given for '
                                 f'{len(images)} images; give one per image')
        degradation = (IdentityDegradation() if degradation is None
                       else degradation)
        start = self.initial_state(indices)
        free = {key: value.clone().requires_grad_(
                    key != 'alpha' or self.optimize_alpha)
                for key, value in start.items()}
        params = [value for value in free.values() if value.requires_grad]

        def render() -> Tensor:
            return self.compose(free['codes'], free['alpha'],
                                free.get('shared'))

        out = optimize_codes(params, render, images.to(start['codes']),
                             self.loss_fn, degradation, self.optimizer,
                             self.num_iters, record_every=self.record_every)
        image = out['image'].clamp(-1, 1)
        with torch.no_grad():
            restored = degradation.restore(image, images.to(image))
        result = {key: value.detach().cpu() for key, value in free.items()}
        result.update(image=image.cpu(), restored=restored.cpu(),
                      loss=out['loss'], history=out['history'],
                      space=self.space, layer=self.layer, fuse=self.fuse)
        if self.record_every:
            result['records'] = out['records']
        return result

    # results -------------------------------------------------------------
    def decode(self, result: Dict[str, Tensor]) -> Tensor:
        """Render a result (or a moved one): ``[B, 3, H, W]``, not
        clamped, on the generator's device."""
        device = self.generator.device
        shared = result.get('shared')
        with torch.no_grad():
            return self.compose(
                result['codes'].to(device), result['alpha'].to(device),
                None if shared is None else shared.to(device))

    def move(self, result: Dict[str, Tensor], boundary: Tensor,
             distances: Sequence[float]) -> Dict[str, Tensor]:
        """Every code and the shared rows move by ``d * boundary`` for each
        distance d (``[1, dim]``: every layer of wp codes; ``[1, L, dim]``:
        per layer); alpha is kept. Batch ``B * T``, image-major."""
        steps = torch.as_tensor(distances, dtype=result['codes'].dtype)

        def shift(codes: Tensor) -> Tensor:
            view = (1, -1) + (1, ) * (codes.dim() - 1)
            moved = codes.unsqueeze(1) + steps.view(view) * boundary.to(codes)
            return moved.flatten(0, 1)

        moved = dict(result, codes=shift(result['codes']),
                     alpha=result['alpha'].repeat_interleave(len(steps), 0))
        if result.get('shared') is not None:
            moved['shared'] = shift(result['shared'])
        for key in ('image', 'restored', 'loss', 'history', 'records'):
            moved.pop(key, None)
        return moved
