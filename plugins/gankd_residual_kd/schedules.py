"""The two Residual KD schedules as training phases (see
:class:`gankd.models.distillers.Phase`)."""
from typing import Dict, List, Optional

__all__ = ['SCHEDULES', 'check_phase_epochs', 'residual_kd_phases']

#: schedule -> phases that need epochs (progressive may add ``finetune``).
SCHEDULES = {
    'progressive': ('student', 'assistant', 'head'),
    'end2end': ('end2end', ),
}

# Module paths inside the distiller (``student`` is the combined classifier).
_S = 'student.backbone.student'
_S_CONNECTOR = 'student.backbone.student_connector'
_A = 'student.backbone.assistant'


def check_phase_epochs(schedule: str,
                       phase_epochs: Optional[dict]) -> Dict[str, int]:
    """``phase_epochs`` as ``{phase: int}`` after checking it names exactly
    the phases of ``schedule``.

    Raises:
        ValueError: one line naming the field, the schedule and an example.
    """
    required = SCHEDULES[schedule]
    allowed = set(required) | ({'finetune'} if schedule == 'progressive'
                               else set())
    example = (dict(student=6, assistant=6, head=3) if schedule ==
               'progressive' else dict(end2end=15))
    if not isinstance(phase_epochs, dict) or \
            set(required) - set(phase_epochs) or set(phase_epochs) - allowed:
        raise ValueError(
            f'ResidualKDDistiller: phase_epochs={phase_epochs!r} for '
            f"schedule='{schedule}'; give epochs for exactly "
            f'{", ".join(sorted(allowed))} (finetune optional), e.g. '
            f'phase_epochs={example} (they must sum to '
            'train_cfg.max_epochs).')
    return {k: int(v) for k, v in phase_epochs.items()}


def residual_kd_phases(schedule: str, epochs: Dict[str, int],
                       student_connector: bool) -> List[dict]:
    """Phase configs of ``schedule``; losses are ``'mimic'`` (L_S),
    ``'residual'`` (L_A) and ``'cls'`` (L_cls).

    * progressive: S and its connector on L_S; A (backbone and connector)
      on L_A; the head on L_cls; optionally everything on L_cls
      (``finetune``, when its epochs are > 0).
    * end2end: everything on all three losses.

    Args:
        schedule (str): ``'progressive'`` or ``'end2end'``.
        epochs (dict): From :func:`check_phase_epochs`.
        student_connector (bool): Whether the student branch has one.
    """
    if schedule == 'end2end':
        return [dict(name='end2end', epochs=epochs['end2end'],
                     trainable=['student'],
                     losses=['mimic', 'residual', 'cls'])]
    student = [_S] + ([_S_CONNECTOR] if student_connector else [])
    phases = [
        dict(name='student', epochs=epochs['student'], trainable=student,
             losses=['mimic']),
        dict(name='assistant', epochs=epochs['assistant'], trainable=[_A],
             losses=['residual']),
        dict(name='head', epochs=epochs['head'], trainable=['student.head'],
             losses=['cls']),
    ]
    if epochs.get('finetune', 0) > 0:
        phases.append(dict(name='finetune', epochs=epochs['finetune'],
                           trainable=['student'], losses=['cls']))
    return phases
