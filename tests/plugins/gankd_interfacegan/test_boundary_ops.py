"""boundary_ops: z renormalisation, projection, cosines and editing
(interfacegan.md §6 items 4, 5 and 8)."""
import numpy as np
import pytest
import torch

from gankd_interfacegan.boundary_ops import (BoundaryOpsError, cosine_matrix,
                                             edit_codes, project_boundary,
                                             project_two_conditions,
                                             renormalize_z)


def _unit_rows(num, dim, seed):
    rows = np.random.default_rng(seed).standard_normal((num, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# --- §6 item 8: z renormalisation -------------------------------------------

def test_renormalize_z_numpy_and_torch():
    z = np.random.default_rng(0).standard_normal((50, 32)) * 3
    out = renormalize_z(z)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), np.sqrt(32),
                               rtol=1e-12)
    # direction unchanged: out is a positive multiple of z row by row
    np.testing.assert_allclose(out / np.linalg.norm(out, axis=1)[:, None],
                               z / np.linalg.norm(z, axis=1)[:, None])
    zt = torch.from_numpy(z.astype(np.float32))
    out_t = renormalize_z(zt)
    assert out_t.dtype == torch.float32
    torch.testing.assert_close(out_t.norm(dim=1),
                               torch.full((50,), 32 ** 0.5))
    assert renormalize_z(z.astype(np.float32)).dtype == np.float32
    with pytest.raises(BoundaryOpsError, match='zero'):
        renormalize_z(np.zeros((2, 4)))


# --- §6 item 4: projection ---------------------------------------------------

def test_project_boundary_hand_computed():
    primal = np.array([[1.0, 1.0, 0.0]]) / np.sqrt(2)
    got = project_boundary(primal, np.array([[2.0, 0.0, 0.0]]))
    np.testing.assert_allclose(got, [[0.0, 1.0, 0.0]], atol=1e-15)
    got = project_boundary(np.array([1.0, 2.0, 3.0]), [1.0, 0.0, 0.0],
                           [[1.0, 1.0, 0.0]])
    np.testing.assert_allclose(got, [[0.0, 0.0, 1.0]], atol=1e-15)


@pytest.mark.parametrize('num_conditions', [1, 2, 3, 5])
def test_project_boundary_orthogonal_unit(num_conditions):
    rows = _unit_rows(num_conditions + 1, 32, num_conditions)
    # correlated, non-unit conditions: least squares must not assume either
    conditions = [(rows[i + 1] + 0.5 * rows[0]) * (i + 2)
                  for i in range(num_conditions)]
    got = project_boundary(rows[0][None], *conditions)
    assert got.shape == (1, 32) and got.dtype == np.float64
    assert abs(np.linalg.norm(got) - 1) < 1e-12
    for cond in conditions:
        assert abs(got[0] @ cond / np.linalg.norm(cond)) < 1e-6
    # the projection keeps the primal's own side
    assert got[0] @ rows[0] > 0
    # a stacked [k, d] condition is the same as k separate ones
    np.testing.assert_allclose(
        project_boundary(rows[0], np.stack(conditions)), got, atol=1e-14)


def test_project_boundary_idempotent_and_dtype():
    rows = _unit_rows(3, 16, 0)
    once = project_boundary(rows[0], rows[1], rows[2])
    twice = project_boundary(once, rows[1], rows[2])
    np.testing.assert_allclose(twice, once, atol=1e-14)
    got32 = project_boundary(rows[0].astype(np.float32)[None],
                             rows[1].astype(np.float32))
    assert got32.dtype == np.float32 and got32.shape == (1, 16)
    np.testing.assert_allclose(project_boundary(3 * rows[0]), rows[:1])


def test_project_two_conditions_matches_least_squares():
    rows = _unit_rows(3, 32, 1)
    c1, c2 = rows[1], 0.6 * rows[1] + 0.8 * rows[2]
    c2 = c2 / np.linalg.norm(c2)
    closed = project_two_conditions(rows[0][None], c1[None], c2[None])
    general = project_boundary(rows[0][None], c1[None], c2[None])
    assert float(closed[0] @ general[0]) > 0.99999
    assert abs(closed[0] @ c1) < 1e-6 and abs(closed[0] @ c2) < 1e-6
    assert abs(np.linalg.norm(closed) - 1) < 1e-12


def test_projection_in_span_is_an_error():
    rows = _unit_rows(2, 8, 2)
    with pytest.raises(BoundaryOpsError, match='span'):
        project_boundary(rows[0] + 2 * rows[1], rows[0], rows[1])
    with pytest.raises(BoundaryOpsError, match='span'):
        project_two_conditions(rows[0], rows[0], rows[1])
    with pytest.raises(BoundaryOpsError, match='shape'):
        project_boundary(rows[0], np.ones(9))


