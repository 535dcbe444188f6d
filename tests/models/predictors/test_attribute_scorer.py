"""AttributeScorer: a trained classifier read as named signed scores, checked
against hand-computed values on tiny classifiers with hand-set heads."""
import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gankd.errors import UserError
from gankd.models.predictors import SemanticSpecError
from gankd.registry import DATASETS, MODELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CONFIGS = os.path.join(REPO, 'tests', 'data', 'configs')
ATTRS = os.path.join(CONFIGS, 'tiny_face_attribute_scorer.py')
PLAIN = os.path.join(CONFIGS, 'tiny_face_classifier.py')
BARE = os.path.join(CONFIGS, 'tiny_clshead_scorer.py')

# Head outputs of ATTRS: yaw 0, smile 1, hair_color 2-6, aged 7, lighting 8.
# Hair logits 0, ln2, ln3, 0, 0: softmax p = (1, 2, 3, 1, 1) / 8.
ATTR_BIAS = [-0.25, 1.5, 0.0, math.log(2), math.log(3), 0.0, 0.0, -2.0, 0.75]


def build(config=ATTRS, **kwargs):
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random scores'):
        return MODELS.build(dict(type='AttributeScorer', config=config,
                                 **kwargs))


def set_head(scorer, bias, weight=None):
    fc = scorer.classifier.head.fc
    with torch.no_grad():
        fc.bias.copy_(torch.tensor(bias))
        fc.weight.copy_(torch.zeros_like(fc.weight) if weight is None
                        else weight)


def images(n=3, size=16):
    return torch.rand(n, 3, size, size, generator=torch.Generator()
                      .manual_seed(n)) * 2 - 1


def log_odds(logits, k):
    """log p_k - log(1 - p_k) of softmax(logits), float64 numpy."""
    z = np.asarray(logits, np.float64)
    p = np.exp(z - z.max(1, keepdims=True))
    p = p / p.sum(1, keepdims=True)
    return np.log(p[:, k]) - np.log1p(-p[:, k])


def test_each_attribute_spec_kind_on_a_hand_set_head():
    scorer = build(semantics={
        'smile': 'smile', 'frown': '-smile', 'yaw': 'yaw',
        'blond': 'hair_color=blond', 'brown': 'hair_color=1',
        'not_blond': '-hair_color=2', 'dark_side': '-lighting'})
    set_head(scorer, ATTR_BIAS)
    scores = scorer(images())
    assert scorer.names == ('smile', 'frown', 'yaw', 'blond', 'brown',
                            'not_blond', 'dark_side')
    assert scorer.thresholds == (0.0,) * 7
    assert scores.dtype == torch.float32 and scores.shape == (3, 7)
    # blond: p = 3/8 -> ln(3/5); brown: p = 2/8 -> ln(2/6).
    expected = [1.5, -1.5, -0.25, math.log(3 / 5), math.log(1 / 3),
                -math.log(3 / 5), -0.75]
    torch.testing.assert_close(scores, torch.tensor([expected] * 3))


def test_default_semantics_are_the_binary_and_continuous_attributes():
    scorer = build()
    set_head(scorer, ATTR_BIAS)
    assert scorer.names == ('yaw', 'smile', 'aged', 'lighting')
    torch.testing.assert_close(
        scorer(images(2)), torch.tensor([[-0.25, 1.5, -2.0, 0.75]] * 2))


def test_scores_follow_the_classifier_on_its_own_inputs():
    """Random backbone, random head: scores equal the classifier's outputs
    on the dataset's own images (its data_preprocessor), read by hand."""
    scorer = build(semantics=['smile', '-yaw', 'hair_color=red'])
    weight = torch.randn(9, 32, generator=torch.Generator().manual_seed(1))
    set_head(scorer, ATTR_BIAS, weight)
    dataset = DATASETS.build(dict(
        type='SynthFaces', num_samples=4, split='val', img_size=16,
        num_identities=8, pipeline=[dict(type='mmpretrain.PackInputs')]))
    raw = [dataset[i]['inputs'] for i in range(4)]  # uint8 BGR
    classifier = scorer.classifier
    with torch.no_grad():
        inputs = classifier.data_preprocessor(dict(inputs=raw),
                                              False)['inputs']
        out = classifier.head(classifier.extract_feat(inputs)).double()
    expected = np.stack([out[:, 1], -out[:, 0],
                         log_odds(out[:, 2:7], 3)], 1)
    scores = scorer(torch.stack(raw).float().flip(1) / 127.5 - 1)
    np.testing.assert_allclose(scores.numpy(), expected, rtol=1e-4,
                               atol=1e-4)


def test_plain_classifier_class_log_odds_by_index_and_name():
    scorer = build(PLAIN, semantics=['class=3', 'class=id_0003',
                                     '-class=id_0003', 'class=0'])
    bias = [0.0] * 8
    bias[3] = math.log(3)  # p_3 = 3/10, every other p = 1/10
    set_head(scorer, bias)
    expected = [math.log(3 / 7), math.log(3 / 7), -math.log(3 / 7),
                math.log(1 / 9)]
    torch.testing.assert_close(scorer(images(2)),
                               torch.tensor([expected] * 2))
    # Default: every class, named by the dataset's classes.
    default = build(PLAIN)
    assert default.names == tuple(f'id_{k:04d}' for k in range(8))


