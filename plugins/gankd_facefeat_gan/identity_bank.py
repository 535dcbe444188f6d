"""The training identities' mean embeddings, so that ``sample(identity=3)``
can name a person by index."""
import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from torch import Tensor, nn

from gankd.errors import UserError

__all__ = ['IdentityBank', 'UnknownIdentityError']


class UnknownIdentityError(UserError, KeyError):
    """An identity index the bank does not hold (one line, unquoted)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class IdentityBank(nn.Module):
    """Running sums of unit identity embeddings per training identity.

    Buffers (saved in checkpoints, resumed exactly): ``sums``
    ``[num_identities, dim]`` (float64) and ``counts`` ``[num_identities]``.
    :meth:`add` sums every process's batch (``all_reduce``), so each keeps
    the same bank; the embedding of identity ``i`` is the normalised mean
    of all its embeddings seen so far. Order does not matter (a sum), so a
    resumed run has the bank an unbroken one has.

    Args:
        num_identities (int): identities of the training set (labels
            ``0 .. num_identities - 1``).
        dim (int): embedding size.
    """

    def __init__(self, num_identities: int, dim: int) -> None:
        super().__init__()
        self.num_identities, self.dim = int(num_identities), int(dim)
        self.register_buffer('sums', torch.zeros(self.num_identities,
                                                 self.dim,
                                                 dtype=torch.float64))
        self.register_buffer('counts', torch.zeros(self.num_identities,
                                                   dtype=torch.float64))

    @torch.no_grad()
    def add(self, embeddings: Tensor, labels: Tensor) -> None:
        """Add ``[N, dim]`` embeddings of identities ``labels`` ``[N]``."""
        labels = labels.long().view(-1)
        if labels.numel() and (labels.min() < 0
                               or labels.max() >= self.num_identities):
            raise ValueError(
                f'IdentityBank: label {int(labels.max())} outside 0..'
                f'{self.num_identities - 1}; set num_identities to the '
                'dataset\'s number of identities')
        sums = torch.zeros_like(self.sums).index_add_(
            0, labels, embeddings.detach().to(self.sums))
        counts = torch.zeros_like(self.counts).index_add_(
            0, labels, torch.ones_like(labels, dtype=self.counts.dtype))
        all_reduce(sums)
        all_reduce(counts)
        self.sums += sums
        self.counts += counts

    def known(self) -> Tensor:
        """``[num_identities]`` bool: identities seen at least once."""
        return self.counts > 0

    def embeddings(self, indices: Tensor) -> Tensor:
        """``[len(indices), dim]`` unit mean embeddings (float32).

        Raises:
            UnknownIdentityError: an index outside the bank or never
                seen in training.
        """
        indices = torch.as_tensor(indices, device=self.sums.device).long()
        bad = [int(i) for i in indices.view(-1)
               if not 0 <= int(i) < self.num_identities
               or not bool(self.counts[int(i)] > 0)]
        if bad:
            raise UnknownIdentityError(
                f'unknown identity {bad[0]}: the bank holds identities '
                f'seen in training among 0..{self.num_identities - 1} '
                f'({int(self.known().sum())} known)')
        mean = self.sums[indices] / self.counts[indices, None]
        return F.normalize(mean.float(), dim=-1)
