"""Every config loads, every type in it resolves, every model builds on CPU
and classifies a batch; embedded datasets build and yield samples."""
import glob
import os
import warnings

import pytest
import torch
from mmengine.registry import DATASETS as ROOT_DATASETS
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope

from gankd.apis.config import prepare_config
from gankd.config import load_config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(
    os.path.relpath(path, REPO)
    for path in glob.glob(os.path.join(REPO, 'configs', '**', '*.py'),
                          recursive=True)
    if '_base_' not in path)
EMBEDDED = ('SynthShapes', 'SynthFaces')


def test_there_are_configs():
    assert any('baselines' in path for path in CONFIGS)


@pytest.mark.parametrize('path', CONFIGS)
def test_config_checks_builds_and_runs(path):
    raw = load_config(os.path.join(REPO, path))
    if 'variants' in raw:  # a sweep (tools/analysis/sweep_distillation.py)
        _check_sweep(raw)
        return
    cfg = prepare_config(raw, 'check')
    assert cfg.default_scope == 'gankd'
    DefaultScope.get_instance(f'test-{path}', scope_name='gankd')
    if 'networks' in cfg:  # a knowledge-points experiment
        from gankd.apis.knowledge_points_experiment import load_experiment
        experiment = load_experiment(os.path.join(REPO, path))
        assert experiment.seeds and experiment.layers
        return
    if 'rows' in cfg:  # an inversion evaluation
        _check_inversion_evaluation(cfg)
        return
    if _is_probe(cfg):
        _check_probe(cfg)
        return
    if _is_kind(cfg, 'BaseRestorer'):
        _check_restorer(cfg)
        return
    if _has_frozen_networks(cfg.model.get('generator')):  # FaceFeat-GAN
        _check_gan_with_frozen_networks(cfg)
        return
    if _trained_parts(cfg.model):  # inverters, encoder trainers
        _check_with_random_parts(cfg)
        return
    if 'teacher_ckpt' in cfg.model:  # the teacher is trained separately
        cfg.model.teacher_ckpt = None
    if 'generator' in cfg.model and cfg.model.generator.resolution > 64:
        # paper-resolution GANs are built at 16x16 with their official
        # widths (the fused up/down-sampling of StyleGAN >= 128 is covered
        # by the parity tests instead)
        cfg.model.generator.resolution = 16
        cfg.model.discriminator.resolution = 16
    # The Runner's path: mmengine's root registry, after the scope pass.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'teacher_ckpt is None')
        model = ROOT_MODELS.build(cfg.model).eval()
    size = cfg.train_dataloader.dataset.get('img_size', 32)
    if 'generator' in cfg.model:  # a GAN: sample, then score the samples
        _check_gan(model, cfg)
    else:
        _check_classifier(model, size)

    dataset_cfg = cfg.train_dataloader.dataset
    if str(dataset_cfg.type).rpartition('.')[2] in EMBEDDED:
        dataset = ROOT_DATASETS.build(dict(dataset_cfg, num_samples=4))
        sample = dataset[3]
        assert sample['inputs'].shape[-2:] == (size, size)


def _check_gan(model, cfg):
    resolution = cfg.model.generator.resolution
    assert model.generator.resolution == resolution
    assert model.discriminator.resolution == resolution
    with torch.no_grad():
        images = model.generator(model.generator.sample_z(4))['image']
        scores = model.discriminator(images)
    assert images.shape == (4, 3, resolution, resolution)
    assert scores.shape == (4, 1) and torch.isfinite(scores).all()


def _has_frozen_networks(generator) -> bool:
    return isinstance(generator, dict) and 'identity_encoder' in generator


def _random_frozen_parts(node):
    """Every ``dict(config=..., checkpoint=...)`` in a model config with
    its checkpoint left out (random weights) and its config path absolute."""
    if isinstance(node, dict):
        node = {k: _random_frozen_parts(v) for k, v in node.items()}
        if 'config' in node and 'checkpoint' in node:
            node.update(checkpoint=None,
                        config=os.path.join(REPO, node['config']))
        return node
    if isinstance(node, (list, tuple)):
        return type(node)(_random_frozen_parts(v) for v in node)
    return node


