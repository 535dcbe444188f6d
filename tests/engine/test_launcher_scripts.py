"""The launcher scripts run the project's interpreter: $PYTHON, else the
repository's .venv (what `make install` creates), else python from PATH.
Checked on a copy of tools/ with stand-in interpreters and srun that print
how they were called: no torch, no GPU, no Slurm needed."""
import os
import shutil
import stat
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPTS = {
    'dist_train.sh': ['CFG', '2'],
    'dist_test.sh': ['CFG', 'CKPT', '2'],
    'slurm_train.sh': ['PART', 'JOB', 'CFG', 'WORK'],
}


def stand_in(path, name):
    """An executable that prints its name and arguments, one per line."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as file:
        file.write(f'#!/bin/sh\necho {name}\nprintf "%s\\n" "$@"\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)


@pytest.fixture
def tree(tmp_path):
    """A copy of tools/ in a repository folder; srun and python stand-ins
    on PATH."""
    repo = tmp_path / 'repo'
    shutil.copytree(os.path.join(REPO, 'tools'), repo / 'tools',
                    ignore=shutil.ignore_patterns('*.py', 'analysis'))
    bin_dir = tmp_path / 'bin'
    stand_in(str(bin_dir / 'python'), 'PATH-python')
    stand_in(str(bin_dir / 'srun'), 'srun')
    env = {k: v for k, v in os.environ.items() if k != 'PYTHON'}
    env['PATH'] = f'{bin_dir}{os.pathsep}{env["PATH"]}'
    return repo, env


def run(repo, env, script):
    result = subprocess.run(
        ['bash', f'tools/{script}', *SCRIPTS[script]], cwd=str(repo),
        env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def interpreter(lines):
    """What ran as Python: the first line printed by a stand-in, or for
    srun the first argument that is an interpreter."""
    if lines[0] == 'srun':
        return next(line for line in lines if 'python' in line.lower())
    return lines[0]


@pytest.mark.parametrize('script', sorted(SCRIPTS))
def test_the_project_venv_is_preferred_to_python_on_path(tree, script):
    repo, env = tree
    venv_python = str(repo / '.venv' / 'bin' / 'python')
    stand_in(venv_python, venv_python)
    lines = run(repo, env, script)
    assert interpreter(lines) == venv_python  # absolute, from a relative call
    assert 'tools/train.py' in '\n'.join(lines) or \
        'tools/test.py' in '\n'.join(lines)


@pytest.mark.parametrize('script', sorted(SCRIPTS))
def test_python_from_path_without_a_venv(tree, script):
    repo, env = tree
    lines = run(repo, env, script)
    if lines[0] == 'srun':
        assert 'python' in lines  # srun runs it by name, from PATH
    else:
        assert lines[0] == 'PATH-python'


@pytest.mark.parametrize('script', sorted(SCRIPTS))
def test_an_explicit_python_wins(tree, script, tmp_path):
    repo, env = tree
    stand_in(str(repo / '.venv' / 'bin' / 'python'), 'venv-python')
    chosen = str(tmp_path / 'mine' / 'python3')
    stand_in(chosen, chosen)
    lines = run(repo, dict(env, PYTHON=chosen), script)
    assert interpreter(lines) == chosen
