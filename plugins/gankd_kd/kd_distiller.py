"""Hinton et al., "Distilling the Knowledge in a Neural Network" (2015)."""
from typing import Optional

from gankd.models.distillers import SingleTeacherDistiller

__all__ = ['KDDistiller']

_TEACHER_LOGITS = dict(logits=dict(type='ModuleOutputsRecorder',
                                   source='head.fc'))


class KDDistiller(SingleTeacherDistiller):
    """Classic KD: the student learns the labels and the teacher's softened
    class probabilities::

        loss = student_loss_weight * CE(s, y)
               + kd_weight * tau^2 * KL(softmax(t / tau) || softmax(s / tau))

    Defaults follow the usual CIFAR-100 KD benchmarks (CRD's code base):
    ``tau=4``, KD weight 0.9, CE weight 0.1.

    One teacher forward per step, in inference mode; its logits come from a
    recorder on the teacher head's ``fc`` (change ``teacher_recorders`` for
    a head without one). The student runs once and its logits serve both
    terms. Deploys the student alone.

    Args:
        student (dict): Student classifier config.
        teacher (dict): Teacher classifier config.
        teacher_ckpt (str, optional): Teacher weights.
        distill_loss (dict): The soft-target loss. Defaults to
            ``KLDivergenceLoss(tau=4, loss_weight=0.9)``.
        student_loss_weight (float): Multiplies the student head's own
            (cross-entropy) loss. Defaults to 0.1.
        teacher_recorders (dict, optional): Must contain ``logits``.
        **kwargs: passed to :class:`SingleTeacherDistiller`.
    """

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: dict = dict(type='KLDivergenceLoss', tau=4.0,
                                           loss_weight=0.9),
                 student_loss_weight: float = 0.1,
                 teacher_recorders: Optional[dict] = None,
                 **kwargs) -> None:
        teacher_recorders = dict(teacher_recorders or _TEACHER_LOGITS)
        if 'logits' not in teacher_recorders:
            raise ValueError("KDDistiller: teacher_recorders needs a "
                             "'logits' recorder (the teacher's class scores).")
        super().__init__(student, teacher, teacher_ckpt=teacher_ckpt,
                         teacher_recorders=teacher_recorders,
                         distill_losses=dict(kd=distill_loss), **kwargs)
        self.student_loss_weight = float(student_loss_weight)

    def loss(self, inputs, data_samples) -> dict:
        """``inputs [N, C, H, W]`` -> ``student.loss_ce``,
        ``distill.loss_kd``."""
        teacher_logits = self.teacher_features(
            inputs, ['logits'], data_samples=data_samples)['logits']
        logits = self.student(inputs, mode='tensor')  # [N, K]
        return {
            'student.loss_ce': self.student_loss_weight *
            self.task_loss(self.student, logits, data_samples),
            'distill.loss_kd': self.distill_losses['kd'](logits,
                                                         teacher_logits),
        }