def _check_gan_with_frozen_networks(cfg):
    """GANs whose generator holds trained frozen networks (FaceFeat-GAN's
    identity encoder and feature extractors): built with those random,
    at full size; real images are encoded and rendered back."""
    model_cfg = _random_frozen_parts(cfg.model.to_dict())
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', '.* without checkpoint')
        model = ROOT_MODELS.build(model_cfg).eval()
    size = model.generator.resolution
    images = torch.rand(2, 3, size, size) * 2 - 1
    with torch.no_grad():
        parts = model.generator.extract(images)
        fakes = model.generator.render(parts['identity'], parts['features'])
        scores = model.discriminator(fakes)
    assert fakes.shape == (2, 3, size, size) and fakes.abs().max() <= 1
    assert scores.shape == (2, 1) and torch.isfinite(scores).all()


def _is_probe(cfg) -> bool:
    from gankd.kinds import BaseProbe
    from gankd.registry import MODELS, resolve_type
    cls = resolve_type(MODELS, cfg.model.type, cfg.model.get('_scope_'))
    return issubclass(cls, BaseProbe)


def _check_probe(cfg):
    """Probes load trained parts from paths: build them from their configs
    with random weights instead (paper-resolution generators at 16x16),
    then sample and score (or, without predictor, render)."""
    from gankd.kinds import build_probe
    from gankd.registry import scope_config_types
    model = cfg.model.to_dict()
    generator = _random_generator(model['generator'])
    predictor = model.get('predictor')
    if predictor is not None:
        predictor = dict(predictor, checkpoint=None)
        predictor['config'] = os.path.join(REPO, predictor['config'])
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'AttributeScorer without')
        probe = build_probe(scope_config_types(
            dict(model, generator=generator, predictor=predictor)))
    if predictor is None:
        space = probe.spaces[-1]
        images = probe.render(probe.codes_for_seeds([0, 1], space), space)
        assert images.shape == (2, 3, 16, 16)
        return
    samples = probe.sample(40, progress=False)
    assert samples['scores'].shape == (40, len(probe.names))
    assert torch.isfinite(torch.from_numpy(samples['scores'])).all()
    semantics = cfg.get('probe_cfg', {}).get('semantics') or probe.names
    conditions = cfg.get('probe_cfg', {}).get('conditions') or []
    for primal, conds in (conditions.items() if isinstance(conditions, dict)
                          else conditions):
        assert set([primal, *conds]) <= set(semantics), (primal, conds)


def _is_kind(cfg, kind: str) -> bool:
    import gankd.kinds
    from gankd.registry import MODELS, resolve_type
    cls = resolve_type(MODELS, cfg.model.type, cfg.model.get('_scope_'))
    return issubclass(cls, getattr(gankd.kinds, kind))


def _check_restorer(cfg):
    """Restorers: trained parts (a stage-A checkpoint, loss nets) left
    out or random; paper-resolution models built at 64x64 with their
    widths; a packed batch restored through the data preprocessor."""
    model = cfg.model.to_dict()
    model.pop('init_from', None)  # a stage-A checkpoint, trained first
    for name, loss in (model.get('losses') or {}).items():
        net = loss.get('net') if isinstance(loss, dict) else None
        if net is not None and 'weights' in net:  # VGG: the user's file
            model['losses'][name] = None
        elif net is not None and 'checkpoint' in net:
            model['losses'][name] = dict(loss, net=dict(
                net, checkpoint=None,
                config=os.path.join(REPO, net['config'])))
    if model['resolution'] > 64:
        model['resolution'] = 64
        if model.get('discriminator'):
            model['discriminator']['resolution'] = 64
    size = model['resolution']
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'ClassifierFeatures without')
        restorer = ROOT_MODELS.build(model).eval()
    images = list(torch.randint(0, 256, (2, 3, size, size),
                                dtype=torch.uint8))
    inputs = dict(degraded=images)
    if restorer.uses_reference:
        inputs['reference'] = images[::-1]
    with torch.no_grad():
        samples = restorer.val_step(dict(inputs=inputs))
    assert samples[0].pred_img.shape == (3, size, size)
    assert all(torch.isfinite(s.pred_img).all() for s in samples)
    dataset_cfg = cfg.train_dataloader.dataset
    inner = dataset_cfg.get('dataset', dataset_cfg)
    if str(inner.type).rpartition('.')[2] in EMBEDDED:
        small = dict(inner, num_samples=4)
        dataset = ROOT_DATASETS.build(
            dict(dataset_cfg, dataset=small) if 'dataset' in dataset_cfg
            else small)
        assert dataset[3]['inputs']['degraded'].shape == (3, size, size)


def _trained_parts(model) -> bool:
    generator = model.get('generator')
    return isinstance(generator, dict) and 'config' in generator


