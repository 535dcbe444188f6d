"""ConvBNConnector: channel mapping, resize, registry build."""
import pytest
import torch
import torch.nn.functional as F

from mmengine.registry import DefaultScope

from gankd.models.connectors import ConvBNConnector
from gankd.registry import MODELS


def _identity_connector(channels):
    """A connector whose conv is the identity and whose BN (eval, default
    running stats) divides by sqrt(1 + eps)."""
    connector = ConvBNConnector(channels, channels)
    with torch.no_grad():
        connector.conv.weight.copy_(torch.eye(channels).view(
            channels, channels, 1, 1))
    return connector.eval()


def test_maps_channels_keeps_size():
    out = ConvBNConnector(3, 5)(torch.randn(2, 3, 8, 8))
    assert out.shape == (2, 5, 8, 8)


@pytest.mark.parametrize('size,expected', [((4, 4), (4, 4)), (16, (16, 16)),
                                           (torch.Size([6, 10]), (6, 10))])
def test_resizes_to_target(size, expected):
    out = ConvBNConnector(3, 5)(torch.randn(2, 3, 8, 8), size=size)
    assert out.shape == (2, 5, *expected)


def test_identity_weights_give_bilinear_resize():
    x = torch.randn(2, 3, 8, 8)
    connector = _identity_connector(3)
    scale = (1 + connector.bn.eps)**-0.5
    torch.testing.assert_close(connector(x), x * scale)
    resized = F.interpolate(x, size=(4, 4), mode='bilinear',
                            align_corners=False)
    torch.testing.assert_close(connector(x, size=(4, 4)), resized * scale)


def test_train_mode_output_is_batch_normalized():
    connector = ConvBNConnector(3, 4)
    connector.init_weights()
    out = connector(torch.randn(8, 3, 5, 5) * 7 + 3)
    torch.testing.assert_close(out.mean(dim=(0, 2, 3)), torch.zeros(4),
                               atol=1e-5, rtol=0)
    torch.testing.assert_close(out.var(dim=(0, 2, 3), correction=0),
                               torch.ones(4), atol=1e-3, rtol=0)


def test_wrong_channels_raise():
    with pytest.raises(ValueError, match=r'\[N, 3, H, W\].*\[2, 4, 8, 8\]'):
        ConvBNConnector(3, 5)(torch.randn(2, 4, 8, 8))


@pytest.mark.parametrize('scope', [None, 'mmpretrain', 'gankd'])
@pytest.mark.parametrize('type_name', ['ConvBNConnector',
                                       'gankd.ConvBNConnector'])
def test_build_from_registry(type_name, scope):
    if scope is not None:  # conftest clears the default scope afterwards
        DefaultScope.get_instance('test_connectors', scope_name=scope)
    connector = MODELS.build(dict(type=type_name, in_channels=3,
                                  out_channels=5))
    assert isinstance(connector, ConvBNConnector)
    assert connector.conv.weight.shape == (5, 3, 1, 1)
