"""boundary_io: official .npy and HiGAN dict boundaries, the restricted
unpickler, atomic saves, and the official boundary files (fixtures)."""
import os

import numpy as np
import pytest

from gankd.errors import UserError
from gankd_interfacegan.boundary_io import (BoundaryFormatError, load_boundary,
                                            save_boundary)
from gankd_interfacegan.boundary_ops import cosine_matrix, project_boundary


def _unit(shape, dtype=np.float32, seed=0):
    array = np.random.default_rng(seed).standard_normal(shape)
    return (array / np.linalg.norm(array, axis=-1, keepdims=True)).astype(
        dtype)


# --- round trips -------------------------------------------------------------

@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_npy_round_trip_official_layout(tmp_path, dtype):
    normal = _unit((1, 64), dtype)
    path = tmp_path / 'smile_boundary.npy'
    save_boundary(path, normal)
    # the official reader: a plain array, no pickle
    plain = np.load(path, allow_pickle=False)
    assert plain.dtype == dtype and plain.shape == (1, 64)
    got, meta = load_boundary(path)
    assert meta == {} and got.dtype == dtype
    np.testing.assert_array_equal(got, normal)


@pytest.mark.parametrize('shape, want', [((16,), (1, 16)),
                                         ((4, 16), (1, 4, 16)),
                                         ((1, 4, 16), (1, 4, 16))])
def test_npy_shapes_are_normalised(tmp_path, shape, want):
    normal = _unit(shape, np.float64)
    path = tmp_path / 'b.npy'
    save_boundary(path, normal)
    assert np.load(path).shape == shape  # stored as given
    got, _ = load_boundary(path)
    assert got.shape == want
    np.testing.assert_array_equal(got.reshape(shape), normal)


def test_higan_round_trip_and_higan_reader(tmp_path):
    normal = _unit((1, 32))
    meta = {'manipulate_layers': np.array([6, 7, 8]), 'type': 'w',
            'step': np.float32(0.5), 'name': 'indoor_lighting'}
    path = tmp_path / 'indoor_lighting_boundary.npy'
    save_boundary(path, normal, meta, fmt='higan')
    # HiGAN's own way of reading the file
    raw = np.load(path, allow_pickle=True)[()]
    np.testing.assert_array_equal(raw['boundary'], normal)
    assert list(raw['meta_data']['manipulate_layers']) == [6, 7, 8]
    got, got_meta = load_boundary(path)
    np.testing.assert_array_equal(got, normal)
    assert got_meta == {'manipulate_layers': [6, 7, 8], 'type': 'w',
                        'step': 0.5, 'name': 'indoor_lighting'}
    assert type(got_meta['manipulate_layers'][0]) is int


def test_higan_dict_written_by_np_save_loads(tmp_path):
    """A file written the way HiGAN writes it (not by save_boundary)."""
    normal = _unit((1, 8), np.float64)
    path = tmp_path / 'h.npy'
    np.save(path, {'boundary': normal,
                   'meta_data': {'manipulate_layers': [0, 1], 'type': 'wp'}})
    got, meta = load_boundary(path)
    np.testing.assert_array_equal(got, normal)
    assert meta == {'manipulate_layers': [0, 1], 'type': 'wp'}


# --- safety ------------------------------------------------------------------

