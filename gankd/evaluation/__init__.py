"""gankd metrics.

Importing this package registers them in :data:`gankd.registry.METRICS` (the
registry imports it on first lookup).
"""
from .attribute_metric import AttributeMetric

__all__ = ['AttributeMetric']
