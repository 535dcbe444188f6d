"""The sigma learner on toy features with known answers (spec §6, checks
1-6) and against a plain per-image loop."""
import math

import pytest
import torch

from gankd_knowledge_points.entropy import (GAUSSIAN_ENTROPY_OFFSET,
                                            mean_entropy, unit_entropy)
from gankd_knowledge_points.settings import SigmaConfig
from gankd_knowledge_points.sigma_learner import learn_sigma

# 8x8 single-channel images, a 4x4 sigma grid (2x2-pixel cells); region R =
# the central 2x2 cells (pixels 2..5).
R = (slice(2, 6), slice(2, 6))
R_CELLS = torch.zeros(4, 4, dtype=torch.bool)
R_CELLS[1:3, 1:3] = True


def region_feature(x):
    """Depends only on the pixels of R and stays positive (no ReLU
    effect): ``[N, 1, 8, 8] -> [N, 16]``."""
    return x[:, 0, R[0], R[1]].flatten(1) + 10.0


def toy_cfg(**kw):
    # lr 1e-4 (code): SGD is stable at these curvatures (~1e4 at sigma0)
    base = dict(grid=4, noise_batch=16, iterations=40, lr=1e-4,
                escalation_iter=None, snapshot='last', images_per_batch=4)
    base.update(kw)
    return SigmaConfig(**base)


def test_entropy_values():
    # check 1: H(1) = 0.5 log(2 pi e), H(0.01) = log(0.01) + that
    assert GAUSSIAN_ENTROPY_OFFSET == pytest.approx(1.4189385, abs=1e-6)
    h = unit_entropy(torch.tensor([1.0, 0.01]))
    assert h[0].item() == pytest.approx(1.4189385, abs=1e-6)
    assert h[1].item() == pytest.approx(-3.1862316, abs=1e-6)
    # the penalty is the grid mean of H_i
    sigma = torch.tensor([[[[0.01, 0.1], [0.5, 1.0]]]])
    assert mean_entropy(sigma).item() == pytest.approx(
        unit_entropy(sigma).mean().item(), abs=1e-6)


def test_ignored_region_grows_to_the_clamp_and_points_are_foreground():
    # check 2
    image = torch.randn(1, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    outside = []
    # Adam: steps of about lr whatever the gradient, so the entropy-only
    # cells reach the clamp in tens of steps without R's cells overshooting
    for steps in (5, 10, 20, 200):
        out = learn_sigma(region_feature, image, toy_cfg(
            iterations=steps, optimizer='Adam', lr=0.05))
        outside.append(out['sigma'][0, 0][~R_CELLS])
    for early, late in zip(outside, outside[1:]):
        assert torch.all(late > early)  # grows monotonically
    assert torch.allclose(outside[-1], torch.ones(12))  # the upper clamp
    sigma = out['sigma'][0, 0]
    assert sigma[R_CELLS].max() < 0.2 < sigma[~R_CELLS].min()

    from gankd_knowledge_points.knowledge_metrics import (
        baseline_entropy, count_points, knowledge_points, quality_ratio)
    entropy = out['entropy'][:, 0][None]  # [M=1, N=1, 4, 4]
    fg = R_CELLS[None]
    points = knowledge_points(entropy, baseline_entropy(entropy, fg), 0.2)
    counts = count_points(points, fg)
    assert counts['fg'].item() == 4 and counts['bg'].item() == 0
    assert quality_ratio(counts['fg'], counts['bg']).item() == 1.0


def test_sigma_order_is_inverse_to_region_weight():
    # check 3 (Guan et al.): f = sum_r w_r mean(x_r) over the 4 quadrants
    weights = torch.tensor([1.0, 2.0, 4.0, 8.0])

    def weighted(x):
        cells = x[:, 0].unfold(1, 4, 4).unfold(2, 4, 4).mean((-1, -2))
        return (cells.flatten(1) * weights).sum(1, keepdim=True) + 100.0

    image = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    # optimum sigma_r = 0.08 / w_r here; Adam steps of 0.002 resolve it
    out = learn_sigma(weighted, image, toy_cfg(
        grid=2, noise_batch=64, iterations=200, optimizer='Adam', lr=0.002))
    sigma = out['sigma'].flatten()
    assert torch.all(sigma[:-1] > sigma[1:]), sigma


def test_scale_invariance():
    # check 4: f -> c f leaves the loss and the trajectory unchanged
    image = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(3))
    cfg = toy_cfg(iterations=30)
    base = learn_sigma(region_feature, image, cfg)
    scaled = learn_sigma(lambda x: 7.0 * region_feature(x), image, cfg)
    assert torch.allclose(base['sigma_f2'] * 49, scaled['sigma_f2'],
                          rtol=1e-4)
    assert torch.allclose(base['sigma'], scaled['sigma'], rtol=1e-4)
    assert torch.allclose(base['loss_trace'], scaled['loss_trace'],
                          rtol=1e-4, atol=1e-5)


