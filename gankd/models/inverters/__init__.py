"""GAN inversion: observations to latent codes of a frozen generator.

The shared pieces of every inverter (the loss, perceptual feature nets and
the optimisation loop) and the single-code inverters. Importing this
package registers them in MODELS.
"""
from .classifier_features import ClassifierFeatures
from .code_optimizer import optimize_codes
from .discriminator_features import DiscriminatorFeatures
from .encoder_trainer import LatentEncoderTrainer
from .inversion_loss import InversionLoss
from .latent_encoder import LatentEncoder, build_frozen_encoder
from .latent_inverter import EncoderInverter, InverterError, LatentInverter
from .vgg16_features import FeatureNetError, VGG16Features

__all__ = ['InversionLoss', 'optimize_codes', 'ClassifierFeatures',
           'DiscriminatorFeatures', 'VGG16Features', 'FeatureNetError',
           'LatentEncoder', 'build_frozen_encoder', 'LatentEncoderTrainer',
           'LatentInverter', 'EncoderInverter', 'InverterError']
