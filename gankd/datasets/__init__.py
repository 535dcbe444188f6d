"""gankd datasets: embedded procedural datasets and real-format loaders.

Importing this package registers every dataset in
:data:`gankd.registry.DATASETS` and every transform in
:data:`gankd.registry.TRANSFORMS` (the registries import it on first
lookup).
"""
from .attribute_list_dataset import AttributeListDataset
from .latent_seed_dataset import LatentSeedDataset
from .procedural_dataset import ProceduralDataset
from .reference_pair_dataset import ReferencePairDataset
from .synth_faces import SynthFaces
from .synth_shapes import SynthShapes
from .transforms import (PackRestorationInputs, RandomDownsample,
                         RandomGaussianBlur, RandomGaussianNoise, RandomJPEG,
                         ResizeLike)

__all__ = [
    'ProceduralDataset', 'SynthShapes', 'SynthFaces', 'AttributeListDataset',
    'LatentSeedDataset', 'ReferencePairDataset', 'RandomGaussianBlur',
    'RandomDownsample', 'RandomGaussianNoise', 'RandomJPEG', 'ResizeLike',
    'PackRestorationInputs'
]