def test_larger_lambda_gives_larger_entropy():
    # check 5
    image = torch.randn(1, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    final = [learn_sigma(lambda x: x.flatten(1) + 10.0, image,
                         toy_cfg(lambda_h=lam, iterations=60))
             ['mean_entropy'].item() for lam in (1.0, 3.0, 6.0, 12.0)]
    assert final == sorted(final) and final[0] < final[-1]


def masked_feature(x):
    """Sensitive only where the image is bright: an all-bright image is
    sensitive everywhere, a dark one almost nowhere."""
    return x * (x.detach() > 0.5).float() + 10.0


def escalation_batch():
    bright = torch.ones(1, 1, 8, 8)
    dark = torch.zeros(1, 1, 8, 8)
    dark[..., :2, :2] = 1.0
    return torch.cat([bright, dark, bright * 0.9])


ESCALATION_CFG = dict(grid=4, noise_batch=8, iterations=80, lr=1e-4,
                      target_entropy=-2.5, images_per_batch=3)


def test_snapshot_rule_and_escalation_only_when_target_missed():
    # check 6: the dark image passes H* before iteration 59 and stops
    # there, unescalated; the bright ones miss it and go on with 1.5 lambda
    out = learn_sigma(masked_feature, escalation_batch(),
                      SigmaConfig(**ESCALATION_CFG))
    trace = out['entropy_trace']
    assert out['last_iter'].tolist() == [79, 59, 79]
    assert out['lambda_h'].tolist() == [9.0, 6.0, 9.0]
    assert trace[:60, 1].max() > -2.5 >= trace[:60, 0].max()
    assert torch.isnan(trace[60:, 1]).all()  # the 60th update is not kept
    for i in range(3):
        recorded = trace[:out['last_iter'][i] + 1, i]
        gaps = (recorded + 2.5).abs()
        first_best = int(torch.nonzero(gaps == gaps.min())[0])
        assert out['chosen_iter'][i] == first_best
        assert out['mean_entropy'][i].item() == pytest.approx(
            recorded[first_best].item(), abs=1e-5)
    # other rules pick other iterates
    last = learn_sigma(masked_feature, escalation_batch(),
                       SigmaConfig(**ESCALATION_CFG, snapshot='last'))
    assert last['chosen_iter'].tolist() == [79, 59, 79]
    low = learn_sigma(masked_feature, escalation_batch(),
                      SigmaConfig(**ESCALATION_CFG, snapshot='min_loss'))
    for i in range(3):
        recorded = low['loss_trace'][:low['last_iter'][i] + 1, i]
        assert low['chosen_iter'][i] == int(torch.argmin(recorded))


def test_batched_learner_equals_the_per_image_loop(reference):
    cfg = SigmaConfig(**ESCALATION_CFG)
    images = escalation_batch()
    batched = learn_sigma(masked_feature, images, cfg, indices=[5, 6, 7])
    for row, index in enumerate([5, 6, 7]):
        sigma, best, trace, lam = reference(masked_feature, images[row],
                                            cfg, index)
        assert batched['chosen_iter'][row] == best
        assert batched['lambda_h'][row].item() == lam
        assert torch.allclose(batched['sigma'][row], sigma, atol=1e-6)
        assert torch.allclose(batched['entropy_trace'][:len(trace), row],
                              torch.tensor(trace), atol=1e-5)
    # a conv net too, several images per forward
    torch.manual_seed(0)
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1),
                               torch.nn.Conv2d(4, 4, 3, stride=2))
    conv.requires_grad_(False)
    images = torch.randn(3, 3, 12, 12,
                         generator=torch.Generator().manual_seed(9))
    cfg = SigmaConfig(grid=4, noise_batch=6, iterations=64, lr=1e-3,
                      escalation_iter=20, images_per_batch=3)
    batched = learn_sigma(conv, images, cfg)
    for row in range(3):
        sigma, best, _, lam = reference(conv, images[row], cfg, row)
        assert batched['chosen_iter'][row] == best
        assert batched['lambda_h'][row].item() == lam
        assert torch.allclose(batched['sigma'][row], sigma, atol=1e-5)


def test_zero_sensitivity_image_is_invalid_and_not_optimised():
    out = learn_sigma(lambda x: torch.zeros(len(x), 3) - 1.0,
                      torch.zeros(2, 1, 8, 8), toy_cfg(iterations=3))
    assert out['valid'].tolist() == [False, False]
    assert torch.isnan(out['sigma']).all()
    assert out['chosen_iter'].tolist() == [-1, -1]


def test_unknown_setting_is_one_line_with_a_suggestion():
    from gankd_knowledge_points.errors import KnowledgePointsError
    from gankd_knowledge_points.settings import build_settings
    with pytest.raises(KnowledgePointsError, match="did you mean lambda_h"):
        build_settings(SigmaConfig, dict(lamda_h=7), 'sigma_cfg')
    with pytest.raises(KnowledgePointsError, match='sigma_cfg.snapshot'):
        build_settings(SigmaConfig, dict(snapshot='best'), 'sigma_cfg')
    assert math.isclose(SigmaConfig().target_entropy, -2.8)
