"""GAN training shared by generator plugins and restorers: the
:class:`UnconditionalGAN` model, its objectives and seeded sampling."""
from .gan_losses import (disc_logistic_loss, ema_momentum,
                         gen_nonsaturating_loss, path_lengths, r1_penalty)
from .sampling import generate_images, seeded_latents
from .unconditional_gan import DEFAULT_DATA_PREPROCESSOR, UnconditionalGAN
from .wrapped_call import call_through_wrapper, unwrap

__all__ = [
    'UnconditionalGAN', 'DEFAULT_DATA_PREPROCESSOR', 'disc_logistic_loss',
    'gen_nonsaturating_loss', 'r1_penalty', 'path_lengths', 'ema_momentum',
    'generate_images', 'seeded_latents', 'call_through_wrapper', 'unwrap'
]
