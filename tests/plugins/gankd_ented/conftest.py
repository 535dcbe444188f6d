"""Tiny ENTED restorers (32x32, semantic size 8) for the plugin's tests."""
import copy

import pytest
import torch

from gankd.kinds import build_restorer

TINY = dict(
    type='ENTEDRestorer', resolution=32, semantic_size=8,
    lq_encoder=dict(channels={32: 8, 16: 16, 8: 16}),
    ref_encoder=dict(channels={32: 8, 16: 16, 8: 16},
                     num_labels={8: 4, 16: 8}, match_kernels={8: 1}),
    decoder=dict(channels={8: 16, 16: 16, 32: 8}, w_dim=16),
    quantizer=dict(num_codes=32, dim=8),
    latent_refiner=dict(num_heads=2))


def tiny_cfg(**changes):
    cfg = copy.deepcopy(TINY)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key].update(value)
        else:
            cfg[key] = value
    return cfg


@pytest.fixture
def make_restorer():
    """``make_restorer(seed=0, **changes)``: a tiny ENTEDRestorer."""
    def make(seed=0, **changes):
        torch.manual_seed(seed)
        return build_restorer(tiny_cfg(**changes))
    return make


@pytest.fixture
def faces():
    """Two images and two references ``[2, 3, 32, 32]`` in [-1, 1]."""
    g = torch.Generator().manual_seed(0)
    return [torch.rand(2, 3, 32, 32, generator=g) * 2 - 1 for _ in range(3)]
