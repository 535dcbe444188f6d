"""Tiny FaceFeat-GAN models (16x16, random frozen parts) for the plugin's
tests; the frozen networks are the real configs' (E_id, the attribute
predictor) with random weights, run at 16x16."""
import copy
import os
import warnings

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
ID_CFG = os.path.join(
    REPO, 'configs/facefeat_gan/identity-resnet18-w16_1xb128_synthfaces32.py')
ATTR_CFG = os.path.join(
    REPO, 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py')

TINY_GENERATOR = dict(
    type='FaceFeatGenerator',
    identity_encoder=dict(type='FaceIdentityEncoder', config=ID_CFG,
                          checkpoint=None, input_size=16),
    extractors=dict(attributes=dict(type='FaceAttributeExtractor',
                                    config=ATTR_CFG, checkpoint=None,
                                    input_size=16)),
    features=[
        dict(name='pose', extractor='attributes', outputs=['yaw']),
        dict(name='expression', extractor='attributes',
             outputs=['smile', 'mouth_open'], loss_weight=0.5),
    ],
    feature_generator=dict(z_dim=4, hidden=16, num_layers=2),
    num_identities=4,
    renderer=dict(hidden=16, num_layers=1, decoder=dict(
        type='StyleGAN2Generator', resolution=16, z_space_dim=4,
        w_space_dim=8, mapping_layers=1, mapping_fmaps=4, fmaps_base=64,
        fmaps_max=8, final_tanh=True, fused_modulate=False)))

TINY_GAN = dict(
    type='FaceFeatGAN',
    stage='features',
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True),
    generator=TINY_GENERATOR,
    discriminator=dict(
        feature=dict(hidden=16, num_layers=2),
        image=dict(type='StyleGAN2Discriminator', resolution=16,
                   fmaps_base=64, fmaps_max=8,
                   minibatch_std_group_size=2)),
    perceptual=dict(type='ClassifierFeatures', config=ID_CFG,
                    checkpoint=None, out_indices=(0, ), input_size=16),
    r1_gamma=1.0, r1_interval=2, ema_half_life_kimg=0.01)


def merge(base: dict, changes: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def quiet_build(cfg: dict):
    from gankd.registry import MODELS, scope_config_types
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', '.* without checkpoint')
        return MODELS.build(scope_config_types(cfg))


@pytest.fixture
def make_gan():
    """``make_gan(stage='features', seed=0, **changes)``: a tiny
    FaceFeatGAN (weights from ``seed``)."""
    def make(stage='features', seed=0, **changes):
        torch.manual_seed(seed)
        cfg = merge(TINY_GAN, dict(changes, stage=stage))
        if stage == 'single_stage':
            cfg['generator']['feature_source'] = 'noise'
        model = quiet_build(cfg)
        model.init_weights()
        return model
    return make


def face_batch(n: int = 4, seed: int = 0, identities: int = 4) -> dict:
    """A packed batch of ``n`` SynthFaces-like uint8 images with labels."""
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g,
                           dtype=torch.uint8)
    samples = [DataSample().set_gt_label(i % identities) for i in range(n)]
    return dict(inputs=list(images), data_samples=samples)
