"""The benchmark's per-code loop baseline computes what the batched
composition computes (so the benchmark compares equal work)."""
import torch

from gankd_mganprior.benchmark import PerCodeLoopInverter
from gankd_mganprior.multi_code_inverter import MultiCodeInverter


def test_per_code_loop_equals_the_batched_composition(generator):
    layer = generator.layer_names()[3]
    batched = MultiCodeInverter(generator, layer, num_codes=3)
    loop = PerCodeLoopInverter(generator, layer, num_codes=3)
    state = batched.initial_state([4, 7])
    # distinct importance weights, so a mix-up of codes would show
    state['alpha'] = torch.rand(state['alpha'].shape,
                                generator=torch.Generator().manual_seed(1))
    args = (state['codes'], state['alpha'], state.get('shared'))
    with torch.no_grad():
        expected, got = batched.compose(*args), loop.compose(*args)
    assert torch.allclose(got, expected, atol=1e-5)
    fused = batched.fuse_features(state['codes'], state['alpha'])
    looped = loop.fuse_features(state['codes'], state['alpha'])
    assert fused.keys() == looped.keys()
