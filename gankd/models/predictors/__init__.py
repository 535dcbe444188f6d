"""Frozen predictors that read GAN images: ``FrozenClassifier`` (shared
loading and preprocessing of trained classifiers)."""
from .frozen_classifier import FrozenClassifier

__all__ = ['FrozenClassifier']
