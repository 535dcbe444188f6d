"""Registries: scope taken from the type prefix, clear unknown-type errors."""
import pytest
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import DefaultScope

from gankd.registry import (ALL_REGISTRIES, DATASETS, MODELS,
                            UnknownComponentError, scope_config_types)

NESTED_CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    # Unscoped nested parts: mmengine would look them up in the caller's
    # default scope; gankd must look in mmpretrain.
    backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=3, in_channels=32))


def _set_scope(scope):
    DefaultScope._instance_dict.clear()
    if scope is not None:
        DefaultScope.get_instance(f'test-{scope}', scope_name=scope)


@pytest.mark.parametrize('scope', [None, 'mmpretrain', 'gankd'])
def test_scoped_type_builds_nested_parts_in_its_scope(scope):
    _set_scope(scope)
    model = MODELS.build(NESTED_CLASSIFIER)
    assert type(model.backbone).__name__ == 'ResNet_CIFAR'
    assert type(model.backbone).__module__.startswith('mmpretrain.')
    # The default data preprocessor is also an mmpretrain one.
    assert type(model.data_preprocessor).__name__ == 'ClsDataPreprocessor'


def test_runner_path_needs_scope_config_types():
    """mmengine's Runner builds the model through its root registry, which
    ignores gankd's build function: the config pass is what makes it work."""
    _set_scope('gankd')
    with pytest.raises(KeyError, match='not in the gankd::model registry'):
        MMENGINE_MODELS.build(dict(NESTED_CLASSIFIER))
    cfg = scope_config_types(
        {**NESTED_CLASSIFIER, 'head': dict(NESTED_CLASSIFIER['head'])})
    model = MMENGINE_MODELS.build(cfg)
    assert type(model.backbone).__name__ == 'ResNet_CIFAR'


def test_scope_config_types_touches_only_prefixed_types():
    cfg = dict(type='mmpretrain.ImageClassifier',
               backbone=dict(type='ResNet'),
               items=[dict(type='gankd.SynthShapes'), dict(type='torch.nn.ReLU')],
               collate=dict(type='default_collate'))
    scope_config_types(cfg)
    assert cfg['_scope_'] == 'mmpretrain'
    assert cfg['items'][0]['_scope_'] == 'gankd'
    # Not a registry scope: an import path, left alone.
    assert '_scope_' not in cfg['items'][1]
    assert '_scope_' not in cfg['backbone']
    assert '_scope_' not in cfg['collate']


@pytest.mark.parametrize('scope', [None, 'mmpretrain', 'gankd'])
def test_every_registered_name_resolves_under_every_default_scope(scope):
    _set_scope(scope)
    seen = set()
    for registry in ALL_REGISTRIES.values():
        registry.import_from_location()
        for name, cls in list(registry.module_dict.items()):
            assert registry.get(name) is cls, (registry.name, name)
            # A scoped lookup from mmengine's root reaches it too.
            assert registry.parent.get(f'gankd.{name}') is cls
            seen.add(name)
    assert {'SynthShapes', 'GankdRunner'} <= seen  # not vacuous


@pytest.mark.parametrize('scope', [None, 'mmpretrain', 'gankd'])
def test_gankd_dataset_builds_with_mmpretrain_pipeline(scope):
    _set_scope(scope)
    dataset = DATASETS.build(
        dict(type='SynthShapes', num_samples=4, num_classes=10,
             pipeline=[dict(type='mmpretrain.PackInputs')]))
    sample = dataset[0]
    assert sample['inputs'].shape[0] == 3
    assert 0 <= sample['data_samples'].gt_label.item() < 10


def test_unknown_type_suggests_close_names_in_other_scopes():
    with pytest.raises(UnknownComponentError) as info:
        MODELS.build(dict(type='ImageClasifier'))
    message = str(info.value)
    assert "'ImageClasifier' is not in the gankd::model registry" in message
    assert 'mmpretrain.ImageClassifier' in message
    assert 'Loaded gankd plugins' in message


def test_unknown_scoped_type_names_its_scope():
    with pytest.raises(UnknownComponentError, match='mmpretrain::model'):
        MODELS.build(dict(type='mmpretrain.ResNet_CIFARR'))
