"""gankd_ented: ENTED (Lau et al., "ENTED: Enhanced Neural Texture
Extraction and Distribution for Reference-based Blind Face Restoration",
WACV 2024), a Restorer, on NTED's texture extraction and distribution
operators (Ren et al., CVPR 2022).

The NTED operators and the attention-reconstruction loss follow the
official NTED code exactly; ENTED's own modules (code-word replacement by
a learnt dictionary, the gated residual, latent refinement by
cross-attention to the reference) are a proposed realisation of the
paper's abstract (no official code): see README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_ented.ented_restorer import ENTEDRestorer
    registrar.register('model', ENTEDRestorer)
