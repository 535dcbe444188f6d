"""gankd datasets: embedded procedural datasets and real-format loaders.

Importing this package registers every dataset in
:data:`gankd.registry.DATASETS` (the registry imports it on first lookup).
"""
from .attribute_list_dataset import AttributeListDataset
from .latent_seed_dataset import LatentSeedDataset
from .procedural_dataset import ProceduralDataset
from .synth_faces import SynthFaces
from .synth_shapes import SynthShapes

__all__ = [
    'ProceduralDataset', 'SynthShapes', 'SynthFaces', 'AttributeListDataset',
    'LatentSeedDataset'
]
