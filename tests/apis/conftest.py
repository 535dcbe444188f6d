"""Fixtures for the generator tool tests: the helper module
``toy_generators.py`` (toy generators, parity-fixture lookup), loaded by
path because tests run with ``--import-mode=importlib``."""
import importlib.util
import os

import pytest


@pytest.fixture(scope='session')
def toys():
    path = os.path.join(os.path.dirname(__file__), 'toy_generators.py')
    spec = importlib.util.spec_from_file_location('toy_generators', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
