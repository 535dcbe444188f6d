"""Connectors: small trainable adapters that map a student feature onto the
teacher's shape before a feature loss (registered in MODELS); used only for
the loss and dropped when the student is exported."""
from .conv_bn_connector import ConvBNConnector

__all__ = ['ConvBNConnector']
