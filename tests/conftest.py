"""Shared fixtures: a clean default scope, temporary registrations, and a
way to run the project's tools as subprocesses."""
import os
import subprocess
import sys

import pytest
from mmengine.registry import DefaultScope

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_CONFIGS = os.path.join(REPO, 'tests', 'data', 'configs')


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs one worker per core) each
    worker, and every tool it starts, computes on one thread: a worker per
    core with a thread per core each would oversubscribe the cores."""
    if os.environ.get('PYTEST_XDIST_WORKER') and \
            'OMP_NUM_THREADS' not in os.environ:
        os.environ['OMP_NUM_THREADS'] = '1'
        import torch
        torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def no_default_scope():
    """Each test starts and ends with no mmengine default scope."""
    DefaultScope._instance_dict.clear()
    yield
    DefaultScope._instance_dict.clear()


@pytest.fixture
def temp_register():
    """``temp_register(registry, cls)`` registers for this test only."""
    added = []

    def register(registry, cls, name=None):
        name = name or cls.__name__
        registry.register_module(name=name, module=cls)
        added.append((registry, name))
        return cls

    yield register
    for registry, name in added:
        registry._module_dict.pop(name, None)


def _run_tool(args, cwd=REPO, env=None, timeout=600, check=True):
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', **(env or {}))
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=full_env,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f'{args} exited {result.returncode}:\n{result.stdout[-3000:]}\n'
            f'{result.stderr[-3000:]}')
    return result


@pytest.fixture
def run_tool():
    """``run_tool(['tools/train.py', ...])`` runs ``python`` with those
    arguments in the repository and returns the CompletedProcess; a non-zero
    exit fails the test unless ``check=False``."""
    return _run_tool


@pytest.fixture(scope='session')
def tiny_teacher_ckpt(tmp_path_factory):
    """Path of a saved (random, seeded) teacher of ``tiny_kd.py``, written
    as mmengine writes checkpoints (``{'state_dict': ...}``)."""
    import torch
    from mmengine.config import Config

    from gankd.registry import MODELS, scope_config_types
    cfg = Config.fromfile(os.path.join(TEST_CONFIGS, 'tiny_kd.py'))
    torch.manual_seed(1)
    teacher = MODELS.build(scope_config_types(cfg.teacher.to_dict()))
    teacher.init_weights()
    path = str(tmp_path_factory.mktemp('teacher') / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, path)
    return path
