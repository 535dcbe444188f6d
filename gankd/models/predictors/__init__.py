"""Frozen predictors that read GAN images: ``AttributeScorer`` (images ->
named signed attribute scores, registered in MODELS) and
``FrozenClassifier`` (the loading and preprocessing of trained classifiers
that it shares with ``ClassifierFeatureExtractor``)."""
from .attribute_scorer import AttributeScorer
from .frozen_classifier import FrozenClassifier
from .semantic_specs import SemanticSpecError

__all__ = ['AttributeScorer', 'FrozenClassifier', 'SemanticSpecError']
