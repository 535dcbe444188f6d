"""Tiny FaceFeat-GAN models (16x16; frozen parts: the tiny test
classifiers with random weights) for the plugin's tests."""
import copy
import itertools
import os
import warnings

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TINY_CONFIG = os.path.join(REPO, 'tests/data/configs/tiny_facefeat_gan.py')
_hubs = itertools.count()


def _merge(base: dict, changes: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _absolute(node):
    if isinstance(node, dict):
        node = {k: _absolute(v) for k, v in node.items()}
        if isinstance(node.get('config'), str):
            node['config'] = os.path.join(REPO, node['config'])
        return node
    if isinstance(node, (list, tuple)):
        return type(node)(_absolute(v) for v in node)
    return node


@pytest.fixture(scope='session')
def tiny_model_cfg():
    """The model config of ``tests/data/configs/tiny_facefeat_gan.py``
    (paths absolute)."""
    from mmengine.config import Config
    return _absolute(Config.fromfile(TINY_CONFIG).model.to_dict())


@pytest.fixture(scope='session')
def _built():
    return {}


@pytest.fixture
def make_gan(tiny_model_cfg, _built):
    """``make_gan(stage='features', seed=0, **changes)``: a tiny
    FaceFeatGAN, weights drawn from ``seed``, initialised as the Runner
    does (built once per arguments, then deep-copied: building three
    frozen classifiers from their configs is the slow part)."""
    from mmengine.logging import MessageHub, MMLogger

    from gankd.registry import MODELS, scope_config_types

    def make(stage='features', seed=0, **changes):
        # A fresh current MessageHub: outside a Runner the model counts its
        # own iterations (a Runner of an earlier test may have left 'iter').
        MessageHub.get_instance(f'facefeat-test-{next(_hubs)}')
        key = repr((stage, seed, sorted(changes.items())))
        if key not in _built:
            _built[key] = build(stage, seed, **changes)
        return copy.deepcopy(_built[key])

    def build(stage, seed, **changes):
        torch.manual_seed(seed)
        cfg = _merge(tiny_model_cfg, dict(changes, stage=stage))
        if stage == 'single_stage':
            cfg['generator'].setdefault('feature_source', 'noise')
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', '.* without checkpoint')
            model = MODELS.build(scope_config_types(cfg))
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # init_weights lists every parameter
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
        return model
    return make


@pytest.fixture
def face_batch():
    """``face_batch(n=4, seed=0)``: a packed batch of uint8 16x16 images
    with identity labels ``i % 4``."""
    from mmpretrain.structures import DataSample

    def make(n=4, seed=0):
        g = torch.Generator().manual_seed(seed)
        images = torch.randint(0, 256, (n, 3, 16, 16), generator=g,
                               dtype=torch.uint8)
        return dict(inputs=list(images),
                    data_samples=[DataSample().set_gt_label(i % 4)
                                  for i in range(n)])
    return make


@pytest.fixture
def optimizers():
    """``optimizers(model)``: the Runner's OptimWrapperDict (Adam)."""
    from mmengine.optim import OptimWrapper, OptimWrapperDict

    def make(model, lr=1e-2):
        return OptimWrapperDict(**{
            name: OptimWrapper(torch.optim.Adam(
                getattr(model, name).parameters(), lr=lr))
            for name in ('generator', 'discriminator')})
    return make
