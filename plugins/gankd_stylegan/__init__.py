"""gankd_stylegan: StyleGAN2 (and StyleGAN) generators and discriminators,
with converters for official checkpoints. See README.md in this folder."""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_stylegan.stylegan2_discriminator import StyleGAN2Discriminator
    from gankd_stylegan.stylegan2_generator import StyleGAN2Generator
    from gankd_stylegan.stylegan_discriminator import StyleGANDiscriminator
    from gankd_stylegan.stylegan_generator import StyleGANGenerator
    modules = [
        StyleGAN2Generator,
        StyleGAN2Discriminator,
        StyleGANGenerator,
        StyleGANDiscriminator,
    ]
    registrar.register('model', *modules)


@hookimpl
def gankd_checkpoint_converters():
    from gankd_stylegan import converters
    from gankd_stylegan.stylegan_converter import GENFORCE_STYLEGAN
    return [
        converters.GENFORCE_STYLEGAN2,
        converters.ROSINALITY_STYLEGAN2,
        GENFORCE_STYLEGAN,
    ]
