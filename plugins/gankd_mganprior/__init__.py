"""gankd_mganprior: mGANprior (Gu, Shen and Zhou, "Image Processing Using
Multi-Code GAN Prior", CVPR 2020).

Registers :class:`~gankd_mganprior.multi_code_inverter.MultiCodeInverter`
(a ``BaseInverter``): N latent codes pushed through the first layers of a
frozen generator, their feature maps fused with learned per-channel weights
and rendered by the remaining layers; reconstruction, colourisation,
super-resolution and inpainting through gankd's degradations. See
README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_mganprior.multi_code_inverter import MultiCodeInverter
    registrar.register('model', MultiCodeInverter)
