"""The MLP body of FaceFeat-GAN's feature generators and discriminators."""
from torch import nn

__all__ = ['mlp']


def mlp(in_dim: int, hidden: int, out_dim: int, num_layers: int,
        slope: float = 0.2) -> nn.Sequential:
    """``num_layers`` linear layers ``in -> hidden -> ... -> out`` with
    LeakyReLU(``slope``) between them (none after the last)."""
    if num_layers < 1:
        raise ValueError(f'num_layers must be >= 1, got {num_layers}')
    dims = [in_dim] + [hidden] * (num_layers - 1) + [out_dim]
    layers = []
    for i in range(num_layers):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < num_layers - 1:
            layers.append(nn.LeakyReLU(slope))
    return nn.Sequential(*layers)
