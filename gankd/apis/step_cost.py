"""Measure what a distiller's training step costs against the network it
deploys: ``step / (student train step + teacher inference forward)``.

The budget of issue 3 is 1.15: distillation may add bookkeeping (recorders,
connectors, losses) but never a second teacher pass or unused features.
"""
import copy
import time
from dataclasses import dataclass
from typing import Dict, Tuple

import torch
from mmengine.optim import OptimWrapper

__all__ = ['StepCost', 'measure_step_costs', 'model_complexity']


@dataclass
class StepCost:
    """Milliseconds per step, batch ``B``, medians of timed repeats."""
    phase_ms: Dict[str, float]  # distiller train step, per phase
    student_ms: float  # the deployed network's own train step
    teacher_ms: float  # teacher forward, inference mode

    @property
    def ratio(self) -> float:
        """Costliest phase over (student step + teacher forward)."""
        return max(self.phase_ms.values()) / (self.student_ms +
                                              self.teacher_ms)


def _build(config: str, options: dict):
    """The model of ``config`` after ``options``, teacher left random
    (timing and counting do not need its weights)."""
    from gankd.apis.config import build_model
    from gankd.config import load_config
    return build_model(load_config(config, dict(options)))


def model_complexity(config: str, options: dict) -> Tuple[int, int]:
    """(params, FLOPs per 32x32 image) of the network ``config`` deploys."""
    from gankd.kinds import BaseDistiller
    from gankd.utils.complexity import count_flops, count_params
    model = _build(config, options)
    if isinstance(model, BaseDistiller):
        model = model.export()[0]
    return count_params(model), count_flops(model)


def _median_ms(step, iters: int, warmup: int) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[len(times) // 2]


def _batch(batch_size: int, size: int = 32, num_classes: int = 10):
    from mmpretrain.structures import DataSample
    generator = torch.Generator().manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 256, (3, size, size), generator=generator,
                              dtype=torch.uint8) for _ in range(batch_size)],
        data_samples=[DataSample().set_gt_label(i % num_classes)
                      for i in range(batch_size)])


def measure_step_costs(config: str, options: dict, batch_size: int = 64,
                       iters: int = 10, warmup: int = 3) -> StepCost:
    """Time each phase's training step of the distiller in ``config``, the
    deployed network's plain training step and the teacher's inference
    forward, on the same batch."""
    from gankd.registry import MODELS, scope_config_types
    distiller = _build(config, options)
    data = _batch(batch_size)
    sgd = lambda m: OptimWrapper(  # noqa: E731
        torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9))
    wrapper = sgd(distiller)
    distiller.train()
    phase_ms = {}
    for index, phase in enumerate(distiller.phases):
        distiller.set_phase(index)
        phase_ms[phase.name] = _median_ms(
            lambda: distiller.train_step(data, wrapper), iters, warmup)

    student = MODELS.build(scope_config_types(
        copy.deepcopy(distiller.deployable_config())))
    # The same preprocessing as the distiller, so only the step differs.
    student.data_preprocessor = distiller.data_preprocessor
    student.train()
    student_wrapper = sgd(student)
    student_ms = _median_ms(lambda: student.train_step(data, student_wrapper),
                            iters, warmup)

    inputs = distiller.data_preprocessor(data, True)['inputs']

    def teacher_forward():
        with torch.inference_mode():
            distiller.teacher(inputs, mode='tensor')

    teacher_ms = _median_ms(teacher_forward, iters, warmup)
    return StepCost(phase_ms, student_ms, teacher_ms)
