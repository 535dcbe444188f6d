"""Seeds as a dataset: training data for models that learn from a frozen
generator's samples (the latent encoder)."""
from torch.utils.data import Dataset

from gankd.errors import UserError
from gankd.registry import DATASETS

__all__ = ['LatentSeedDataset']


@DATASETS.register_module()
class LatentSeedDataset(Dataset):
    """Sample ``i`` is ``dict(seed=offset + i, sample_idx=i)``: nothing else.

    The model draws its latent code from ``torch.Generator().manual_seed(
    seed)`` (see :func:`gankd.models.gans.sampling.seeded_latents`), so a
    sample depends on its index only: not on the batch, the worker, the
    process or the order of access, and a resumed run sees the same codes.
    Batches collate (mmengine's ``pseudo_collate``) to ``dict(seed=[...],
    sample_idx=[...])``.

    Args:
        num_samples (int): number of distinct codes (>= 1). With an
            infinite sampler, the number of training codes before they
            repeat; make it larger than ``batch size * iterations`` for
            fresh codes every batch.
        offset (int): first seed (>= 0): offsets give disjoint code sets
            (e.g. a held-out set of generator samples).
    """

    def __init__(self, num_samples: int, offset: int = 0) -> None:
        if int(num_samples) < 1 or int(offset) < 0:
            raise UserError(
                f'LatentSeedDataset(num_samples={num_samples}, offset='
                f'{offset}): give num_samples >= 1 and offset >= 0')
        self.num_samples, self.offset = int(num_samples), int(offset)

    @property
    def metainfo(self) -> dict:
        """mmengine's dataset meta (nothing to describe)."""
        return dict()

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int) -> dict:
        if not -self.num_samples <= index < self.num_samples:
            raise IndexError(f'index {index} out of range for '
                             f'{self.num_samples} seeds')
        index = index % self.num_samples
        return dict(seed=self.offset + index, sample_idx=index)