def test_cosine_matrix_hand_computed():
    got = cosine_matrix(np.array([[2.0, 0.0], [3.0, 3.0], [0.0, -1.0]]))
    h = 1 / np.sqrt(2)
    np.testing.assert_allclose(got, [[1, h, 0], [h, 1, -h], [0, -h, 1]],
                               atol=1e-15)
    assert cosine_matrix(np.ones((2, 1, 4))).shape == (2, 2)
    with pytest.raises(BoundaryOpsError, match='non-zero'):
        cosine_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]))


# --- §6 item 5: editing ------------------------------------------------------

def _codes_and_normal(shape, dtype=torch.float64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    codes = torch.randn(*shape, generator=gen, dtype=dtype)
    normal = torch.randn(1, shape[-1], generator=gen, dtype=dtype)
    return codes, normal / normal.norm()


def test_edit_absolute_puts_codes_at_requested_distances():
    codes, n = _codes_and_normal((5, 16))
    t = np.linspace(-3, 3, 10)
    out = edit_codes(codes, n, t.tolist(), mode='absolute')
    assert out.shape == (5, 10, 16) and out.dtype == torch.float64
    dist = out @ n[0]
    torch.testing.assert_close(dist, torch.from_numpy(t).expand(5, 10),
                               atol=1e-12, rtol=0)
    # only the component along n changes
    resid = out - codes[:, None]
    torch.testing.assert_close(resid, (resid @ n[0])[..., None] * n,
                               atol=1e-12, rtol=0)
    out32 = edit_codes(codes.float(), n.numpy().astype(np.float32),
                       torch.tensor([0.5]), mode='absolute')
    assert out32.dtype == torch.float32
    assert (out32 @ n[0].float() - 0.5).abs().max() < 1e-5


def test_edit_relative_adds_t_n():
    codes, n = _codes_and_normal((4, 8))
    t = [-1.5, 0.0, 2.0]
    out = edit_codes(codes, n[0].numpy(), t)
    for s, value in enumerate(t):
        torch.testing.assert_close(out[:, s] - codes, value * n.expand(4, 8),
                                   atol=1e-14, rtol=0)
    assert torch.equal(out[:, 1], codes)


def test_edit_wp_touches_only_selected_layers():
    codes, n = _codes_and_normal((3, 6, 8))
    strength = [0.7, 0.7, 1.0, 1.0, 1.0, 1.0]
    out = edit_codes(codes, n, torch.tensor([-2.0, 1.0]), layers=[4, 1],
                     strength=strength)
    assert out.shape == (3, 2, 6, 8)
    for layer in (0, 2, 3, 5):  # bit-identical copies
        assert torch.equal(out[:, :, layer],
                           codes[:, None, layer].expand(-1, 2, -1))
    for s, t in enumerate((-2.0, 1.0)):
        for layer in (1, 4):
            torch.testing.assert_close(
                out[:, s, layer] - codes[:, layer],
                (t * strength[layer] * n).expand(3, 8), atol=1e-14, rtol=0)


def test_edit_wp_per_layer_boundary_and_float_strength():
    codes, _ = _codes_and_normal((2, 3, 4))
    per_layer = torch.eye(4, dtype=torch.float64)[:3]  # [L, d]
    for boundary in (per_layer, per_layer[None]):
        out = edit_codes(codes, boundary, [2.0], strength=0.5)
        torch.testing.assert_close(out[:, 0] - codes,
                                   per_layer.expand(2, 3, 4),
                                   atol=1e-14, rtol=0)


def test_edit_user_errors():
    codes, n = _codes_and_normal((2, 3, 4))
    with pytest.raises(BoundaryOpsError, match='absolute'):
        edit_codes(codes, n, [1.0], mode='absolute')
    with pytest.raises(BoundaryOpsError, match='out of range'):
        edit_codes(codes, n, [1.0], layers=[3])
    with pytest.raises(BoundaryOpsError, match='strength'):
        edit_codes(codes, n, [1.0], strength=[1.0, 2.0])
    with pytest.raises(BoundaryOpsError, match='shape'):
        edit_codes(codes, torch.ones(1, 5), [1.0])
    with pytest.raises(BoundaryOpsError, match='wp codes'):
        edit_codes(codes[:, 0], n, [1.0], layers=[0])
    with pytest.raises(BoundaryOpsError, match='mode'):
        edit_codes(codes[:, 0], n, [1.0], mode='sideways')
    with pytest.raises(BoundaryOpsError, match='1-D'):
        edit_codes(codes[:, 0], n, [])