def _random_generator(spec: dict):
    from gankd.utils.frozen_generator import build_config_generator
    gen_cfg = load_config(os.path.join(REPO, spec['config']))
    part = gen_cfg.model.get('generator', gen_cfg.model)
    if part.resolution > 64:
        part.resolution = 16
    return build_config_generator(gen_cfg).eval().requires_grad_(False)


def _without_weights(cfg, generator):
    """A model config with its trained parts (generator, encoder, feature
    net) built from their configs with random weights."""
    from gankd.models.inverters import build_frozen_encoder
    model = dict(cfg, generator=generator)
    net = (model.get('loss') or {}).get('perceptual', {}).get('net')
    if net is not None and 'checkpoint' in net:
        net = dict(net, checkpoint=None,
                   config=os.path.join(REPO, net['config']))
        model['loss'] = dict(model['loss'], perceptual=dict(
            model['loss']['perceptual'], net=net))
    encoder = model.get('encoder')
    if isinstance(encoder, dict) and 'config' in encoder:
        trainer = load_config(os.path.join(REPO, encoder['config']))
        model['encoder'] = build_frozen_encoder(trainer.model.encoder)
    return model


def _check_inverter(model_cfg: dict, images):
    from gankd.kinds import build_inverter
    from gankd.registry import scope_config_types
    generator = model_cfg['generator']
    model_cfg = dict(model_cfg, num_iters=1)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'ClassifierFeatures without')
        inverter = build_inverter(dict(scope_config_types(
            {k: v for k, v in model_cfg.items() if k != 'generator'}),
            generator=generator))
    result = inverter.invert(images)
    assert result['image'].shape == images.shape
    assert torch.isfinite(result['loss']).all()


def _check_with_random_parts(cfg):
    from gankd.kinds import BaseInverter
    from gankd.registry import MODELS, resolve_type
    model = cfg.model.to_dict()
    generator = _random_generator(model['generator'])
    model = _without_weights(model, generator)
    size = generator.resolution
    images = torch.rand(2, 3, size, size) * 2 - 1
    if issubclass(resolve_type(MODELS, model['type']), BaseInverter):
        _check_inverter(model, images)
        return
    trainer = MODELS.build(model)  # an encoder trainer
    samples = trainer.predict(images)
    assert samples[0].pred_img.shape == (3, size, size)


def _check_inversion_evaluation(cfg):
    """Every row inverts for one step with random parts; every task's
    degradation applies to the images."""
    from gankd.registry import MODELS, scope_config_types
    generator = _random_generator(cfg.generator)
    size = generator.resolution
    images = torch.rand(2, 3, size, size) * 2 - 1
    for name, task in cfg.tasks.items():
        degradation = MODELS.build(scope_config_types(task.to_dict()))
        assert degradation(images).shape[:2] == (2, 3), name
    names = [row['name'] for row in cfg.rows]
    assert len(set(names)) == len(names)
    for row in cfg.rows:
        model = dict(row['inverter'].to_dict(), loss=cfg.loss.to_dict())
        _check_inverter(_without_weights(model, generator), images)


def _check_classifier(model, size):
    inputs = torch.randint(0, 256, (2, 3, size, size)).float()
    with torch.no_grad():
        data = model.data_preprocessor(dict(inputs=list(inputs)))
        outputs = model(data['inputs'], mode='tensor')
    logits = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
    assert logits.shape[0] == 2 and torch.isfinite(logits).all()


@pytest.mark.parametrize('path', CONFIGS)
def test_no_dataset_may_download(path):
    """Offline: a dataset class that can download must be told not to."""
    import inspect

    from gankd.registry import DATASETS, find_type
    cfg = load_config(os.path.join(REPO, path))
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        dataset = loader['dataset']
        cls = find_type(DATASETS, dataset['type'])
        if 'download' in inspect.signature(cls.__init__).parameters:
            assert dataset.get('download') is False, (path, split)


def _check_sweep(sweep):
    """Every variant's options apply to the swept config, and its model
    builds (a misspelt option key would reach the model as an unexpected
    argument)."""
    assert sweep.variants and len({v['name'] for v in sweep.variants}) == \
        len(sweep.variants)
    for variant in sweep.variants:
        cfg = load_config(os.path.join(REPO, variant.get('config',
                                                          sweep.config)))
        cfg.merge_from_dict(dict(variant.get('options', {})))
        cfg = prepare_config(cfg, 'check')
        cfg.model.teacher_ckpt = None
        DefaultScope.get_instance(f"test-sweep-{variant['name']}",
                                  scope_name='gankd')
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', 'teacher_ckpt is None')
            ROOT_MODELS.build(cfg.model)
