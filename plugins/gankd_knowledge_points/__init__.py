"""gankd_knowledge_points: knowledge points of a classifier, to explain
knowledge distillation (Cheng et al., "Explaining Knowledge Distillation by
Quantifying the Knowledge", CVPR 2020; Zhang et al., TPAMI 2023).

Registers
:class:`~gankd_knowledge_points.knowledge_points_probe.KnowledgePointsProbe`
(a ``BaseProbe`` over a frozen classifier): per image, the Gaussian noise
each input cell tolerates at a layer (sigma, batched over images and noise
samples), its entropy map, knowledge points and the metrics N_fg, N_bg,
lambda, rho and D_mean / D_std / D_var. The training-side hooks
(``CheckpointAtEpochsHook``, ``WeightDistanceHook``) are in
``gankd.engine.hooks``. Also registers
:class:`~gankd_knowledge_points.experiment_analysis.KnowledgePointsAnalysis`
(a task util), the analysis half of ``gankd knowledge-points``. See
README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_knowledge_points.knowledge_points_probe import \
        KnowledgePointsProbe
    registrar.register('model', KnowledgePointsProbe)
    from gankd_knowledge_points.experiment_analysis import \
        KnowledgePointsAnalysis
    registrar.register('task util', KnowledgePointsAnalysis)
