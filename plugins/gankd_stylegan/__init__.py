"""gankd_stylegan: StyleGAN2 (and StyleGAN) generators and discriminators,
with converters for official checkpoints. See README.md in this folder."""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_stylegan.stylegan2_discriminator import StyleGAN2Discriminator
    from gankd_stylegan.stylegan2_generator import StyleGAN2Generator
    modules = [
        StyleGAN2Generator,
        StyleGAN2Discriminator,
    ]
    registrar.register('model', *modules)

