"""Frozen feature extractors for distribution metrics (FID-style): images
in ``[-1, 1]`` RGB -> features ``[N, D]``; registered in MODELS."""
from .classifier_feature_extractor import ClassifierFeatureExtractor
from .inception_feature_extractor import InceptionFeatureExtractor

__all__ = ['ClassifierFeatureExtractor', 'InceptionFeatureExtractor']
