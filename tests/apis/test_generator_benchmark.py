"""The generator benchmark counts the FLOPs a generator really performs and
times a full regularisation cycle of GAN training."""
import pytest

from gankd.apis.generator_benchmark import Row, measure_row, table

pytest.importorskip('gankd_pggan')

# PGGAN 8x8, z = 8, 8 channels everywhere (min(64 // r, 8))
TINY = dict(
    type='UnconditionalGAN',
    generator=dict(type='PGGANGenerator', resolution=8, z_space_dim=8,
                   fmaps_base=64, fmaps_max=8),
    discriminator=dict(type='PGGANDiscriminator', resolution=8,
                       fmaps_base=64, fmaps_max=8),
    r1_interval=2, style_mixing_prob=0.0)


def test_forward_flops_are_the_hand_count_and_training_is_timed():
    result = measure_row(Row('tiny pggan', model=TINY, batch=4), repeats=1)
    # 2 x multiply-adds per output element: the 4x4 "dense" on the 1x1 z
    # (padding 3: 16 outputs x 8 channels x 8 x 4 x 4), the 3x3 conv at 4x4,
    # two 3x3 convs at 8x8, and one toRGB (1x1, 8 -> 3) at 8x8: the toRGB
    # layers of lower resolutions must not run at lod 0.
    hand = 2 * (16 * 8 * 8 * 16 + 16 * 8 * 8 * 9 + 2 * 64 * 8 * 8 * 9
                + 64 * 3 * 8)
    assert result['fwd_flops'] == hand
    assert result['cycle'] == 2  # one R1 interval
    # a training image costs G and D forwards and backwards: several times
    # the generator forward
    assert result['train_flops'] > 3 * hand
    assert result['fwd_img_s'] > 0 and result['train_img_s'] > 0
    text = table([result])
    assert '| tiny pggan | 8 |' in text


def test_forward_only_rows_skip_training():
    result = measure_row(Row('fwd', model=TINY, train=False, batch=2),
                         repeats=1)
    assert 'train_img_s' not in result
    assert table([result]).rstrip().endswith('| - | - | - |')
