"""StyleGAN2 generator (Karras et al., "Analyzing and Improving the Image
Quality of StyleGAN", CVPR 2020), config F with skip or plain outputs.

Constructor arguments and state-dict keys are genforce's
``StyleGAN2Generator`` (see the plugin README), so official converted
checkpoints load with ``strict=True``.
"""
from typing import Dict, List, Optional

from torch import Tensor

from gankd.kinds import BaseGenerator
from gankd_stylegan.mapping_network import MappingNetwork, TruncationModule
from gankd_stylegan.style_latents_mixin import StyleLatentsMixin
from gankd_stylegan.stylegan2_synthesis import StyleGAN2Synthesis

__all__ = ['StyleGAN2Generator']


class StyleGAN2Generator(StyleLatentsMixin, BaseGenerator):
    """z ``[N, z_dim]`` -> w ``[N, w_dim]`` -> wp ``[N, L, w_dim]`` -> image
    ``[N, C_img, R, R]``, ``L = 2 * log2(R) - 2``.

    Args:
        resolution: output side R, a power of two >= 8.
        z_space_dim: size of z.
        w_space_dim: size of w (one per-layer code).
        label_size: must be 0 (class conditioning is not implemented).
        mapping_layers: dense layers of the mapping network.
        mapping_fmaps: their width.
        mapping_lr_mul: learning-rate multiplier of the mapping network.
        repeat_w: one w for every layer (True) or the mapping emits L codes.
        image_channels: output channels.
        final_tanh: apply tanh to the output.
        const_input: must be True (the reference cannot run without it).
        architecture: ``'skip'`` (config F: a toRGB at every resolution,
            summed with FIR upsampling) or ``'origin'`` (one toRGB at the
            end). ``'resnet'`` raises NotImplementedError (the reference's
            resnet generator cannot run either).
        fused_modulate: grouped per-sample kernels (True) or input/output
            scaling (False); same result.
        demodulate: weight demodulation.
        use_wscale: equalized learning rate.
        noise_type: ``'spatial'`` (one scalar strength per layer).
        fmaps_base, fmaps_max: channels at resolution r are
            ``min(fmaps_base // r, fmaps_max)``.
        init_cfg: mmengine init config.
    """

    latent_spaces = ('z', 'w', 'wp')

    def __init__(self, resolution: int, z_space_dim: int = 512,
                 w_space_dim: int = 512, label_size: int = 0,
                 mapping_layers: int = 8, mapping_fmaps: int = 512,
                 mapping_lr_mul: float = 0.01, repeat_w: bool = True,
                 image_channels: int = 3, final_tanh: bool = False,
                 const_input: bool = True, architecture: str = 'skip',
                 fused_modulate: bool = True, demodulate: bool = True,
                 use_wscale: bool = True, noise_type: str = 'spatial',
                 fmaps_base: int = 32 << 10, fmaps_max: int = 512,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if resolution < 8 or resolution & (resolution - 1):
            raise ValueError(f'resolution must be a power of two >= 8, got '
                             f'{resolution}')
        if architecture == 'resnet':
            raise NotImplementedError(
                "StyleGAN2Generator architecture='resnet' is not "
                "implemented (the reference generator cannot run it); use "
                "'skip' (config F) or 'origin'")
        if architecture not in ('skip', 'origin'):
            raise ValueError(f"architecture must be 'skip' or 'origin', got "
                             f"'{architecture}'")
        if label_size:
            raise NotImplementedError(
                f'label_size={label_size}: class-conditional StyleGAN2 is '
                'not implemented; use label_size=0')
        if not const_input:
            raise NotImplementedError(
                'const_input=False is not implemented (the reference '
                'generator cannot run it either); use const_input=True')
        if noise_type.lower() != 'spatial':
            raise NotImplementedError(
                f"noise_type='{noise_type}' is not implemented; use "
                "'spatial'")
        self.resolution = resolution
        self.z_dim = z_space_dim
        self.w_dim = w_space_dim
        self.repeat_w = repeat_w
        self.image_channels = image_channels
        self.architecture = architecture
        self.num_layers = 2 * resolution.bit_length() - 4  # 2 log2(R) - 2
        self.mapping = MappingNetwork(
            z_space_dim, mapping_fmaps,
            w_space_dim * (1 if repeat_w else self.num_layers),
            num_layers=mapping_layers, lr_mul=mapping_lr_mul,
            use_wscale=use_wscale)
        self.truncation = TruncationModule(w_space_dim, self.num_layers,
                                           repeat_w)
        self.synthesis = StyleGAN2Synthesis(
            resolution, w_space_dim, image_channels=image_channels,
            final_tanh=final_tanh, architecture=architecture,
            fused_modulate=fused_modulate, demodulate=demodulate,
            use_wscale=use_wscale, fmaps_base=fmaps_base,
            fmaps_max=fmaps_max)

    # synthesis -------------------------------------------------------------
    def layer_names(self) -> List[str]:
        return [f'synthesis.{name}' for name in self.synthesis.node_names()]

    def synthesize(self, codes: Tensor, space: str = 'wp',
                   noise_mode: str = 'const') -> Tensor:
        self.check_noise_mode(noise_mode)
        wp = self.to_wp(codes, space)
        return self.synthesis.run(wp, noise_mode=noise_mode)['image']

    def forward(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None,
                noise_mode: str = 'const') -> Dict[str, Tensor]:
        self.check_noise_mode(noise_mode)
        codes = self.mapping(z, truncation_psi, truncation_layers)
        image = self.synthesis.run(codes['wp'], noise_mode=noise_mode)
        return dict(image=image['image'], **codes)

    def forward_to(self, codes: Tensor, layer: str, space: str = 'wp',
                   noise_mode: str = 'const') -> Dict[str, Tensor]:
        self.check_noise_mode(noise_mode)
        stop = self.layer_index(layer) + 1
        return self.synthesis.run(self.to_wp(codes, space), stop=stop,
                                  noise_mode=noise_mode)

    def forward_from(self, state: Dict[str, Tensor], codes: Tensor,
                     layer: str, space: str = 'wp',
                     noise_mode: str = 'const') -> Tensor:
        self.check_noise_mode(noise_mode)
        if 'feature' not in state:
            raise KeyError("state must hold 'feature' (from forward_to)")
        start = self.layer_index(layer) + 1
        return self.synthesis.run(self.to_wp(codes, space), start=start,
                                  state=state, noise_mode=noise_mode)['image']
