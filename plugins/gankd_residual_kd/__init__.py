"""gankd_residual_kd: Residual Knowledge Distillation (Gao, Shen, Li & Loy,
"Residual Knowledge Distillation", arXiv 2002.09168).

Not mmrazor's ``RKD`` (Park et al.'s *Relational* KD): names here always say
"Residual KD". A student S mimics the teacher's features, an assistant A
learns the residual ``F_T - F_S`` and the deployed classifier adds them.

Registers
:class:`~gankd_residual_kd.residual_kd_distiller.ResidualKDDistiller`,
:class:`~gankd_residual_kd.student_assistant_backbone.StudentAssistantBackbone`
and :class:`~gankd_residual_kd.residual_assistant.ResidualAssistant`, and a
config check. Configs: ``configs/residual_kd/``; model separation:
:func:`gankd_residual_kd.separation.split_model` and
``tools/analysis/split_student_assistant.py``.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_residual_kd.residual_assistant import ResidualAssistant
    from gankd_residual_kd.residual_kd_distiller import ResidualKDDistiller
    from gankd_residual_kd.student_assistant_backbone import \
        StudentAssistantBackbone
    registrar.register('model', ResidualKDDistiller, StudentAssistantBackbone,
                       ResidualAssistant)


@hookimpl
def gankd_check_config(command, cfg):
    from gankd_residual_kd.config_check import check_residual_kd_config
    return check_residual_kd_config(command, cfg)
