"""LinearBoundaryProbe end to end on a toy generator whose image encodes
two known directions (interfacegan.md §6 item 6), and its report files."""
import json
import os

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from gankd.kinds import BaseGenerator, BaseProbe
from gankd_interfacegan.boundary_io import load_boundary
from gankd_interfacegan.errors import ProbeError
from gankd_interfacegan.linear_boundary_probe import LinearBoundaryProbe

DIM = 8


def unit(v: Tensor) -> Tensor:
    return v / v.norm()


class TwoDirectionGenerator(BaseGenerator):
    """z ``[N, 8]`` -> 4x4 images: red = tanh(n.z), green = tanh(m.z),
    with cos(n, m) = 0.5; a z-only generator like PGGAN."""

    z_dim, resolution = DIM, 4

    def __init__(self):
        super().__init__()
        rng = torch.Generator().manual_seed(0)
        n = unit(torch.randn(DIM, generator=rng))
        other = torch.randn(DIM, generator=rng)
        other = unit(other - (other @ n) * n)
        self.register_buffer('n', n)
        self.register_buffer('m', 0.5 * n + 0.75 ** 0.5 * other)
        self.anchor = nn.Parameter(torch.zeros(()))  # a device to report

    def synthesize(self, codes, space='z', noise_mode='const'):
        red, green = torch.tanh(codes @ self.n), torch.tanh(codes @ self.m)
        planes = torch.stack([red, green, torch.zeros_like(red)], 1)
        return planes[:, :, None, None].expand(-1, 3, 4, 4) + self.anchor

    def layer_names(self):
        return ['synthesis']


class ChannelScorer(nn.Module):
    """Mean red and green: 'red' and 'green_level' scores (an underscore,
    as in 'hair_color', must survive conditional boundary names)."""

    names = ('red', 'green_level')

    def forward(self, images):
        return images[:, :2].mean(dim=(2, 3))


def make_probe(**kwargs) -> LinearBoundaryProbe:
    return LinearBoundaryProbe(TwoDirectionGenerator(), ChannelScorer(),
                               spaces=('z', ), batch_size=256, **kwargs)


def test_recovers_the_encoded_directions_and_conditions_them():
    probe = make_probe()
    assert isinstance(probe, BaseProbe)
    samples = probe.sample(5000, progress=False)
    assert samples['scores'].shape == (5000, 2)
    # InterFaceGAN's pre-processing: every z has norm sqrt(d).
    np.testing.assert_allclose(np.linalg.norm(samples['z'], axis=1),
                               DIM ** 0.5, rtol=1e-5)
    fits = probe.fit(samples)['z']
    gen = probe.generator
    red, green = (torch.from_numpy(fits[n].normal).float()
                  for n in ('red', 'green_level'))
    assert float(red[0] @ gen.n) > 0.9 and float(green[0] @ gen.m) > 0.9
    assert fits['red'].val_acc > 0.95
    # Conditional edit: moving along red ⟂ green barely changes green.
    conditional = probe.project(red, [green])
    assert abs(float(conditional[0] @ green[0])) < 1e-6
    z = probe.sample_z(400, seed=7)
    base = probe.score_codes(z, 'z')
    plain = probe.score_codes(probe.edit(z, red, [2.0])[:, 0], 'z')
    cond = probe.score_codes(probe.edit(z, conditional, [2.0])[:, 0], 'z')
    green_plain = (plain[:, 1] - base[:, 1]).abs().mean()
    green_cond = (cond[:, 1] - base[:, 1]).abs().mean()
    assert green_cond < 0.1 * green_plain
    assert (cond[:, 0] - base[:, 0]).mean() > 0  # still edits red


def test_codes_for_seeds_do_not_depend_on_the_batch():
    probe = make_probe()
    both = probe.codes_for_seeds([3, 4], 'z')
    assert torch.equal(both[1:], probe.codes_for_seeds([4], 'z'))
    with pytest.raises(ProbeError, match="space 'w'"):
        probe.codes_for_seeds([0], 'w')


def test_bad_spaces_and_semantics_are_one_line_errors():
    with pytest.raises(ProbeError, match="has the latent spaces z"):
        LinearBoundaryProbe(TwoDirectionGenerator(), ChannelScorer(),
                            spaces=('w', ))
    probe = make_probe()
    samples = probe.sample(300, progress=False)
    with pytest.raises(ProbeError,
                       match="'blue'.*scored: red, green_level"):
        probe.fit(samples, semantics=['blue'])


def test_run_writes_boundaries_report_and_plots(tmp_path, monkeypatch):
    probe = make_probe(num_or_ratio=0.05)
    work = str(tmp_path)
    evaluation = dict(num_samples=60, seed=1, distances=(-2, 0, 2),
                      distance=2.0)
    report = probe.run(work, num_samples=2000, conditions=dict(
        red=['green_level']), evaluation=evaluation, progress=False)
    for name in ('report.json', 'report.md', 'samples.npz', 'cosine_z.png',
                 'score_vs_distance_z.png'):
        assert os.path.isfile(os.path.join(work, name)), name
    assert json.load(open(os.path.join(work, 'report.json'))) == report
    red, _ = load_boundary(os.path.join(work, 'boundaries/z/red.npy'))
    green, _ = load_boundary(os.path.join(work,
                                          'boundaries/z/green_level.npy'))
    cond, _ = load_boundary(os.path.join(
        work, 'boundaries/z/red_c_green_level.npy'))
    assert red.shape == (1, DIM) and abs(float(cond @ green.T)) < 1e-6
    space = report['spaces']['z']
    cos = float(red @ green.T)
    assert space['cosine']['matrix'][0][1] == pytest.approx(cos, abs=1e-6)
    assert space['max_abs_cosine'] == pytest.approx(abs(cos), abs=1e-6)
    evaluation = space['evaluation']
    # Moving 2 spreads across the red boundary flips most red predictions
    # and the conditional boundary spares green.
    assert evaluation['flip_rate']['red'] > 0.5
    conditioning = evaluation['conditioning'][
        'red_c_green_level:green_level']
    assert conditioning['reduction'] > 0.9
    assert '| red |' in open(os.path.join(work, 'report.md')).read()

    # A re-run reuses the samples instead of sampling again.
    def no_sampling(*args, **kwargs):
        raise AssertionError('sampled again')
    monkeypatch.setattr(probe, 'sample', no_sampling)
    again = probe.run(work, num_samples=2000, evaluation=None,
                      progress=False)
    assert again['spaces']['z']['fits'] == space['fits']
    with pytest.raises(ProbeError, match='must include 0'):
        probe.run(work, num_samples=2000, evaluation=dict(
            distances=(1, 2), distance=1.0), progress=False)


def test_benchmark_times_one_boundary_end_to_end():
    from gankd_interfacegan.benchmark import _markdown, benchmark_probe
    result = benchmark_probe(make_probe(), num_samples=1000,
                             semantic='red', space='z',
                             batch_sizes=(1, 64), throughput_samples=64)
    assert result['val_acc'] > 0.9  # the fit it timed is a real one
    assert result['total_seconds'] >= result['sample_seconds'] > 0
    assert [bs for bs, _ in result['throughput']] == [1, 64]
    assert result['autograd_throughput'] is None  # no classifier to run
    text = _markdown(result, 'cmd')
    assert '| 64 | yes |' in text and 'Command: `cmd`' in text
