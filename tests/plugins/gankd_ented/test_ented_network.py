"""ENTED's network: NTED's texture routing, the reference switches and the
ablations (spec 5; 6.7: removing a module runs and changes the output)."""
import torch

from gankd_ented.latent_refiner import LatentRefiner


def test_textures_route_in_reverse_order_within_a_size(make_restorer,
                                                       faces):
    net = make_restorer().generator
    _, ref, _ = faces
    encoded = net.ref_encoder(ref)
    # the 8x8 layer's two operators, recomputed from its input
    x = ref
    for layer in net.ref_encoder.layers[:-1]:
        x, _ = layer(x)
    feats, _ = net.ref_encoder.layers[-1](x)
    first, second = [op(feats)[0] for op in
                     net.ref_encoder.layers[-1].extractions]
    assert torch.allclose(encoded['textures'][0], second)  # front-first
    assert torch.allclose(encoded['textures'][1], first)
    assert [t.shape[-1] for t in encoded['textures']] == [4, 4, 8, 8]
    # the first decoder conv consumes textures[0]: changing textures[1]
    # leaves its output as it was
    seen = []
    net.decoder.convs[0].register_forward_hook(
        lambda m, i, o: seen.append(o[0].detach()))
    codes = torch.zeros(2, net.decoder.num_styles, 16)
    semantic = torch.randn(2, 16, 8, 8)
    textures = list(encoded['textures'])
    net.decoder(semantic, codes, textures)
    net.decoder(semantic, codes, [textures[0], textures[1] * 0 + 5,
                                  *textures[2:]])
    net.decoder(semantic, codes, [textures[0] * 0 + 5, *textures[1:]])
    assert torch.equal(seen[0], seen[1]) and not torch.equal(seen[0],
                                                             seen[2])


def test_the_reference_matters_unless_zeroed_or_in_stage_a(make_restorer,
                                                           faces):
    lq, ref_a, ref_b = faces
    model = make_restorer()
    with torch.no_grad():
        model.generator.residual.gate.fill_(0.5)
        assert not torch.allclose(model.restore(lq, ref_a),
                                  model.restore(lq, ref_b))
        model.generator.reference = 'zero'
        assert torch.equal(model.restore(lq, ref_a), model.restore(lq, ref_b))
        stage_a = make_restorer(stage='A')
        assert not stage_a.uses_reference
        assert torch.equal(stage_a.restore(lq, ref_a), stage_a.restore(lq))


def test_ablations_run_on_the_same_weights_and_change_the_output(
        make_restorer, faces):
    lq, ref, _ = faces
    full = make_restorer()
    state = full.state_dict()
    with torch.no_grad():
        out = full.restore(lq, ref)
        for changes in (dict(quantizer=None),
                        dict(latent_refiner=dict(enabled=False)),
                        dict(residual='none'),
                        dict(residual='add')):
            ablated = make_restorer(**changes)
            # the weights the ablated model shares with the full one
            ablated.load_state_dict(
                {k: v for k, v in state.items()
                 if k in ablated.state_dict()}, strict=False)
            other = ablated.restore(lq, ref)
            assert other.shape == out.shape and torch.isfinite(other).all()
            if changes != dict(residual='none'):  # gate 0 == no residual
                assert not torch.allclose(other, out), changes
            else:
                assert torch.equal(other, out)


def test_refinement_off_gives_the_queries():
    torch.manual_seed(0)
    refiner = LatentRefiner(16, 12, 8, num_layers=5, num_heads=2)
    semantic, tokens = torch.randn(2, 16, 4, 4), torch.randn(2, 12, 4, 4)
    queries = refiner.queries(semantic)
    assert queries.shape == (2, 5, 8)
    assert not torch.allclose(refiner(semantic, tokens), queries)
    refiner.enabled = False
    assert torch.equal(refiner(semantic, tokens), queries)


def test_plain_nted_decoder_ignores_the_codes(make_restorer, faces):
    lq, ref, _ = faces
    model = make_restorer(quantizer=None,
                          latent_refiner=dict(enabled=False),
                          decoder=dict(modulated=False))
    decoder = model.generator.decoder
    assert not any(p.requires_grad for n, p in decoder.named_parameters()
                   if '.style.' in n or n.endswith('conv.bias'))
    semantic = torch.randn(2, 16, 8, 8)
    with torch.no_grad():
        a = decoder(semantic, torch.randn(2, decoder.num_styles, 16))
        b = decoder(semantic, torch.randn(2, decoder.num_styles, 16))
    assert torch.equal(a['image'], b['image'])


def test_same_seed_same_restorer_and_output(make_restorer, faces):
    lq, ref, _ = faces
    with torch.no_grad():
        a = make_restorer(seed=3).restore(lq, ref)
        b = make_restorer(seed=3).restore(lq, ref)
        c = make_restorer(seed=4).restore(lq, ref)
    assert torch.equal(a, b) and not torch.equal(a, c)
