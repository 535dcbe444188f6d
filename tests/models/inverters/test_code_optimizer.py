"""optimize_codes: hand-computed steps, batch independence, records."""
import torch

from gankd.models.inverters import InversionLoss, optimize_codes


def test_one_sgd_step_matches_hand_computation():
    obs = torch.rand(2, 3, 2, 2) * 2 - 1
    x0 = torch.rand(2, 3, 2, 2) * 2 - 1
    codes = x0.clone().requires_grad_(True)
    result = optimize_codes([codes], lambda: codes, obs, InversionLoss(),
                            optimizer=dict(type='SGD', lr=0.5),
                            num_iters=1)
    # d/dx mean((x - y)^2) over 12 elements = 2 (x - y) / 12
    expect = x0 - 0.5 * 2 * (x0 - obs) / 12
    torch.testing.assert_close(codes.detach(), expect)
    torch.testing.assert_close(result['history'][0],
                               ((x0 - obs)**2).flatten(1).mean(1))
    torch.testing.assert_close(result['loss'],
                               ((expect - obs)**2).flatten(1).mean(1))
    torch.testing.assert_close(result['image'], expect)


def test_batch_equals_single_runs_and_history():
    torch.manual_seed(0)
    weight = torch.randn(3 * 4 * 4, 5)
    obs = torch.rand(3, 3, 4, 4) * 2 - 1
    init = torch.randn(3, 5)

    def run(rows):
        codes = init[rows].clone().requires_grad_(True)
        out = optimize_codes(
            [codes], lambda: (codes @ weight.T).tanh().view(-1, 3, 4, 4),
            obs[rows], InversionLoss(l1_weight=0.5),
            optimizer=dict(type='Adam', lr=0.05), num_iters=20)
        return codes.detach(), out

    codes, out = run([0, 1, 2])
    assert out['history'].shape == (20, 3)
    # Adam on a smooth fit: the loss goes down for every image
    assert bool((out['loss'] < out['history'][0]).all())
    for i in range(3):
        single, single_out = run([i])
        torch.testing.assert_close(codes[i:i + 1], single)
        torch.testing.assert_close(out['history'][:, i:i + 1],
                                   single_out['history'])


def test_records_and_zero_iterations():
    obs = torch.zeros(1, 3, 2, 2)
    codes = torch.ones(1, 3, 2, 2, requires_grad=True)
    out = optimize_codes([codes], lambda: codes, obs, InversionLoss(),
                         optimizer=dict(type='SGD', lr=1.0), num_iters=5,
                         record_every=2)
    assert [r['iteration'] for r in out['records']] == [0, 2, 4, 5]
    assert torch.equal(out['records'][0]['params'][0], torch.ones(1, 3, 2, 2))
    assert torch.equal(out['records'][-1]['params'][0], codes.detach())
    # each SGD step scales x by (1 - 2 / 12)
    torch.testing.assert_close(out['records'][1]['params'][0],
                               torch.full((1, 3, 2, 2), (5 / 6)**2))

    codes = torch.ones(1, 3, 2, 2, requires_grad=True)
    out = optimize_codes([codes], lambda: codes, obs, InversionLoss(),
                         num_iters=0)
    assert out['history'].shape == (0, 1)
    assert torch.equal(out['loss'], torch.ones(1))
    assert torch.equal(codes.detach(), torch.ones(1, 3, 2, 2))
