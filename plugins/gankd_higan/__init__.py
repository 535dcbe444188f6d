"""gankd_higan: HiGAN (Yang, Shen and Zhou, "Semantic Hierarchy Emerges in
Deep Generative Representations for Scene Synthesis", IJCV 2020).

Registers
:class:`~gankd_higan.layerwise_semantic_probe.LayerwiseSemanticProbe` (a
``BaseProbe``): which layers of a layer-wise generator control which
semantics. Boundaries for semantics at several abstraction levels,
layer-wise re-scoring, a layer x semantic heat map, the chosen layers per
semantic and edits restricted to them. Builds on gankd_interfacegan's
boundaries. See README.md.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_higan.layerwise_semantic_probe import LayerwiseSemanticProbe
    registrar.register('model', LayerwiseSemanticProbe)
