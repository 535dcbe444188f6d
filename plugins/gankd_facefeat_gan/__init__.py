"""gankd_facefeat_gan: FaceFeat-GAN (Shen, Zhou, Luo, Tang, "FaceFeat-GAN:
a Two-Stage Approach for Identity-Preserving Face Synthesis", arXiv
1812.01288), a Generator: facial features are generated first (stage 1,
feature-domain GANs conditioned on an identity embedding), then rendered
to pixels (stage 2, image-domain GAN with identity, feature-consistency
and reconstruction losses).

Only the paper's abstract could be read: the two stages are the paper's,
everything concrete (losses, networks, schedule) is a proposed
realisation; see README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_facefeat_gan.attribute_extractor import FaceAttributeExtractor
    from gankd_facefeat_gan.facefeat_discriminators import \
        FaceFeatDiscriminators
    from gankd_facefeat_gan.facefeat_gan import FaceFeatGAN
    from gankd_facefeat_gan.facefeat_generator import FaceFeatGenerator
    from gankd_facefeat_gan.feature_discriminator import FeatureDiscriminator
    from gankd_facefeat_gan.feature_generator import FeatureGenerator
    from gankd_facefeat_gan.feature_renderer import FeatureRenderer
    from gankd_facefeat_gan.identity_encoder import FaceIdentityEncoder
    registrar.register('model', FaceFeatGAN, FaceFeatGenerator,
                       FaceFeatDiscriminators, FeatureGenerator,
                       FeatureDiscriminator, FeatureRenderer,
                       FaceIdentityEncoder, FaceAttributeExtractor)
