"""Frozen feature extractors for FID-style metrics: the classifier's own
normalisation, safe loading, clear errors."""
import os

import pytest
import torch
import torch.nn.functional as F

from gankd.registry import DATASETS, MODELS
from gankd.utils.checkpoint import CheckpointError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TINY = os.path.join(REPO, 'tests', 'data', 'configs',
                    'tiny_face_classifier.py')


def faces(n=4, size=16):
    """SynthFaces as the dataloader gives them: uint8 BGR [3, S, S]."""
    dataset = DATASETS.build(dict(
        type='SynthFaces', num_samples=n, split='val', img_size=size,
        num_identities=8, pipeline=[dict(type='mmpretrain.PackInputs')]))
    return [dataset[i]['inputs'] for i in range(n)]


def to_gan_range(images):
    """uint8 BGR -> [-1, 1] RGB, as UnconditionalGAN's preprocessor does."""
    return torch.stack(images).float().flip(1) / 127.5 - 1


def build(**kwargs):
    with pytest.warns(UserWarning, match='random features') if \
            kwargs.get('checkpoint') is None else _nothing():
        return MODELS.build(dict(type='ClassifierFeatureExtractor',
                                 config=kwargs.pop('config', TINY), **kwargs))


class _nothing:

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def reference_features(classifier, images):
    """What the classifier computes on the dataset's own images."""
    with torch.no_grad():
        inputs = classifier.data_preprocessor(dict(inputs=images),
                                              False)['inputs']
        return classifier.extract_feat(inputs)[-1]


def test_features_equal_the_classifier_on_its_own_inputs():
    torch.manual_seed(0)
    extractor = build()
    assert extractor.input_size == 16  # from the config's dataset
    images = faces()
    features = extractor(to_gan_range(images))
    assert features.shape == (4, 32)
    torch.testing.assert_close(
        features, reference_features(extractor.classifier, images),
        rtol=1e-4, atol=1e-5)
    # Frozen and inference-only.
    extractor.train()
    assert not extractor.classifier.training
    assert not any(p.requires_grad for p in extractor.parameters())
    assert features.is_inference()


def test_bgr_classifier_gets_flipped_channels(tmp_path):
    config = tmp_path / 'bgr.py'
    config.write_text(
        f"_base_ = ['{TINY}']\n"
        'model = dict(data_preprocessor=dict(to_rgb=False))\n')
    torch.manual_seed(0)
    extractor = build(config=str(config))
    images = faces()
    torch.testing.assert_close(
        extractor(to_gan_range(images)),
        reference_features(extractor.classifier, images),
        rtol=1e-4, atol=1e-5)


def test_resizes_to_the_input_size():
    torch.manual_seed(0)
    extractor = build()
    big = to_gan_range(faces(size=32))
    small = F.interpolate(big, size=(16, 16), mode='bilinear',
                          align_corners=False, antialias=True)
    torch.testing.assert_close(extractor(big), extractor(small))


def test_loads_a_runner_checkpoint_and_reports_bad_files(tmp_path):
    torch.manual_seed(0)
    source = build()
    path = str(tmp_path / 'classifier.pth')
    torch.save({'state_dict': source.classifier.state_dict(),
                'meta': {'epoch': 1}}, path)
    torch.manual_seed(1)
    loaded = MODELS.build(dict(type='ClassifierFeatureExtractor',
                               config=TINY, checkpoint=path))
    images = to_gan_range(faces())
    torch.testing.assert_close(loaded(images), source(images))
    assert loaded.cache_key.startswith('classifier:tiny_face_classifier.py:')

    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(CheckpointError, match='nope.pth'):
        MODELS.build(dict(type='ClassifierFeatureExtractor', config=TINY,
                          checkpoint=missing))
    wrong = str(tmp_path / 'wrong.pth')
    torch.save({'head.fc.weight': torch.zeros(1)}, wrong)
    with pytest.raises(CheckpointError, match='wrong.pth.*missing'):
        MODELS.build(dict(type='ClassifierFeatureExtractor', config=TINY,
                          checkpoint=wrong))


def test_inception_missing_weights_name_the_file(tmp_path):
    path = str(tmp_path / 'inception_v3_google.pth')
    with pytest.raises(FileNotFoundError,
                       match='inception_v3_google.pth.*never downloads'):
        MODELS.build(dict(type='InceptionFeatureExtractor', weights=path))


def test_inception_pool3_features(tmp_path):
    from torchvision.models import inception_v3
    torch.manual_seed(0)
    reference = inception_v3(weights=None, aux_logits=True,
                             transform_input=False, init_weights=False).eval()
    path = str(tmp_path / 'inception.pth')
    torch.save(reference.state_dict(), path)
    extractor = MODELS.build(dict(type='InceptionFeatureExtractor',
                                  weights=path))
    images = torch.rand(1, 3, 32, 32) * 2 - 1
    pooled = []
    reference.avgpool.register_forward_hook(
        lambda module, args, out: pooled.append(out.flatten(1)))
    with torch.no_grad():
        reference(F.interpolate(images, size=(299, 299), mode='bilinear',
                                align_corners=False, antialias=True))
    features = extractor(images)
    assert features.shape == (1, 2048)
    torch.testing.assert_close(features, pooled[0])
    assert extractor.cache_key.startswith('inception:')


def test_the_synthfaces_attribute_predictor_is_the_default_source():
    extractor = build(
        config='gankd::attribute_predictor/'
        'resnet18-w16_1xb128_synthfaces32.py')
    assert extractor.input_size == 32
    # Its dataset piece's RGB statistics, applied in RGB order.
    torch.testing.assert_close(extractor.mean.flatten(),
                               torch.tensor([130.2, 135.3, 128.9]))
    assert not extractor.flip_to_bgr
    assert extractor(torch.zeros(2, 3, 64, 64)).shape == (2, 128)
