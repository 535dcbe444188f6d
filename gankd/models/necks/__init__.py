"""Necks for mmpretrain classifiers (registered in gankd MODELS)."""
from .pooled_batch_norm_neck import PooledBatchNormNeck, fold_batch_norm_neck

__all__ = ['PooledBatchNormNeck', 'fold_batch_norm_neck']
