"""Teacher-output cache: rows hold exactly the teacher's outputs, hits skip
the teacher, every key part invalidates, nothing stale is ever served,
unkeyable pipelines are refused, concurrent writers do not corrupt it."""
import json
import multiprocessing
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from gankd.errors import UserError
from gankd.models.distillers.cache_key import (TeacherCacheError,
                                               augmentation_key)
from gankd.models.distillers.teacher_cache_store import TeacherCacheStore
from gankd.registry import MODELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
CONFIG = os.path.join(REPO, 'tests/data/configs/tiny_kd.py')
PACK = dict(type='mmpretrain.PackInputs')
DATASET = dict(type='SynthShapes', num_samples=8, num_classes=10,
               pipeline=[PACK])


def build(cache_dir, **kwargs):
    cfg = Config.fromfile(CONFIG).model.to_dict()
    cfg.pop('_delete_', None)
    cache = dict(dir=str(cache_dir), **kwargs.pop('cache', {}))
    cfg.update(teacher_cache=cache, **kwargs)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    return model.train()


def samples(indices, **meta):
    return [DataSample(metainfo=dict(sample_idx=i, **meta)).set_gt_label(0)
            for i in indices]


def teacher_calls(model):
    """Batch sizes the teacher runs on, from now on."""
    sizes = []
    model.teacher.backbone.register_forward_pre_hook(
        lambda m, i: sizes.append(i[0].shape[0]))
    return sizes


@pytest.fixture
def inputs():
    generator = torch.Generator().manual_seed(0)
    return torch.randn(8, 3, 32, 32, generator=generator)


def test_rows_are_the_teacher_outputs_and_hits_skip_the_teacher(
        tmp_path, inputs):
    model = build(tmp_path)
    model.bind_teacher_cache(DATASET, 8, inputs[:1])
    sizes = teacher_calls(model)
    with torch.no_grad():
        direct = model.teacher(inputs, mode='tensor')  # [8, 10] logits
    first = model.teacher_features(inputs[:4], ['logits'],
                                   data_samples=samples([0, 1, 2, 3]))
    assert torch.equal(first['logits'], direct[:4])
    model.close_teacher_cache()  # publishes the rows
    rows = np.load(tmp_path / 'out0_0.npy')
    assert np.array_equal(rows[:4], direct[:4].numpy())
    assert json.load(open(tmp_path / 'manifest.json'))['complete'] == {
        'logits': False}

    model.bind_teacher_cache(DATASET, 8, inputs[:1])
    sizes.clear()
    again = model.teacher_features(inputs[:4], ['logits'],
                                   data_samples=samples([0, 1, 2, 3]))
    assert sizes == [] and torch.equal(again['logits'], direct[:4])
    # Half cached: the teacher runs on the two new samples only.
    mixed = model.teacher_features(inputs[[2, 5, 3, 7]], ['logits'],
                                   data_samples=samples([2, 5, 3, 7]))
    assert sizes == [2]
    torch.testing.assert_close(mixed['logits'], direct[[2, 5, 3, 7]],
                               rtol=0, atol=1e-6)
    assert model.cached_teacher.take_stats() == dict(hits=6, misses=2)
    # Evaluation never reads the cache (its indices are another split's).
    model.eval()
    sizes.clear()
    model.teacher_features(inputs[:2], ['logits'],
                           data_samples=samples([0, 1]))
    assert sizes == [2]


def test_float16_rows_are_rounded_once_and_every_epoch_sees_them(
        tmp_path, inputs):
    model = build(tmp_path, cache=dict(dtype='float16'))
    model.bind_teacher_cache(DATASET, 8, inputs[:1])
    with torch.no_grad():
        direct = model.teacher(inputs[:3], mode='tensor')
    batch = samples([0, 1, 2])
    computed = model.teacher_features(inputs[:3], ['logits'],
                                      data_samples=batch)['logits']
    cached = model.teacher_features(inputs[:3], ['logits'],
                                    data_samples=batch)['logits']
    assert computed.dtype == cached.dtype == torch.float32
    assert torch.equal(computed, direct.half().float())
    assert torch.equal(cached, computed)


def _change(part, model, tmp_path, inputs):
    """(model, dataset config) after changing one key part."""
    dataset = dict(DATASET)
    if part == 'teacher weights':
        with torch.no_grad():
            model.teacher.head.fc.bias.add_(1.0)
    elif part == 'recorded layers':
        model = build(tmp_path, teacher_recorders=dict(logits=dict(
            type='ModuleOutputsRecorder', source='backbone.layer3')))
    elif part == 'data pipeline':
        dataset['pipeline'] = [dict(type='mmpretrain.Resize', scale=32),
                               PACK]
    elif part == 'dataset':
        dataset['seed'] = 1
    elif part == 'data preprocessor':
        model = build(tmp_path, data_preprocessor=dict(
            type='mmpretrain.ClsDataPreprocessor', mean=[0, 0, 0],
            std=[1, 1, 1]))
    elif part == 'dtype':
        model = build(tmp_path, cache=dict(dtype='float16'))
    return model, dataset


@pytest.mark.parametrize('part', [
    'teacher weights', 'recorded layers', 'data pipeline', 'dataset',
    'data preprocessor', 'dtype'])
