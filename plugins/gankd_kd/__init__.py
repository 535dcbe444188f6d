"""gankd_kd: Hinton et al.'s knowledge distillation, the baseline distiller.

Registers :class:`~gankd_kd.kd_distiller.KDDistiller`. Configs:
``configs/kd/``.
"""
from gankd import hookimpl


@hookimpl
def gankd_register_modules(registrar):
    # Imported here: gankd loads plugins lazily, on first registry lookup.
    from gankd_kd.kd_distiller import KDDistiller
    registrar.register('model', KDDistiller)
