"""FaceFeat-GAN's discriminators: one per feature (stage 1) and one on
images (stage 2), in one module so the Runner gives them one optimizer."""
from typing import Dict, Optional

from mmengine.model import BaseModule
from torch import Tensor, nn

from gankd.registry import MODELS, scope_config_types

__all__ = ['FaceFeatDiscriminators']


class FaceFeatDiscriminators(BaseModule):
    """``features[k]``: D_k (a ``FeatureDiscriminator``) per feature;
    ``image``: D_I, any image discriminator (default the project's
    ``StyleGAN2Discriminator``: ResNet with minibatch-stddev).

    ``forward(images)`` is D_I (images ``[N, 3, R, R]`` -> ``[N, 1]``), so
    the GAN core's image steps (lazy R1) use it unchanged;
    :meth:`score_features` is D_k.

    Args:
        feature_dims (dict): ``{name: d_k}``, in the generator's order (the
            training model fills it from the generator).
        identity_dim (int): size of ``f_id`` (filled likewise).
        image (dict): D_I config.
        feature (dict): common ``FeatureDiscriminator`` arguments
            (``hidden``, ``num_layers``, ``conditional``).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, feature_dims: Dict[str, int], identity_dim: int,
                 image: dict, feature: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.features = nn.ModuleDict({
            name: MODELS.build(scope_config_types(dict(
                dict(type='FeatureDiscriminator'), **dict(feature or {}),
                feature_dim=int(dim), identity_dim=int(identity_dim))))
            for name, dim in feature_dims.items()})
        self.image = MODELS.build(scope_config_types(dict(image)))
        self.resolution = getattr(self.image, 'resolution', None)

    def forward(self, images: Tensor) -> Tensor:
        return self.image(images)

    def score_features(self, name: str, features: Tensor,
                       identity: Tensor) -> Tensor:
        """D_k: ``[N, d_k]``, ``[N, d_id]`` -> ``[N, 1]``."""
        return self.features[name](features, identity)
