"""Fixtures of the knowledge-points tests: one torch thread (the tests are
tiny; two threads only contend on a busy machine) and the per-image
reference learner (``reference_sigma_loop.py``, loaded from its path since
pytest runs with ``--import-mode=importlib``)."""
import importlib.util
import os
import sys

import pytest
import torch

REFERENCE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'reference_sigma_loop.py')


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def reference():
    name = 'gankd_kp_reference_sigma_loop'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REFERENCE_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].reference_sigma