class _Evil:
    """Pickles as a call to ``open(marker, 'w')``, which creates a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, 'w')


@pytest.mark.parametrize('wrap', ['bare', 'meta'])
def test_pickled_code_is_never_run(tmp_path, wrap):
    marker = str(tmp_path / 'pwned')
    evil = _Evil(marker)
    payload = evil if wrap == 'bare' else {
        'boundary': _unit((1, 4)), 'meta_data': {'x': evil}}
    path = tmp_path / 'evil.npy'
    np.save(path, np.array(payload, dtype=object), allow_pickle=True)
    with pytest.raises(BoundaryFormatError, match='not allowed'):
        load_boundary(path)
    assert not os.path.exists(marker)


# --- checks ------------------------------------------------------------------

@pytest.mark.parametrize('array, match', [
    (np.full((1, 4), 0.5) * 1.01, 'norm 1.01'),
    (np.zeros((1, 4)), 'all zeros'),
    (np.array([[np.nan, 1.0]]), 'NaN'),
    (np.array([[1, 0]]), 'dtype int64'),
    (np.ones((2, 2, 4)) / 2, 'shape'),
    (np.stack([np.eye(3)[0], 2 * np.eye(3)[1]]), 'norm 2'),
])
def test_bad_boundaries_are_refused(tmp_path, array, match):
    path = tmp_path / 'bad.npy'
    np.save(path, array)
    with pytest.raises(BoundaryFormatError, match=match) as info:
        load_boundary(path)
    assert str(path) in str(info.value)
    with pytest.raises(BoundaryFormatError, match=match):
        save_boundary(tmp_path / 'out.npy', array)
    assert not (tmp_path / 'out.npy').exists()


def test_unreadable_and_wrong_files(tmp_path):
    with pytest.raises(BoundaryFormatError, match='cannot read'):
        load_boundary(tmp_path / 'missing.npy')
    text = tmp_path / 'text.npy'
    text.write_text('not numpy')
    with pytest.raises(BoundaryFormatError, match='not a .npy'):
        load_boundary(text)
    # a file cut short after its header: the array data is incomplete
    whole = tmp_path / 'whole.npy'
    np.save(whole, _unit((1, 8)).astype(np.float32))
    cut = tmp_path / 'cut.npy'
    cut.write_bytes(whole.read_bytes()[:-5])
    with pytest.raises(BoundaryFormatError) as info:
        load_boundary(cut)
    assert str(info.value) == (
        f'{cut} is truncated or corrupt (EOF: reading array data, expected '
        '32 bytes got 27); write it again')
    nokey = tmp_path / 'nokey.npy'
    np.save(nokey, {'direction': _unit((1, 4))})
    with pytest.raises(BoundaryFormatError, match="'boundary'"):
        load_boundary(nokey)
    assert issubclass(BoundaryFormatError, UserError)


def test_save_refuses_lost_or_unsafe_meta(tmp_path):
    normal = _unit((1, 4))
    with pytest.raises(BoundaryFormatError, match="fmt='higan'"):
        save_boundary(tmp_path / 'a.npy', normal, {'type': 'w'})
    with pytest.raises(BoundaryFormatError, match='not allowed'):
        save_boundary(tmp_path / 'b.npy', normal, {'f': os.path.join},
                      fmt='higan')
    with pytest.raises(BoundaryFormatError, match='fmt'):
        save_boundary(tmp_path / 'c.npy', normal, fmt='pt')
    assert sorted(os.listdir(tmp_path)) == []


def test_save_replaces_atomically(tmp_path):
    path = tmp_path / 'b.npy'
    save_boundary(path, _unit((1, 4), seed=1))
    second = _unit((1, 4), seed=2)
    save_boundary(path, second)
    np.testing.assert_array_equal(load_boundary(path)[0], second)
    assert os.listdir(tmp_path) == ['b.npy']  # no temp file left behind


# --- the official files (fixtures) -------------------------------------------

NAMES = ['pggan_celebahq_smile', 'stylegan_ffhq_age', 'stylegan_ffhq_age_w',
         'stylegan_ffhq_age_c_gender']
# float64 dot products listed in the fixture README
AGE_DOT_AGE_C_GENDER = 0.9431047727454478
AGE_DOT_AGE_W = 0.02103130365870625
SMILE_DOT_AGE = -0.050232282861901234
AGE_DOT_GENDER = 0.332495695648466


@pytest.mark.parametrize('name', NAMES)
def test_official_files_load(official_boundary_path, name):
    normal, meta = load_boundary(official_boundary_path(name))
    assert normal.shape == (1, 512) and normal.dtype == np.float64
    assert meta == {}
    assert abs(np.linalg.norm(normal) - 1) < 1e-12


def test_official_dot_products(official_boundary_path):
    b = {name: load_boundary(official_boundary_path(name))[0][0]
         for name in NAMES}
    age = b['stylegan_ffhq_age']
    assert age @ b['stylegan_ffhq_age_c_gender'] == pytest.approx(
        AGE_DOT_AGE_C_GENDER, abs=1e-12)
    assert age @ b['stylegan_ffhq_age_w'] == pytest.approx(
        AGE_DOT_AGE_W, abs=1e-12)
    assert b['pggan_celebahq_smile'] @ age == pytest.approx(
        SMILE_DOT_AGE, abs=1e-12)
    cos = cosine_matrix(np.stack([b[name] for name in NAMES]))
    assert cos[1, 3] == pytest.approx(AGE_DOT_AGE_C_GENDER, abs=1e-12)
    assert cos[0, 1] == pytest.approx(SMILE_DOT_AGE, abs=1e-12)


def test_official_conditional_boundary_is_a_projection(
        official_boundary_path):
    """Without the gender file: if c = age_c_gender is age projected
    against a unit g, then age lies in span(c, g) and age·g = sqrt(1 -
    (age·c)^2). The fixture README measured age·gender = 0.3324956... from
    the (not copied) gender file; the g recovered from age and c must give
    that value, and projecting age against it gives c back."""
    age = load_boundary(official_boundary_path('stylegan_ffhq_age'))[0]
    cond = load_boundary(
        official_boundary_path('stylegan_ffhq_age_c_gender'))[0]
    g = age - (age[0] @ cond[0]) * cond
    g = g / np.linalg.norm(g)
    assert float(age[0] @ g[0]) == pytest.approx(AGE_DOT_GENDER, abs=1e-12)
    got = project_boundary(age, g)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, cond, rtol=0, atol=1e-12)


def test_official_conditional_equals_projection_when_both_present(
        official_boundary_path):
    """With the condition's own file (genforce/interfacegan's
    stylegan_ffhq_gender_boundary.npy, if a user adds it to the fixtures):
    age_c_gender = project_boundary(age, gender) directly."""
    gender = load_boundary(official_boundary_path('stylegan_ffhq_gender'))[0]
    age = load_boundary(official_boundary_path('stylegan_ffhq_age'))[0]
    cond = load_boundary(
        official_boundary_path('stylegan_ffhq_age_c_gender'))[0]
    np.testing.assert_allclose(project_boundary(age, gender), cond,
                               rtol=0, atol=1e-6)
