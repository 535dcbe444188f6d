"""Fixtures of the gankd_higan tests: the toy layer-wise generator and its
analytic scorer (``toy_layered_generator.py``, higan.md §6).

pytest runs with ``--import-mode=importlib``, so a test cannot import a
sibling module by name; :func:`load_toy_module` loads it from its path once
(as ``gankd_higan_toy``). Tests elsewhere can do the same with
``importlib.util.spec_from_file_location`` on ``TOY_PATH``.
"""
import importlib.util
import os
import sys

import pytest
import torch

TOY_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'toy_layered_generator.py')
TOY_MODULE = 'gankd_higan_toy'


def load_toy_module():
    """The toy module (``ToyLayeredGenerator``, ``ToyScorer``, ...)."""
    if TOY_MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(TOY_MODULE, TOY_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[TOY_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[TOY_MODULE]


@pytest.fixture
def toy():
    """The toy module."""
    return load_toy_module()


@pytest.fixture
def toy_generator(toy):
    return toy.ToyLayeredGenerator(seed=0)


@pytest.fixture
def toy_scorer(toy):
    return toy.ToyScorer()


@pytest.fixture
def toy_wp(toy_generator):
    """``[K = 64, 6, 16]`` un-truncated toy codes from seed 1."""
    z = toy_generator.sample_z(64, torch.Generator().manual_seed(1))
    return toy_generator.mapping(z)['wp']
