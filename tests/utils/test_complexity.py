"""count_flops / count_params against hand counts."""
import torch
from torch import nn

from gankd.utils.complexity import count_flops, count_params


def test_hand_counted_conv_and_linear():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False),
                        nn.BatchNorm2d(4), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 5))
    net.train()
    # conv: 2 * (3 * 9) * 4 * 8 * 8 ; linear: 2 * 4 * 5 ; BN/ReLU/pool: 0
    assert count_flops(net, (3, 8, 8)) == 2 * 27 * 4 * 64 + 2 * 4 * 5
    assert net.training  # mode restored
    assert count_params(net) == 3 * 4 * 9 + 4 + 4 + 4 * 5 + 5


def test_call_flops_equal_flop_counter_mode_and_survive_autograd_grad():
    from torch.utils.flop_counter import FlopCounterMode

    from gankd.utils.complexity import count_call_flops
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1))
    x = torch.randn(2, 3, 8, 8)

    def step():
        net(x).square().mean().backward()

    reference = FlopCounterMode(display=False)
    with reference:
        step()
    assert count_call_flops(step) == reference.get_total_flops() > 0

    def penalty():  # R1-style: gradient of the output w.r.t. a leaf input
        leaf = x.clone().requires_grad_(True)
        grad, = torch.autograd.grad(net(leaf).sum(), leaf, create_graph=True)
        grad.square().sum().backward()

    assert count_call_flops(penalty) > reference.get_total_flops()


def test_call_flops_count_inference_mode_forwards():
    """A frozen teacher runs under torch.inference_mode, which dispatch
    modes do not see: the counter must still count it (by hand: a 3x3 conv
    3 -> 8 on 6x6 outputs, batch 2, is 2 * 2*36*8*27 FLOPs)."""
    import torch

    from gankd.utils.complexity import count_call_flops
    conv = torch.nn.Conv2d(3, 8, 3)
    x = torch.randn(2, 3, 8, 8)

    def frozen_forward():
        with torch.inference_mode():
            return conv(x)

    assert count_call_flops(frozen_forward) == 2 * 2 * 36 * 8 * 27
    assert count_call_flops(lambda: conv(x)) == 2 * 2 * 36 * 8 * 27
    assert torch.inference_mode is not None and \
        torch.inference_mode.__name__ == 'inference_mode'  # restored
