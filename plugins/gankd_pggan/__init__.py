"""gankd_pggan: PGGAN (Karras et al., "Progressive Growing of GANs for
Improved Quality, Stability, and Variation", ICLR 2018).

Registers :class:`~gankd_pggan.pggan_generator.PGGANGenerator` (a
``BaseGenerator``) and
:class:`~gankd_pggan.pggan_discriminator.PGGANDiscriminator`, with genforce's
key names, and the checkpoint converter ``genforce-pggan``. See README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_pggan.pggan_discriminator import PGGANDiscriminator
    from gankd_pggan.pggan_generator import PGGANGenerator
    registrar.register('model', PGGANGenerator, PGGANDiscriminator)


@hookimpl
def gankd_checkpoint_converters():
    from gankd_pggan.genforce_converter import GENFORCE_PGGAN
    return [GENFORCE_PGGAN]
