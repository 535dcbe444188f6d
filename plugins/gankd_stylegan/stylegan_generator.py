"""StyleGAN generator (Karras et al., "A Style-Based Generator Architecture
for Generative Adversarial Networks", CVPR 2019).

Constructor arguments and state-dict keys are genforce's
``StyleGANGenerator`` (see the plugin README), so official converted
checkpoints load with ``strict=True`` and give the official images.
"""
import math
from typing import Dict, List, Optional, Union

from torch import Tensor

from gankd.kinds import BaseGenerator
from gankd_stylegan.mapping_network import MappingNetwork, TruncationModule
from gankd_stylegan.style_latents_mixin import StyleLatentsMixin
from gankd_stylegan.stylegan_synthesis import StyleGANSynthesis

__all__ = ['StyleGANGenerator']


class StyleGANGenerator(StyleLatentsMixin, BaseGenerator):
    """z ``[N, z_dim]`` -> w ``[N, w_dim]`` -> wp ``[N, L, w_dim]`` -> image
    ``[N, C_img, R, R]``, ``L = 2 * log2(R) - 2`` (18 at 1024).

    The mapping MLP (``mapping.dense{i}``, He gain sqrt(2), lr_mul) and the
    truncation module (``truncation.w_avg``) are shared with StyleGAN2; the
    synthesis network is :class:`StyleGANSynthesis` (AdaIN layers with
    per-channel noise, blur after upsampling, toRGB at the end).

    Args:
        resolution: output side R, a power of two >= 4.
        z_space_dim: size of z.
        w_space_dim: size of w (one per-layer code).
        label_size: must be 0 (class conditioning is not implemented).
        mapping_layers: dense layers of the mapping network.
        mapping_fmaps: their width.
        mapping_lr_mul: learning-rate multiplier of the mapping network.
        repeat_w: one w for every layer (True) or the mapping emits L codes
            (then w is ``[N, L * w_dim]``).
        image_channels: output channels.
        final_tanh: apply tanh to the output.
        const_input: learned 4x4 const (True, official) or a 4x4 "dense"
            layer from ``wp[:, 0]`` (False).
        fused_scale: upsampling convs as transposed convs: True, False, or
            'auto' (from 128x128 up, as the official models).
        use_wscale: equalized learning rate.
        noise_type: 'spatial' (official) or 'channel'.
        fmaps_base, fmaps_max: channels ``min(fmaps_base // r, fmaps_max)``.
        init_cfg: mmengine init config.
    """

    latent_spaces = ('z', 'w', 'wp')

    def __init__(self, resolution: int, z_space_dim: int = 512,
                 w_space_dim: int = 512, label_size: int = 0,
                 mapping_layers: int = 8, mapping_fmaps: int = 512,
                 mapping_lr_mul: float = 0.01, repeat_w: bool = True,
                 image_channels: int = 3, final_tanh: bool = False,
                 const_input: bool = True,
                 fused_scale: Union[bool, str] = 'auto',
                 use_wscale: bool = True, noise_type: str = 'spatial',
                 fmaps_base: int = 16 << 10, fmaps_max: int = 512,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if resolution < 4 or resolution & (resolution - 1):
            raise ValueError(f'StyleGANGenerator: resolution must be a power '
                             f'of two >= 4, got {resolution}')
        if label_size:
            raise NotImplementedError(
                f'StyleGANGenerator: label_size={label_size}; '
                'class-conditional StyleGAN is not implemented, use '
                'label_size=0')
        if fused_scale not in (True, False, 'auto'):
            raise ValueError(f"StyleGANGenerator: fused_scale must be True, "
                             f"False or 'auto', got {fused_scale!r}")
        self.resolution = resolution
        self.z_dim = z_space_dim
        self.w_dim = w_space_dim
        self.repeat_w = repeat_w
        self.image_channels = image_channels
        self.num_layers = 2 * int(math.log2(resolution)) - 2
        self.mapping = MappingNetwork(
            z_space_dim, mapping_fmaps,
            w_space_dim * (1 if repeat_w else self.num_layers),
            num_layers=mapping_layers, lr_mul=mapping_lr_mul,
            weight_gain=math.sqrt(2.0), act_gain=1.0, use_wscale=use_wscale)
        self.truncation = TruncationModule(w_space_dim, self.num_layers,
                                           repeat_w)
        self.synthesis = StyleGANSynthesis(
            resolution, w_space_dim, image_channels=image_channels,
            final_tanh=final_tanh, const_input=const_input,
            fused_scale=fused_scale, use_wscale=use_wscale,
            noise_type=noise_type, fmaps_base=fmaps_base,
            fmaps_max=fmaps_max)

    # synthesis -------------------------------------------------------------
    def layer_names(self) -> List[str]:
        return [f'synthesis.layer{i}' for i in range(self.num_layers)]

    def synthesize(self, codes: Tensor, space: str = 'wp',
                   noise_mode: str = 'const') -> Tensor:
        self.check_noise_mode(noise_mode)
        return self.synthesis(self.to_wp(codes, space), noise_mode)

    def forward(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None,
                noise_mode: str = 'const') -> Dict[str, Tensor]:
        self.check_noise_mode(noise_mode)
        codes = self.mapping(z, truncation_psi, truncation_layers)
        return dict(image=self.synthesis(codes['wp'], noise_mode), **codes)

    def forward_to(self, codes: Tensor, layer: str, space: str = 'wp',
                   noise_mode: str = 'const') -> Dict[str, Tensor]:
        """dict(feature=``[N, C, r, r]``): the output of ``layer`` (after
        its style modulation), i.e. the next layer's input."""
        self.check_noise_mode(noise_mode)
        self.synthesis.check_lod(full_resolution=True)
        stop = self.layer_index(layer) + 1
        wp = self.to_wp(codes, space)
        return dict(feature=self.synthesis.run(
            self.synthesis.first_input(wp), wp, 0, stop, noise_mode))

    def forward_from(self, state: Dict[str, Tensor], codes: Tensor,
                     layer: str, space: str = 'wp',
                     noise_mode: str = 'const') -> Tensor:
        """Image ``[N, C_img, R, R]`` from ``state['feature']`` (the output of
        ``layer``), running the later layers with their codes."""
        self.check_noise_mode(noise_mode)
        self.synthesis.check_lod(full_resolution=True)
        if 'feature' not in state:
            raise KeyError("state must hold 'feature' (from forward_to)")
        start = self.layer_index(layer) + 1
        wp = self.to_wp(codes, space)
        x = self.synthesis.run(state['feature'], wp, start,
                               self.num_layers, noise_mode)
        return self.synthesis.to_image(x)
