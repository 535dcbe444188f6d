"""The training compute of a config: FLOPs per image of one training step
in each phase, and their total over the schedule.

Counted by torch (``gankd.utils.complexity.count_call_flops``: 2 x the
multiply-adds of every convolution and matrix product that runs, forwards
and backwards, teacher included), not by formula, so a phase that stops
its forwards early or freezes half the network costs what it really runs.
The benchmark uses it to give the baseline student and KD the training
budget of the costliest method.
"""
from dataclasses import dataclass
from typing import Dict

__all__ = ['TrainingCompute', 'training_compute']


@dataclass
class TrainingCompute:
    """Per phase: epochs and FLOPs per training image of one step."""
    epochs: Dict[str, int]
    flops_per_image: Dict[str, float]

    def total(self, num_images: int) -> float:
        """FLOPs of the whole schedule on ``num_images`` per epoch."""
        return sum(self.epochs[name] * num_images * flops
                   for name, flops in self.flops_per_image.items())

    def per_epoch(self, num_images: int) -> float:
        """Mean FLOPs of one epoch of the schedule."""
        return self.total(num_images) / sum(self.epochs.values())


def training_compute(config: str, options: dict,
                     batch_size: int = 8) -> TrainingCompute:
    """The compute of ``config`` after ``options``: a distiller's phases
    (its own epochs each), or one phase ``'train'`` of
    ``train_cfg.max_epochs`` for a plain classifier. The teacher is left
    random: counting does not need its weights."""
    import torch
    from mmengine.optim import OptimWrapper

    from gankd.apis.step_cost import _batch
    from gankd.apis.config import build_model
    from gankd.config import load_config
    from gankd.utils.complexity import count_call_flops
    cfg = load_config(config, dict(options))
    model = build_model(cfg)
    data = _batch(batch_size)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    model.train()

    def step_flops() -> float:
        return count_call_flops(
            lambda: model.train_step(data, wrapper)) / batch_size

    phases = getattr(model, 'phases', None)
    if not phases or len(phases) == 1:  # one phase: the whole schedule
        return TrainingCompute({'train': int(cfg.train_cfg.max_epochs)},
                               {'train': step_flops()})
    epochs, flops = {}, {}
    for index, phase in enumerate(phases):
        model.set_phase(index)
        epochs[phase.name], flops[phase.name] = phase.epochs, step_flops()
    return TrainingCompute(epochs, flops)
