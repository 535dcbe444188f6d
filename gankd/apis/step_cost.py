"""Measure what a distiller's training step costs against the network it
deploys: ``step / (student train step + teacher inference forward)``, and
with the teacher cache warm ``step / student train step``.

The budget of issue 3 is 1.15: distillation may add bookkeeping (recorders,
connectors, losses) but never a second teacher pass or unused features.
With the teacher cache, epochs after the first should cost at most 1.1x
the student's own step (issue 14).

All contenders run interleaved in one process: each round times every one
of them once (the order reversed every other round), ratios are taken
within a round and the median over rounds is reported. Timing each part in
its own block of repeats, as this module once did, let the load of this
shared machine change between blocks: the same model measured 1.10 and
0.36 in two calls of one run.
"""
import copy
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import torch
from mmengine.optim import OptimWrapper

__all__ = ['StepCost', 'measure_step_costs', 'model_complexity',
           'interleaved_times', 'median_ratio']

#: contender name -> (untimed setup or None, the timed call)
Contenders = Dict[str, Tuple[Optional[Callable[[], None]],
                             Callable[[], None]]]


@dataclass
class StepCost:
    """Milliseconds per step at batch ``B`` (medians over rounds) and
    ratios (medians of per-round ratios)."""
    phase_ms: Dict[str, float]  # distiller train step, per phase
    student_ms: float  # the deployed network's own train step
    teacher_ms: float  # teacher forward, inference mode
    #: phase step / (student step + teacher forward), per phase
    phase_ratio: Dict[str, float] = field(default_factory=dict)
    #: phase step with the teacher cache warm (epochs after the first)
    cached_ms: Dict[str, float] = field(default_factory=dict)
    #: cached phase step / student step, per phase
    cached_ratio: Dict[str, float] = field(default_factory=dict)
    #: uncached phase step / student step, per phase
    student_ratio: Dict[str, float] = field(default_factory=dict)
    #: teacher rows computed during the timed cached steps (0: all hits)
    cached_misses: int = 0
    rounds: int = 0

    @property
    def ratio(self) -> float:
        """Costliest phase over (student step + teacher forward)."""
        if self.phase_ratio:
            return max(self.phase_ratio.values())
        return max(self.phase_ms.values()) / (self.student_ms +
                                              self.teacher_ms)


def interleaved_times(contenders: Contenders, rounds: int, warmup: int = 1,
                      clock: Callable[[], float] = time.perf_counter,
                      after_warmup: Optional[Callable[[], None]] = None
                      ) -> Dict[str, List[float]]:
    """Seconds of each contender's call, one per round.

    Every round calls each contender once (setup untimed, then the call
    timed), in the given order on even rounds and reversed on odd ones, so
    a slow-down of the machine hits all contenders of a round alike and
    none is always first or last. ``warmup`` untimed rounds come first,
    then ``after_warmup()``.
    """
    names = list(contenders)
    times = {name: [] for name in names}
    for r in range(warmup + rounds):
        if r == warmup and after_warmup is not None:
            after_warmup()
        for name in (names if r % 2 == 0 else names[::-1]):
            setup, call = contenders[name]
            if setup is not None:
                setup()
            start = clock()
            call()
            if r >= warmup:
                times[name].append(clock() - start)
    return times


def median_ratio(numerator: List[float], *denominator: List[float]) -> float:
    """Median over rounds of ``numerator[r] / sum(d[r] for d in
    denominator)``."""
    return statistics.median(n / sum(d) for n, *d in
                             zip(numerator, *denominator))


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


def _batch(batch_size: int, size: int = 32, num_classes: int = 10):
    """A batch whose samples are dataset indices ``0..B-1`` (the keys of
    the teacher cache)."""
    from mmpretrain.structures import DataSample
    generator = torch.Generator().manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 256, (3, size, size), generator=generator,
                              dtype=torch.uint8) for _ in range(batch_size)],
        data_samples=[DataSample(metainfo=dict(sample_idx=i))
                      .set_gt_label(i % num_classes)
                      for i in range(batch_size)])


def _sgd(model) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3,
                                        momentum=0.9))


def _phase_steps(distiller, data, prefix: str) -> Contenders:
    wrapper = _sgd(distiller)
    distiller.train()
    return {f'{prefix}{phase.name}': (
        lambda i=index: distiller.set_phase(i),
        lambda: distiller.train_step(data, wrapper))
        for index, phase in enumerate(distiller.phases)}


def _cached_distiller(config: str, options: dict, data, cache_dir: str):
    """The distiller of ``config`` with a teacher cache bound to the batch
    (as if the batch were the dataset), or None without a teacher."""
    from gankd.models.distillers import SingleTeacherDistiller
    distiller = _build(config, dict(options, **{
        'model.teacher_cache': dict(dir=cache_dir)}))
    if not isinstance(distiller, SingleTeacherDistiller):
        return None
    inputs = distiller.data_preprocessor(data, False)['inputs']
    distiller.bind_teacher_cache(
        dict(type='step-cost batch', pipeline=[]), len(inputs), inputs[:1])
    return distiller


def measure_step_costs(config: str, options: dict, batch_size: int = 64,
                       rounds: int = 15, warmup: int = 2,
                       cached: bool = True) -> StepCost:
    """Time, interleaved on the same batch: each phase's training step of
    the distiller in ``config``, the same with its teacher cache warm
    (``cached``; the warm-up rounds fill it), the deployed network's plain
    training step and the teacher's inference forward."""
    from gankd.registry import MODELS, scope_config_types
    distiller = _build(config, options)
    data = _batch(batch_size)
    contenders = _phase_steps(distiller, data, 'phase:')
    student = MODELS.build(scope_config_types(
        copy.deepcopy(distiller.deployable_config())))
    # The same preprocessing as the distiller, so only the step differs.
    student.data_preprocessor = distiller.data_preprocessor
    student.train()
    student_wrapper = _sgd(student)
    contenders['student'] = (
        None, lambda: student.train_step(data, student_wrapper))
    inputs = distiller.data_preprocessor(data, True)['inputs']

    def teacher_forward():
        with torch.inference_mode():
            distiller.teacher(inputs, mode='tensor')

    contenders['teacher'] = (None, teacher_forward)
    with tempfile.TemporaryDirectory() as cache_dir:
        warm = _cached_distiller(config, options, data, cache_dir) \
            if cached else None
        if warm is not None:
            contenders.update(_phase_steps(warm, data, 'cached:'))
        # The warm-up rounds fill the cache; count misses after them only.
        times = interleaved_times(
            contenders, rounds, warmup, after_warmup=None if warm is None
            else warm.cached_teacher.take_stats)
        misses = 0
        if warm is not None:
            misses = warm.cached_teacher.take_stats()['misses']
            warm.close_teacher_cache()

    def ms(name):
        return 1000 * statistics.median(times[name])

    phases = [p.name for p in distiller.phases]
    student_t, teacher_t = times['student'], times['teacher']
    cost = StepCost(
        phase_ms={p: ms(f'phase:{p}') for p in phases},
        student_ms=ms('student'), teacher_ms=ms('teacher'),
        phase_ratio={p: median_ratio(times[f'phase:{p}'], student_t,
                                     teacher_t) for p in phases},
        student_ratio={p: median_ratio(times[f'phase:{p}'], student_t)
                       for p in phases},
        rounds=rounds)
    if warm is not None:
        cost.cached_ms = {p: ms(f'cached:{p}') for p in phases}
        cost.cached_ratio = {p: median_ratio(times[f'cached:{p}'], student_t)
                             for p in phases}
        cost.cached_misses = misses
    return cost
