"""gankd_sskd: stage-by-stage knowledge distillation (Gao, Shen et al., "An
Embarrassingly Simple Approach for Knowledge Distillation", arXiv
1812.01819; first titled "Feature Matters: A Stage-by-Stage Approach for
Knowledge Transfer").

Not to be confused with Xu et al.'s "Knowledge Distillation Meets
Self-Supervision" (ECCV 2020), also called SSKD. Registers
:class:`~gankd_sskd.stage_by_stage_distiller.StageByStageDistiller`.
Configs: ``configs/sskd/``.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_sskd.stage_by_stage_distiller import StageByStageDistiller
    registrar.register('model', StageByStageDistiller)