def test_bare_cls_head_reads_its_outputs_as_softmax_logits():
    scorer = build(BARE, semantics=['class=5', '-class=0'])
    x = images(2)
    classifier = scorer.classifier
    with torch.no_grad():
        feats = classifier.extract_feat(scorer.preprocess(x))[-1].double()
    expected = np.stack([log_odds(feats, 5), -log_odds(feats, 0)], 1)
    np.testing.assert_allclose(scorer(x).numpy(), expected, rtol=1e-4,
                               atol=1e-5)
    # 32 outputs, 8 dataset classes: names would pick wrong columns.
    assert build(BARE).names == tuple(f'class={k}' for k in range(32))
    with pytest.raises(SemanticSpecError, match='no class names'):
        build(BARE, semantics=['class=id_0001'])


def test_multi_label_head_class_score_is_its_logit(tmp_path):
    config = tmp_path / 'multilabel.py'
    config.write_text(
        f"_base_ = ['{PLAIN}']\n"
        "model = dict(head=dict(_delete_=True, "
        "type='mmpretrain.MultiLabelLinearClsHead', num_classes=8, "
        "in_channels=32))\n")
    scorer = build(str(config), semantics=['class=2'])
    set_head(scorer, [0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 0.0, 0.0])
    # Sigmoid log-odds = the logit; a softmax reading would give ln(e^.7/7).
    torch.testing.assert_close(scorer(images(1)), torch.tensor([[0.7]]))


@pytest.mark.parametrize('semantics, match', [
    (['smil'], r"no 'smil'; available: yaw, smile, "
               r'hair_color=<black\|brown\|blond\|red\|grey>, aged, '
               r'lighting\.$'),
    (['hair_color=pink'], r"'pink' is not a class of 'hair_color' "
                          r'\(one of black, brown, blond, red, grey'),
    (['hair_color'], r"'hair_color' has 5 classes; pick one"),
    (['hair_color=5'], r'class index 5 out of range .*0\.\.4'),
    (['smile=1'], r"'smile' is a single logit output"),
    ({'a': 'smile', 'b': 'smile', 'c': 'zzz'}, r"no 'zzz'"),
    (['smile', ' smile'], 'repeat a name'),
    ([], 'semantics is empty'),
])
def test_bad_specs_fail_at_construction_in_one_line(semantics, match):
    with pytest.raises(SemanticSpecError, match=match) as info:
        build(semantics=semantics)
    assert isinstance(info.value, UserError)
    assert '\n' not in str(info.value)


def test_unknown_class_of_a_plain_classifier_lists_the_classes():
    with pytest.raises(SemanticSpecError,
                       match=r"available: class=<id_0000\|.*\|id_0007>"):
        build(PLAIN, semantics=['klass=1'])


def test_resizes_inputs_to_the_classifier_size():
    scorer = build(semantics=['smile', 'hair_color=2'])
    set_head(scorer, ATTR_BIAS, torch.randn(9, 32))
    big = images(2, size=32)
    small = F.interpolate(big, size=(16, 16), mode='bilinear',
                          align_corners=False, antialias=True)
    assert not torch.allclose(scorer(big[:, :, :16, :16]), scorer(small))
    torch.testing.assert_close(scorer(big), scorer(small))
    # input_size overrides the config's img_size.
    scorer8 = build(input_size=8)
    assert scorer8.input_size == 8
    tiny = F.interpolate(big, size=(8, 8), mode='bilinear',
                         align_corners=False, antialias=True)
    torch.testing.assert_close(scorer8(big), scorer8(tiny))


def test_scoring_is_frozen_and_in_inference_mode():
    scorer = build()
    scorer.train()
    assert not scorer.classifier.training
    assert not any(p.requires_grad for p in scorer.parameters())
    x = images(2).requires_grad_()
    scores = scorer(x)
    assert scores.is_inference() and not scores.requires_grad


def test_loads_a_checkpoint_and_keys_the_cache_by_semantics(tmp_path):
    source = build()
    set_head(source, ATTR_BIAS, torch.randn(9, 32))
    path = str(tmp_path / 'predictor.pth')
    torch.save({'state_dict': source.classifier.state_dict()}, path)
    loaded = MODELS.build(dict(type='AttributeScorer', config=ATTRS,
                               checkpoint=path))
    x = images(2)
    torch.testing.assert_close(loaded(x), source(x))
    assert loaded.cache_key.startswith(
        'scorer:classifier:tiny_face_attribute_scorer.py:')
    other = MODELS.build(dict(type='AttributeScorer', config=ATTRS,
                              checkpoint=path, semantics=['-smile']))
    assert other.cache_key != loaded.cache_key
