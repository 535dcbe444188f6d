"""gankd_interfacegan: InterFaceGAN (Shen et al., "Interpreting the Latent
Space of GANs for Semantic Face Editing", CVPR 2020; TPAMI 2020).

Registers
:class:`~gankd_interfacegan.linear_boundary_probe.LinearBoundaryProbe` (a
``BaseProbe``): linear semantic boundaries in a generator's latent space
(z, w or per-layer wp), fitted with a linear SVM on generated samples scored
by an attribute predictor; editing along them, conditional editing by
projection, and the official boundary files. See README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_interfacegan.linear_boundary_probe import LinearBoundaryProbe
    registrar.register('model', LinearBoundaryProbe)
