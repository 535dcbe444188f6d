"""Step-cost measurement: every phase is timed, with and without the
teacher cache, the student reference is the deployed network on the same
preprocessed batch, and ratios come from interleaved rounds, so a machine
whose speed changes during the run does not bias them."""
import pytest

from gankd.apis.step_cost import (StepCost, interleaved_times,
                                  measure_step_costs, median_ratio,
                                  model_complexity)
from gankd.utils.complexity import count_flops

CONFIG = 'tests/data/configs/tiny_sskd.py'


def test_every_phase_is_timed_cached_too_and_ratio_uses_the_costliest():
    cost = measure_step_costs(CONFIG, {}, batch_size=4, rounds=1, warmup=1)
    phases = ['stage1', 'stage2', 'stage3', 'head']
    assert list(cost.phase_ms) == list(cost.phase_ratio) == phases
    assert list(cost.cached_ms) == list(cost.cached_ratio) == phases
    assert all(ms > 0 for ms in cost.phase_ms.values())
    # The warm-up round filled the cache: timed cached steps read it all.
    assert cost.cached_misses == 0
    manual = StepCost({'a': 3.0, 'b': 6.0}, student_ms=2.0, teacher_ms=1.0)
    assert manual.ratio == pytest.approx(2.0)


class DriftingMachine:
    """A fake clock: each call costs its work times the machine's slowness,
    which triples after the first rounds (another job starting)."""

    def __init__(self):
        self.now, self.calls = 0.0, []

    def clock(self):
        return self.now

    def work(self, name, units):
        def run():
            self.calls.append(name)
            slow = 1.0 if len(self.calls) <= 6 else 3.0
            self.now += units * slow
        return run


def test_ratios_from_interleaved_rounds_are_immune_to_drift():
    machine = DriftingMachine()
    contenders = {'distill': (None, machine.work('distill', 3.0)),
                  'student': (None, machine.work('student', 1.0)),
                  'teacher': (None, machine.work('teacher', 2.0))}
    times = interleaved_times(contenders, rounds=5, warmup=0,
                              clock=machine.clock)
    # Order reversed every other round: no contender is always first.
    assert machine.calls[:6] == ['distill', 'student', 'teacher',
                                 'teacher', 'student', 'distill']
    # 3 / (1 + 2) in every round, although the machine slowed down 3x
    # after two rounds (timing 'distill' in its own block first, then the
    # others, would have given 3 / (3 + 6) = 0.33).
    assert median_ratio(times['distill'], times['student'],
                        times['teacher']) == 1.0
    assert median_ratio(times['distill'], times['student']) == 3.0


def test_complexity_is_the_deployed_students():
    from gankd.apis.config import build_model
    from gankd.config import load_config
    params, flops = model_complexity(CONFIG, {})
    student = build_model(load_config(CONFIG)).student
    assert params == sum(p.numel() for p in student.parameters())
    assert flops == count_flops(student)  # not the teacher's, not both
