"""FaceFeat-GAN's parts: shapes and contracts, the identity bank, the
loss functions by hand, seeded sampling."""
import pytest
import torch
import torch.nn.functional as F


def test_features_have_the_extractors_sizes_and_renders_are_in_range(
        make_gan):
    g = make_gan().generator
    assert g.feature_dims == dict(pose=1, expression=1)
    assert g.z_dim == 8 and g.identity_dim == 32
    images = torch.rand(3, 3, 16, 16) * 2 - 1
    parts = g.extract(images)
    assert parts['identity'].shape == (3, 32)
    assert torch.allclose(parts['identity'].norm(dim=1), torch.ones(3))
    # each feature is its attribute's column of the raw head outputs
    raw = g.extractors['attributes'](images)
    slices = g.extractors['attributes'].slices
    assert torch.equal(parts['features']['pose'], raw[:, slices['yaw']])
    assert torch.equal(parts['features']['expression'],
                       raw[:, slices['smile']])
    generated = g.generate_features(torch.randn(3, g.z_dim),
                                    parts['identity'])
    assert {k: tuple(v.shape) for k, v in generated.items()} == \
        {k: (3, d) for k, d in g.feature_dims.items()}
    # large styles saturate the decoder: outputs stay in [-1, 1]
    wp = 100 * torch.randn(3, g.num_layers, g.w_dim)
    out = g.synthesize(wp)
    assert out.shape == (3, 3, 16, 16) and out.abs().max() <= 1


def test_generated_features_depend_on_the_identity(make_gan):
    g = make_gan().generator
    z = torch.randn(2, g.z_dim)
    a = g.generate_features(z, F.normalize(torch.randn(2, 32), dim=1))
    b = g.generate_features(z, F.normalize(torch.randn(2, 32), dim=1))
    assert not torch.allclose(a['pose'], b['pose'])
    # unconditional variant: the identity is ignored
    g = make_gan(generator=dict(
        feature_generator=dict(conditional=False))).generator
    a = g.generate_features(z, F.normalize(torch.randn(2, 32), dim=1))
    b = g.generate_features(z, F.normalize(torch.randn(2, 32), dim=1))
    assert torch.equal(a['pose'], b['pose'])


def test_identity_bank_means_and_unknown_identities(make_gan):
    from gankd_facefeat_gan.identity_bank import UnknownIdentityError
    bank = make_gan().generator.bank
    e = F.normalize(torch.randn(3, 32), dim=1)
    bank.add(e, torch.tensor([2, 2, 0]))
    assert torch.allclose(bank.embeddings([2])[0],
                          F.normalize(e[0] + e[1], dim=0), atol=1e-6)
    assert torch.allclose(bank.embeddings([0])[0], e[2], atol=1e-6)
    assert bank.known().tolist() == [True, False, True, False]
    with pytest.raises(UnknownIdentityError, match='unknown identity 1'):
        bank.embeddings([1])
    with pytest.raises(UnknownIdentityError, match='unknown identity 9'):
        bank.embeddings([9])
    with pytest.raises(ValueError, match='num_identities'):
        bank.add(e[:1], torch.tensor([4]))


def test_fixed_seed_gives_identical_faces_row_by_row(make_gan):
    g = make_gan().generator.eval()
    g.bank.add(F.normalize(torch.randn(4, 32), dim=1), torch.arange(4))
    a = g.sample(1, num=3, seed=5)
    b = g.sample(1, num=3, seed=5)
    assert torch.equal(a['image'], b['image'])
    # face i depends on seed + i only, not on how many are drawn
    one = g.sample(1, num=1, seed=6)
    assert torch.equal(one['z'][0], a['z'][1])
    assert torch.allclose(one['image'][0], a['image'][1], atol=1e-5)
    assert not torch.equal(a['image'][0], a['image'][1])
    # render() of the sampled features reproduces the sample
    assert torch.allclose(g.render(1, a['features']), a['image'], atol=1e-6)
    # an identity given as an image or an embedding
    face = torch.rand(3, 16, 16) * 2 - 1
    by_image = g.sample(face, num=2, seed=0)
    by_embedding = g.sample(g.identity_encoder(face[None])[0], 2, seed=0)
    assert torch.allclose(by_image['image'], by_embedding['image'],
                          atol=1e-6)


def test_generator_kind_contract(make_gan):
    g = make_gan().generator.eval()
    with pytest.raises(ValueError, match='identity bank is empty'):
        g(torch.randn(2, g.z_dim))
    g.bank.add(F.normalize(torch.randn(4, 32), dim=1), torch.arange(4))
    z = torch.randn(5, g.z_dim)
    out = g(z)
    assert out['image'].shape == (5, 3, 16, 16)
    assert out['wp'].shape == (5, g.num_layers, g.w_dim)
    # row 4 shows bank identity 0, as row 0 does
    assert torch.allclose(g.synthesize(z, space='z'), out['image'])
    layer = g.layer_names()[2]
    state = g.forward_to(out['wp'], layer)
    assert torch.allclose(g.forward_from(state, out['wp'], layer),
                          out['image'], atol=1e-5)


def test_stage_and_feature_source_must_agree(make_gan):
    with pytest.raises(ValueError, match="feature_source='noise'"):
        make_gan('single_stage', generator=dict(feature_source='generators'))
    with pytest.raises(ValueError, match='stage must be one of'):
        make_gan('stage3')


def test_loss_functions_by_hand():
    from gankd_facefeat_gan.facefeat_losses import (
        feature_consistency_loss, identity_loss, mode_seeking_loss,
        perceptual_distance)
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    b = torch.tensor([[1.0, 1.0], [0.0, -1.0]])
    # cosines 1/sqrt(2) and -1
    assert identity_loss(a, b).item() == pytest.approx(
        ((1 - 2 ** -0.5) + 2) / 2)
    loss = feature_consistency_loss(
        dict(p=torch.tensor([[1.0, 2.0]]), q=torch.tensor([[0.0]])),
        dict(p=torch.tensor([[0.0, 0.0]]), q=torch.tensor([[3.0]])),
        dict(p=1.0, q=0.5))
    assert loss.item() == pytest.approx(3.0 + 0.5 * 3.0)
    f1, f2 = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 0.0]])
    z1, z2 = torch.tensor([[1.0]]), torch.tensor([[-1.0]])
    assert mode_seeking_loss(f1, f2, z1, z2, eps=0).item() == \
        pytest.approx(-0.5)
    p = [torch.ones(1, 2, 2, 2), torch.zeros(1, 1, 1, 1)]
    t = [torch.zeros(1, 2, 2, 2), torch.ones(1, 1, 1, 1)]
    assert perceptual_distance(p, t).item() == pytest.approx(1.0)
