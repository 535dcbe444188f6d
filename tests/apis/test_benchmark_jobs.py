"""``--jobs``: trainings after the teacher run several at once, each with
its share of the cores (the teacher, alone, has them all); the report is
the one a single job gives, and a failed training leaves the others saved,
which ``--report-only`` reports without training."""
import threading

import pytest

from gankd.apis import benchmark

PLAIN = 'tests/data/configs/tiny_synthshapes.py'
KD = 'tests/data/configs/tiny_kd.py'
RUNS = [benchmark.Run('teacher', PLAIN, distiller=False),
        benchmark.Run('plain', PLAIN, distiller=False),
        benchmark.Run('kd', KD)]
TOP1 = {PLAIN: 40.0, KD: 60.0}


def _stub(monkeypatch, tmp_path, train):
    monkeypatch.setattr(benchmark, 'RUNS', RUNS)
    monkeypatch.setitem(benchmark.PRESETS, 'tiny', benchmark.Preset(
        seeds=[0, 1], data='tiny', num_images=100))
    monkeypatch.setattr(benchmark, '_train', train)
    monkeypatch.setattr(benchmark, '_test',
                        lambda run, options, work, env=None: TOP1[run.config])
    monkeypatch.setattr(benchmark, '_train_speed', lambda work: 100.0)
    monkeypatch.setattr(benchmark, '_last_checkpoint',
                        lambda work: f'{work}/epoch_1.pth')
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.setattr(benchmark.os, 'cpu_count', lambda: 4)


def _table(report):
    return [line for line in report.splitlines() if line.startswith('|')]


def test_two_jobs_train_at_once_after_the_teacher(tmp_path, monkeypatch):
    barrier = threading.Barrier(2, timeout=20)
    calls = []

    def train(run, seed, options, work, progress, env=None):
        calls.append((run.name, seed, options.get('model.teacher_ckpt'),
                      dict(env or {})))
        if run.name != 'teacher':
            barrier.wait()  # two trainings in flight, or a timeout
        return 10.0

    _stub(monkeypatch, tmp_path, train)
    report = benchmark.run_benchmark('tiny', str(tmp_path / 'two'),
                                     output=str(tmp_path / 'two.md'),
                                     step_cost=False, all_rows=True, jobs=2)
    assert calls[0][0] == 'teacher' and len(calls) == 5
    # Costliest first (KD runs the teacher too), whatever the table order.
    assert [name for name, *_ in calls[1:]] == ['kd', 'kd', 'plain', 'plain']
    teacher = f"{tmp_path / 'two' / 'teacher' / 'seed0'}/epoch_1.pth"
    assert all(ckpt == teacher for name, _, ckpt, _ in calls if name == 'kd')
    # 4 cores, 2 jobs: 2 threads each; the teacher, alone, all of them.
    assert calls[0][3] == {}
    assert all(env == {'OMP_NUM_THREADS': '2'} for *_, env in calls[1:])

    def train_alone(run, seed, options, work, progress, env=None):
        assert env in (None, {})
        return 10.0

    monkeypatch.setattr(benchmark, '_train', train_alone)
    single = benchmark.run_benchmark('tiny', str(tmp_path / 'one'),
                                     output=str(tmp_path / 'one.md'),
                                     step_cost=False, all_rows=True, jobs=1)
    assert _table(report) == _table(single)
    rows = {line.split(' | ')[0]: line for line in _table(report)}
    assert '| 60.00 ± 0.00 |' in rows['| kd']


def test_a_failed_training_leaves_the_others_saved_and_reported(
        tmp_path, monkeypatch):
    def train(run, seed, options, work, progress, env=None):
        if run.name == 'kd' and seed == 1:
            raise RuntimeError('training kd (seed 1) failed; see its log')
        return 10.0

    _stub(monkeypatch, tmp_path, train)
    with pytest.raises(RuntimeError, match=r'kd, seed 1: training kd'):
        benchmark.run_benchmark('tiny', str(tmp_path / 'work'),
                                output=str(tmp_path / 'out.md'),
                                step_cost=False, all_rows=True, jobs=2)
    saved = sorted(p.parent.parent.name + '/' + p.parent.name
                   for p in (tmp_path / 'work').glob('*/*/result.json'))
    assert saved == ['kd/seed0', 'plain/seed0', 'plain/seed1',
                     'teacher/seed0']

    def no_training(*args, **kwargs):
        raise AssertionError('--report-only trained')

    monkeypatch.setattr(benchmark, '_train', no_training)
    report = benchmark.run_benchmark('tiny', str(tmp_path / 'work'),
                                     output=str(tmp_path / 'out.md'),
                                     step_cost=False, all_rows=True,
                                     train=False)
    rows = {line.split(' | ')[0]: line for line in _table(report)}
    assert '| 60.00 (1 of 2 seeds) |' in rows['| kd']
    assert '| 40.00 ± 0.00 |' in rows['| plain']
    assert '| +20.00 |' in rows['| kd']  # against the baseline's mean
