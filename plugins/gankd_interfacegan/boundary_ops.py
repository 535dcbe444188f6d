"""Operations on boundary normals (InterFaceGAN §2.1, §2.3).

z renormalisation, conditional boundaries by projection, the cosine
(entanglement) matrix, and editing codes along a boundary. Geometry is
numpy (float64 inside); editing is torch because edited codes go straight
to a generator.
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch

from gankd.errors import UserError

__all__ = ['BoundaryOpsError', 'renormalize_z', 'project_boundary',
           'project_two_conditions', 'cosine_matrix', 'edit_codes']


class BoundaryOpsError(UserError):
    """Bad inputs to a boundary operation (shapes, degenerate directions)."""


def renormalize_z(z):
    """Rescale each code to norm sqrt(d), the official Z pre-processing.

    Args:
        z: ``[..., d]`` numpy array or torch tensor.

    Returns:
        ``z * sqrt(d) / ||z||`` along the last axis, same type and dtype.
    """
    d = z.shape[-1]
    if isinstance(z, torch.Tensor):
        norm = z.norm(dim=-1, keepdim=True)
        if bool((norm == 0).any()):
            raise BoundaryOpsError('renormalize_z got an all-zero code')
        return z * (d ** 0.5) / norm
    z = np.asarray(z)
    norm = np.linalg.norm(z, axis=-1, keepdims=True)
    if (norm == 0).any():
        raise BoundaryOpsError('renormalize_z got an all-zero code')
    return (z * np.sqrt(d) / norm).astype(z.dtype, copy=False)


def _row(vector, name: str, dim: Optional[int] = None) -> np.ndarray:
    """``[d]`` or ``[1, d]`` -> float64 ``[d]``."""
    array = np.asarray(vector, dtype=np.float64)
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 1 or (dim is not None and array.shape[0] != dim):
        want = f'[1, {dim}]' if dim else '[1, d]'
        raise BoundaryOpsError(
            f'{name} must have shape {want} or [d], got '
            f'{tuple(np.shape(vector))}')
    if not np.isfinite(array).all() or not np.any(array):
        raise BoundaryOpsError(f'{name} must be finite and non-zero')
    return array


def _unit(residual: np.ndarray, primal: np.ndarray, like) -> np.ndarray:
    norm = np.linalg.norm(residual)
    # Relative threshold: a residual at rounding level means the primal
    # lies in the span of the conditions and has no direction left.
    if norm <= 1e-6 * np.linalg.norm(primal):
        raise BoundaryOpsError(
            'the primal boundary lies in the span of the conditions: '
            'nothing is left after projection; drop a condition')
    dtype = np.asarray(like).dtype
    dtype = dtype if np.issubdtype(dtype, np.floating) else np.float64
    return (residual / norm).reshape(1, -1).astype(dtype)


def project_boundary(primal, *conditions) -> np.ndarray:
    """Conditional boundary: remove the span of the conditions from primal.

    n' = (n - C (C^T C)^-1 C^T n) / ||.|| (least squares, any number of
    conditions, which need not be unit or orthogonal).

    Args:
        primal: ``[1, d]`` or ``[d]`` normal.
        *conditions: each ``[1, d]``, ``[d]`` or ``[k, d]``.

    Returns:
        ``[1, d]`` unit normal in primal's dtype, orthogonal to every
        condition; the normalised primal when no condition is given.
    """
    n = _row(primal, 'primal')
    rows = []
    for i, cond in enumerate(conditions):
        cond = np.asarray(cond, dtype=np.float64)
        cond = cond.reshape(-1, cond.shape[-1]) if cond.ndim else cond
        for row in cond:
            rows.append(_row(row, f'condition {i}', n.shape[0]))
    if not rows:
        return _unit(n, n, primal)
    basis = np.stack(rows, axis=1)  # [d, k]
    coeff = np.linalg.lstsq(basis, n, rcond=None)[0]
    return _unit(n - basis @ coeff, n, primal)


def project_two_conditions(primal, c1, c2, eps=1e-8) -> np.ndarray:
    """The official closed form for two conditions (spec §2.3).

    n' ∝ n - α c1 - β c2, α = (p1 - p2 g)/(1 - g² + eps),
    β = (p2 - p1 g)/(1 - g² + eps), p_i = n·c_i, g = c1·c2. The
    conditions are normalised first, as the formula assumes unit vectors.

    Returns:
        ``[1, d]`` unit normal in primal's dtype.
    """
    n = _row(primal, 'primal')
    c1 = _row(c1, 'c1', n.shape[0])
    c2 = _row(c2, 'c2', n.shape[0])
    c1, c2 = c1 / np.linalg.norm(c1), c2 / np.linalg.norm(c2)
    p1, p2, g = n @ c1, n @ c2, c1 @ c2
    alpha = (p1 - p2 * g) / (1 - g ** 2 + eps)
    beta = (p2 - p1 * g) / (1 - g ** 2 + eps)
    return _unit(n - alpha * c1 - beta * c2, n, primal)


def cosine_matrix(normals) -> np.ndarray:
    """Pairwise cosines between boundaries (the entanglement report).

    Args:
        normals: ``[B, d]`` (or ``[B, 1, d]``); rows are normalised first.

    Returns:
        float64 ``[B, B]``, ones on the diagonal.
    """
    normals = np.asarray(normals, dtype=np.float64)
    if normals.ndim == 3 and normals.shape[1] == 1:
        normals = normals[:, 0]
    if normals.ndim != 2:
        raise BoundaryOpsError(
            f'normals must have shape [B, d], got {tuple(normals.shape)}')
    norm = np.linalg.norm(normals, axis=1, keepdims=True)
    if not np.isfinite(normals).all() or (norm == 0).any():
        raise BoundaryOpsError('normals must be finite and non-zero rows')
    unit = normals / norm
    return unit @ unit.T


def _tensor(value, like: torch.Tensor) -> torch.Tensor:
    """Numbers -> tensor in ``like``'s dtype and device; Python floats go
    through float64 so float64 codes are not edited at float32 precision."""
    if not isinstance(value, torch.Tensor):
        value = torch.from_numpy(np.asarray(value, dtype=np.float64))
    return value.to(like)


def _strength(strength, num_layers: int, like: torch.Tensor) -> torch.Tensor:
    """None / float / ``[L]`` -> ``[L]`` tensor."""
    if strength is None:
        return torch.ones(num_layers, dtype=like.dtype, device=like.device)
    value = _tensor(strength, like)
    if value.ndim == 0:
        return value.expand(num_layers)
    if value.shape != (num_layers,):
        raise BoundaryOpsError(
            f'strength must be a number or {num_layers} per-layer factors, '
            f'got shape {tuple(value.shape)}')
    return value


def _layers(layers, num_layers: int) -> list:
    if layers is None:
        return list(range(num_layers))
    out = sorted({int(layer) for layer in layers})
    bad = [layer for layer in out if not 0 <= layer < num_layers]
    if bad:
        raise BoundaryOpsError(
            f'layers {bad} are out of range: the codes have layers 0..'
            f'{num_layers - 1}')
    return out


def edit_codes(codes: torch.Tensor, boundary, distances: Union[
        Sequence[float], torch.Tensor], mode: str = 'relative',
        layers: Optional[Sequence[int]] = None,
        strength=None) -> torch.Tensor:
    """Move codes along a boundary by each of S distances.

    Args:
        codes: ``[N, d]`` (z or w) or ``[N, L, d]`` (wp).
        boundary: ``[1, d]`` / ``[d]`` (one direction; shared by every
            layer of wp codes) or ``[1, L, d]`` / ``[L, d]`` (one direction
            per layer, wp codes only); numpy or torch.
        distances: S values t.
        mode: 'relative': code + t * n. 'absolute' (2-D codes only): code +
            (t - n·code) * n, so the edited code lies at signed distance t
            (n is used as given; pass a unit normal).
        layers: wp codes only: layers to edit (default all); the others are
            bit-identical copies.
        strength: wp codes only: None (1), a number, or L per-layer factors
            scaling t.

    Returns:
        ``[N, S, d]`` or ``[N, S, L, d]`` in codes' dtype and device.
    """
    if mode not in ('relative', 'absolute'):
        raise BoundaryOpsError(
            f"mode must be 'relative' or 'absolute', got {mode!r}")
    if not isinstance(codes, torch.Tensor):
        raise BoundaryOpsError(
            f'codes must be a torch tensor, got {type(codes).__name__}')
    if not codes.is_floating_point():
        raise BoundaryOpsError(f'codes must be float, got {codes.dtype}')
    n = _tensor(boundary, codes)
    t = _tensor(distances, codes)
    if t.ndim != 1 or t.numel() == 0:
        raise BoundaryOpsError(
            f'distances must be a non-empty 1-D sequence, got shape '
            f'{tuple(t.shape)}')
    d = codes.shape[-1]
    if codes.ndim == 2:
        if layers is not None or strength is not None:
            raise BoundaryOpsError(
                'layers and strength apply to wp codes [N, L, d] only')
        if n.shape not in ((1, d), (d,)):
            raise BoundaryOpsError(
                f'boundary for [N, {d}] codes must have shape [1, {d}], '
                f'got {tuple(n.shape)}')
        n = n.reshape(1, 1, d)
        step = t.reshape(1, -1, 1)  # [1, S, 1]
        if mode == 'absolute':
            step = step - (codes @ n.reshape(d)).reshape(-1, 1, 1)
        return codes[:, None] + step * n
    if codes.ndim != 3:
        raise BoundaryOpsError(
            f'codes must have shape [N, d] or [N, L, d], got '
            f'{tuple(codes.shape)}')
    if mode == 'absolute':
        raise BoundaryOpsError(
            "mode 'absolute' is defined for [N, d] codes only; use "
            "'relative' for wp codes, as the official code does")
    num_layers = codes.shape[1]
    if n.shape in ((1, d), (d,)):
        n = n.reshape(1, d).expand(num_layers, d)
    elif n.shape in ((1, num_layers, d), (num_layers, d)):
        n = n.reshape(num_layers, d)
    else:
        raise BoundaryOpsError(
            f'boundary for [N, {num_layers}, {d}] codes must have shape '
            f'[1, {d}] or [1, {num_layers}, {d}], got {tuple(n.shape)}')
    chosen = _layers(layers, num_layers)
    scale = _strength(strength, num_layers, codes)
    out = codes[:, None].expand(-1, t.numel(), -1, -1).clone()
    # Only the chosen layers are written, so the rest stay exact copies.
    offset = (t.reshape(-1, 1, 1) * scale[chosen].reshape(1, -1, 1)
              * n[chosen].reshape(1, -1, d))  # [S, |layers|, d]
    out[:, :, chosen] += offset
    return out
