"""LatentEncoder: starts at its mean code, encodes images independently,
rejects bad options and inputs; build_frozen_encoder reads the encoder
part of a trainer checkpoint strictly."""
import pytest
import torch

from gankd.models.inverters.latent_encoder import (LatentEncoder,
                                                   LatentEncoderError,
                                                   build_frozen_encoder)
from gankd.utils.checkpoint import CheckpointError, save_checkpoint

CFG = dict(type='LatentEncoder', resolution=16, space='wp', code_dim=6,
           num_layers=3, channels=4, max_channels=16)


def make(**kwargs):
    torch.manual_seed(0)
    args = dict(CFG, **kwargs)
    args.pop('type')
    return LatentEncoder(**args)


def perturb_head(encoder, seed=1):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in encoder.head.parameters():
            param.copy_(torch.randn(param.shape, generator=gen))


@pytest.mark.parametrize('space,layers,shape', [
    ('z', 1, (6, )), ('w', 1, (6, )), ('wp', 3, (3, 6))])
def test_untrained_encoder_returns_its_mean_code(space, layers, shape):
    encoder = make(space=space, num_layers=layers)
    mean = torch.randn(shape)
    encoder.code_mean.copy_(mean)
    codes = encoder(torch.rand(5, 3, 16, 16) * 2 - 1)
    assert codes.shape == (5, ) + shape
    # the zero head: every image starts at the mean code, exactly
    assert torch.equal(codes, mean.expand_as(codes))


def test_images_are_encoded_independently_and_differently():
    encoder = make()
    perturb_head(encoder)
    images = torch.rand(4, 3, 16, 16) * 2 - 1
    codes = encoder(images)
    singles = torch.cat([encoder(images[i:i + 1]) for i in range(4)])
    assert torch.allclose(codes, singles, atol=1e-6)
    assert not torch.allclose(codes[0], codes[1])
    # the offset is added to code_mean
    encoder.code_mean.fill_(2.0)
    assert torch.allclose(encoder(images), codes + 2.0, atol=1e-6)


def test_downsamples_to_4x4_with_capped_channels():
    encoder = make(resolution=32, channels=4, max_channels=8)
    strided = [m for m in encoder.features if isinstance(
        m, torch.nn.Conv2d) and m.stride == (2, 2)]
    assert len(strided) == 3  # 32 -> 16 -> 8 -> 4
    assert [m.out_channels for m in strided] == [8, 8, 8]
    assert encoder.features(torch.zeros(1, 3, 32, 32)).shape == (1, 8, 4, 4)


@pytest.mark.parametrize('kwargs,match', [
    (dict(resolution=24), 'power of two'),
    (dict(resolution=2), 'power of two'),
    (dict(space='q'), "space='q'"),
    (dict(space='z', num_layers=3), 'num_layers=1'),
])
def test_bad_options(kwargs, match):
    with pytest.raises(LatentEncoderError, match=match):
        make(**kwargs)


def test_wrong_input_size_names_the_expected_shape():
    with pytest.raises(LatentEncoderError, match=r'\[B, 3, 16, 16\]'):
        make()(torch.zeros(2, 3, 8, 8))


def write_trainer_config(tmp_path, encoder_cfg=CFG):
    path = tmp_path / 'encoder_cfg.py'
    path.write_text(f"model = dict(type='LatentEncoderTrainer', "
                    f"generator=None, encoder={encoder_cfg!r})\n")
    return str(path)


def test_build_frozen_encoder_loads_the_trainer_checkpoint(tmp_path):
    trained = make()
    perturb_head(trained)
    trained.code_mean.normal_()
    state = {f'encoder.{k}': v for k, v in trained.state_dict().items()}
    state['generator.weight'] = torch.zeros(2)  # other parts are ignored
    ckpt = str(tmp_path / 'iter_4.pth')
    save_checkpoint(dict(state_dict=state, meta=dict(iter=4)), ckpt)
    config = write_trainer_config(tmp_path)

    encoder = build_frozen_encoder(dict(config=config, checkpoint=ckpt))
    assert isinstance(encoder, LatentEncoder) and not encoder.training
    assert not any(p.requires_grad for p in encoder.parameters())
    images = torch.rand(3, 3, 16, 16) * 2 - 1
    assert torch.equal(encoder(images), trained(images))

    # strict: a missing key is an error, not a silently random layer
    del state['encoder.head.bias']
    save_checkpoint(dict(state_dict=state), ckpt)
    with pytest.raises(RuntimeError, match='head.bias'):
        build_frozen_encoder(dict(config=config, checkpoint=ckpt))


def test_build_frozen_encoder_errors(tmp_path):
    config = write_trainer_config(tmp_path)
    ckpt = str(tmp_path / 'gan.pth')
    save_checkpoint(dict(state_dict={'generator.x': torch.zeros(1)}), ckpt)
    with pytest.raises(LatentEncoderError, match='no encoder'):
        build_frozen_encoder(dict(config=config, checkpoint=ckpt))
    with pytest.raises(CheckpointError, match='not found'):
        build_frozen_encoder(dict(config=config,
                                  checkpoint=str(tmp_path / 'none.pth')))
    with pytest.raises(LatentEncoderError, match='checkpoint='):
        build_frozen_encoder(dict(config=config))
    other = tmp_path / 'gan_cfg.py'
    other.write_text("model = dict(type='UnconditionalGAN')\n")
    with pytest.raises(LatentEncoderError, match='no model.encoder'):
        build_frozen_encoder(dict(config=str(other), checkpoint=ckpt))


def test_build_frozen_encoder_from_a_type_or_module():
    encoder = build_frozen_encoder(CFG)
    assert isinstance(encoder, LatentEncoder) and encoder.code_shape == (3, 6)
    assert not encoder.training
    assert not any(p.requires_grad for p in encoder.parameters())
    module = make()
    assert build_frozen_encoder(module) is module and not module.training
