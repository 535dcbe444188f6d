"""Read-only checks of a Residual KD config, run before the Runner exists
(the ``gankd_check_config`` hook)."""
from typing import List

__all__ = ['check_residual_kd_config']


def check_residual_kd_config(command: str, cfg) -> List[str]:
    """Problems of a training config whose model is a
    ``ResidualKDDistiller``, one line each: phases are switched by
    ``PhaseScheduleHook`` (without it a progressive run would stay in its
    first phase, silently) and must cover ``train_cfg.max_epochs``."""
    model = cfg.get('model')
    if command != 'train' or not isinstance(model, dict) or \
            str(model.get('type', '')).rpartition('.')[2] != \
            'ResidualKDDistiller':
        return []
    problems = []
    hooks = cfg.get('custom_hooks') or []
    if not any(str(h.get('type', '')).rpartition('.')[2] ==
               'PhaseScheduleHook' for h in hooks):
        problems.append(
            "custom_hooks: ResidualKDDistiller trains in phases; add "
            "custom_hooks=[dict(type='PhaseScheduleHook')].")
    epochs = model.get('phase_epochs')
    max_epochs = (cfg.get('train_cfg') or {}).get('max_epochs')
    if isinstance(epochs, dict) and max_epochs is not None and \
            sum(epochs.values()) != max_epochs:
        problems.append(
            f'model.phase_epochs: {dict(epochs)} sum to '
            f'{sum(epochs.values())} but train_cfg.max_epochs is '
            f'{max_epochs}; make them equal.')
    return problems
