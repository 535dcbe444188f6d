"""Step-cost measurement: every phase is timed, and the student reference
is the deployed network on the same preprocessed batch."""
import pytest

from gankd.apis.step_cost import StepCost, measure_step_costs, model_complexity
from gankd.utils.complexity import count_flops

CONFIG = 'tests/data/configs/tiny_sskd.py'


def test_every_phase_is_timed_and_ratio_uses_the_costliest():
    cost = measure_step_costs(CONFIG, {}, batch_size=4, iters=1, warmup=0)
    assert list(cost.phase_ms) == ['stage1', 'stage2', 'stage3', 'head']
    assert all(ms > 0 for ms in cost.phase_ms.values())
    manual = StepCost({'a': 3.0, 'b': 6.0}, student_ms=2.0, teacher_ms=1.0)
    assert manual.ratio == pytest.approx(2.0)


def test_complexity_is_the_deployed_students():
    from gankd.apis.config import build_model
    from gankd.config import load_config
    params, flops = model_complexity(CONFIG, {})
    student = build_model(load_config(CONFIG)).student
    assert params == sum(p.numel() for p in student.parameters())
    assert flops == count_flops(student)  # not the teacher's, not both