def test_any_key_part_changed_rebuilds_or_refuses_and_never_serves_stale(
        tmp_path, inputs, part):
    model = build(tmp_path)
    model.bind_teacher_cache(DATASET, 8, inputs[:1])
    batch = samples([0, 1, 2, 3])
    model.teacher_features(inputs[:4], ['logits'], data_samples=batch)
    model.close_teacher_cache()

    model, dataset = _change(part, model, tmp_path, inputs)
    with pytest.raises(TeacherCacheError, match=part):
        model.bind_teacher_cache(dataset, 8, inputs[:1], on_mismatch='error')
    model.bind_teacher_cache(dataset, 8, inputs[:1])
    store = model.cached_teacher.store
    assert store.state == f'rebuilt ({part} changed)'
    assert not store.known('logits', np.arange(8)).any()
    sizes = teacher_calls(model)
    served = model.teacher_features(inputs[:4], ['logits'],
                                    data_samples=batch)['logits']
    assert sizes == [4]  # computed again, not read
    fresh = model.compute_teacher_features(inputs[:4], ['logits'])['logits']
    if part == 'dtype':
        fresh = fresh.half().float()
    assert torch.equal(served, fresh)


def test_random_flip_is_keyed_and_unrecordable_transforms_are_refused():
    flip = dict(type='mmpretrain.RandomFlip', prob=0.5,
                direction=['horizontal', 'vertical'])
    key = augmentation_key([flip, PACK])
    assert key.num_variants == 3
    batch = samples([4]) + [
        DataSample(metainfo=dict(sample_idx=4, flip=True,
                                 flip_direction=d)) for d in
        ('horizontal', 'vertical')]
    batch[0].set_metainfo(dict(flip=False, flip_direction=None))
    assert key.rows(batch, 5).tolist() == [12, 13, 14]
    forced = key.forced_pipelines([flip, PACK])
    assert [p[0]['prob'] for p in forced] == [0.0, 1.0, 1.0]
    assert forced[2][0]['direction'] == 'vertical'
    assert augmentation_key([dict(flip, prob=0.0), PACK]).num_variants == 1

    with pytest.raises(TeacherCacheError,
                       match=r'pipeline\[0\] mmpretrain.RandomResizedCrop'):
        augmentation_key([dict(type='mmpretrain.RandomResizedCrop',
                               scale=32), PACK])
    # ... unless the user declares a (custom) transform deterministic.
    augmentation_key([dict(type='MyTransform'), PACK], ['MyTransform'])
    with pytest.raises(TeacherCacheError, match=r"lack \['flip'"):
        augmentation_key([flip, dict(PACK, meta_keys=['sample_idx'])])
    with pytest.raises(TeacherCacheError, match='sample_idx'):
        augmentation_key([PACK]).rows([DataSample()], 5)


def test_the_config_check_refuses_in_one_line_naming_the_transform():
    from gankd.apis.config import prepare_config
    cfg = Config.fromfile(CONFIG)
    cfg.model.teacher_cache = dict(dir='unused')
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='mmpretrain.ColorJitter', brightness=0.4), PACK]
    with pytest.raises(UserError) as error:
        prepare_config(cfg, 'train')
    assert '\n' not in str(error.value)
    assert 'pipeline[0] mmpretrain.ColorJitter draws random' in str(
        error.value)
    cfg.train_dataloader.dataset.pipeline = [PACK]
    hooks = prepare_config(cfg, 'train').custom_hooks
    assert [h['type'] for h in hooks] == ['TeacherCacheHook']


def test_a_configured_but_unbound_cache_is_an_error(tmp_path, inputs):
    model = build(tmp_path)
    with pytest.raises(TeacherCacheError, match='TeacherCacheHook'):
        model.loss(inputs[:2], samples([0, 1]))
    with pytest.raises(UserError, match=r"unknown field\(s\) \['dtpye'\]"):
        build(tmp_path, cache=dict(dtpye='float16'))


KEY = dict(dtype='float32', layers=dict(out=dict(shapes=[[3]])))


def _write_rows(directory, rows):
    store = TeacherCacheStore(directory, KEY, 64, create=False)
    rows = np.asarray(rows)
    store.write('out', rows, [np.stack([rows, rows + 0.5, -rows], 1)
                              .astype(np.float32)])
    store.close()


def test_concurrent_writers_fill_disjoint_rows_without_corruption(tmp_path):
    TeacherCacheStore(str(tmp_path), KEY, 64).close()  # "rank 0" builds it
    context = multiprocessing.get_context('fork')
    # Two "ranks", each its own rows; row 31 (a padded sampler's repeat)
    # is written by both, with the same values.
    jobs = [context.Process(target=_write_rows, args=(str(tmp_path), rows))
            for rows in (list(range(0, 32)), list(range(31, 64)))]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert [job.exitcode for job in jobs] == [0, 0]
    store = TeacherCacheStore(str(tmp_path), KEY, 64)
    rows = np.arange(64)
    assert store.known('out', rows).all()
    expected = np.stack([rows, rows + 0.5, -rows], 1).astype(np.float32)
    assert np.array_equal(store.read('out', rows)[0], expected)
    store.sync()  # the creator marks it complete
    assert store.manifest['complete'] == {'out': True}
    with pytest.raises(TeacherCacheError, match='in use by another process'):
        TeacherCacheStore(str(tmp_path), dict(KEY, dtype='float16'), 64)
    store.close()
