"""Fixtures of the Residual KD tests: the tiny config's distiller."""
import os

import pytest
import torch
from mmengine.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
CONFIG = 'tests/data/configs/tiny_residual_kd.py'


@pytest.fixture
def build_rkd():
    """``build_rkd(**overrides)``: the ``ResidualKDDistiller`` of
    ``tiny_residual_kd.py`` (teacher 8/16/32 ch, S 4/8/16, A 2/4/8, matched
    at ``backbone.layer3``: 32 ch at 8x8), random teacher unless
    ``teacher_ckpt`` is given, seeded."""
    from gankd.registry import MODELS

    def build(**overrides):
        cfg = Config.fromfile(os.path.join(REPO, CONFIG)).model.to_dict()
        cfg.pop('_delete_', None)
        cfg.update(overrides)
        torch.manual_seed(0)
        return MODELS.build(cfg)

    return build


@pytest.fixture
def images():
    torch.manual_seed(1)
    return torch.randn(4, 3, 32, 32)
