"""Knowledge points, counts, lambda, rho, D metrics, masks and image
filtering on hand-made entropy maps (spec §6, checks 7, 8, 9, 11)."""
import math

import numpy as np
import pytest
import torch

from gankd_knowledge_points.checkpoint_list import checkpoint_paths
from gankd_knowledge_points.errors import KnowledgePointsError
from gankd_knowledge_points.foreground import (central_box, foreground_grid,
                                               mask_to_grid, pad_mask)
from gankd_knowledge_points.image_filter import common_images, valid_images
from gankd_knowledge_points.knowledge_metrics import (
    background_mean, baseline_entropy, count_points, knowledge_points,
    quality_ratio, stability)
from gankd_knowledge_points.learning_speed import (learning_speed,
                                                   load_weight_distance,
                                                   path_length)
from gankd_knowledge_points.settings import MaskConfig, PointsConfig

FG = torch.zeros(4, 4, dtype=torch.bool)
FG[1:3, 1:3] = True  # 4 foreground cells, 12 background


def entropy_map(fg_values, bg_value=-3.0):
    """A 4x4 map: background cells bg_value, the 4 foreground cells
    fg_values (row-major)."""
    out = torch.full((4, 4), bg_value, dtype=torch.float64)
    out[FG] = torch.tensor(fg_values, dtype=torch.float64)
    return out


def test_counts_lambda_and_strict_threshold():
    # check 7. Baseline -3.0 (dataset mean of background means): with
    # b = 0.25 (exact in binary) a cell at -3.25 is exactly b below it and
    # is NOT a point; -3.375 is.
    image_a = entropy_map([-3.375, -3.25, -3.5, -2.0])
    image_b = entropy_map([-3.0, -3.0, -3.0, -3.0])
    image_b[0, 0] = -4.0  # a background point...
    image_b[0, 1] = -2.0  # ...balanced so b's background mean stays -3.0
    entropy = torch.stack([image_a, image_b])[None]  # [M=1, N=2, 4, 4]
    fg = torch.stack([FG, FG])
    assert background_mean(entropy, fg).tolist() == [[-3.0, -3.0]]
    base = baseline_entropy(entropy, fg)
    assert base.tolist() == [[-3.0]]
    points = knowledge_points(entropy, base, 0.25)
    counts = count_points(points, fg)
    assert counts['fg'].tolist() == [[2, 0]]
    assert counts['bg'].tolist() == [[0, 1]]
    assert quality_ratio(counts['fg'], counts['bg']).tolist() == [[1.0, 0.0]]
    # no points at all: ratio 0, not NaN
    assert quality_ratio(torch.tensor([0]), torch.tensor([0])).item() == 0
    # per_image baseline uses each image's own background mean
    image_b[~FG] = -2.0
    entropy = torch.stack([image_a, image_b])[None]
    per_image = baseline_entropy(entropy, fg, 'per_image')
    assert per_image.shape == (1, 2)
    assert per_image[0, 1].item() == pytest.approx(-2.0)
    assert baseline_entropy(entropy, fg)[0, 0].item() == pytest.approx(-2.5)


def test_rho():
    # check 8
    point = torch.zeros(4, 4, dtype=torch.bool)
    point[1, 1] = True
    same = torch.stack([point, point, point])[:, None]  # [M=3, N=1, 4, 4]
    assert stability(same, FG[None])['fg'].tolist() == [1.0]
    gone = same.clone()
    gone[0, 0, 2, 2] = True  # learned early, gone at the end
    rho = stability(gone, FG[None])
    assert rho['fg'].tolist() == [0.5]
    assert rho['bg'].tolist() == [0.0]  # empty union contributes 0
    assert rho['total'].tolist() == [0.5]
    random_points = torch.rand(5, 3, 4, 4,
                               generator=torch.Generator().manual_seed(0))
    for value in stability(random_points > 0.6, FG.expand(3, 4, 4)).values():
        assert ((value >= 0) & (value <= 1)).all()


def test_d_metrics_from_synthetic_curves():
    # check 9. d_e for epochs 1..6; checkpoints 0, 2, 4, 6.
    d = [0.5, 0.25, 0.125, 0.1, 0.05, 0.025]
    epochs = [0, 2, 4, 6]
    assert path_length(d, 0) == 0.0
    assert path_length(d, 4) == pytest.approx(0.975)
    n_fg = np.array([[0, 0, 0],
                     [3, 1, 0],
                     [5, 6, 0],
                     [5, 2, 0]])  # image 0 peaks first at 4, 1 at 4
    out = learning_speed(n_fg, epochs, d)
    assert out['peak_epoch'].tolist() == [4, 4, -1]
    assert out['D'][:2].tolist() == pytest.approx([0.975, 0.975])
    assert math.isnan(out['D'][2])  # no foreground point: left out
    assert out['D_mean'] == pytest.approx(0.975)
    assert out['D_var'] == 0.0 and out['D_std'] == 0.0  # peaked together
    # code behaviour on request: the empty image counts with m_hat = 0
    code = learning_speed(n_fg, epochs, d, include_empty=True)
    assert code['peak_epoch'].tolist() == [4, 4, 0]
    assert code['D_mean'] == pytest.approx(0.65)
    assert code['D_var'] == pytest.approx(np.var([0.975, 0.975, 0.0]))
    assert code['D_std'] == pytest.approx(np.std([0.975, 0.975, 0.0]))
    # skipping checkpoint 0 indexes the others correctly: image 1 peaking
    # at the first considered checkpoint (epoch 2) gets P(2), not P(0)
    early = np.array([[9], [4], [1], [1]])
    assert learning_speed(early, epochs, d, skip_initial=True)[
        'peak_epoch'].tolist() == [2]
    assert learning_speed(early, epochs, d, skip_initial=True)[
        'D'].tolist() == [0.75]


def test_central_box_and_padding():
    # check 11
    box = central_box(16)
    rows = torch.nonzero(box.any(1)).flatten().tolist()
    cols = torch.nonzero(box.any(0)).flatten().tolist()
    assert rows == list(range(2, 14)) and cols == list(range(2, 14))
    assert box.sum() == 144
    # a centred square stays centred after 1.2x padding
    mask = torch.zeros(50, 50)
    mask[15:35, 15:35] = 1
    padded = pad_mask(mask, 1.2)
    assert padded.shape == (60, 60)
    fg = torch.nonzero(padded)
    assert fg.min(0).values.tolist() == [20, 20]
    assert fg.max(0).values.tolist() == [39, 39]  # 20 px each side
    grid = mask_to_grid(padded, 6)
    assert torch.equal(grid, torch.flip(grid, (0, 1)))  # symmetric
    assert grid[2:4, 2:4].all() and grid.sum() == 4


def test_mask_downsample_modes():
    mask = torch.zeros(8, 8)
    mask[0, 1] = 1  # one pixel of the top-left 4x4 cell
    mask[4:8, 4:7] = 1  # 12 of the bottom-right cell's 16 pixels
    assert mask_to_grid(mask, 2, 'any').tolist() == [[True, False],
                                                     [False, True]]
    assert mask_to_grid(mask, 2, 'majority').tolist() == [[False, False],
                                                          [False, True]]
    assert mask_to_grid(mask, 2, 'nearest').tolist() == [[False, False],
                                                         [False, True]]


def test_bad_masks_are_one_clear_line():
    cfg = MaskConfig()
    good = torch.zeros(8, 8)
    good[2:6, 2:6] = 1
    with pytest.raises(KnowledgePointsError,
                       match=r'mask of image 7 is \[6, 8\], the image is '
                             r'\[8, 8\]'):
        foreground_grid(cfg, 4, 2, [good, torch.ones(6, 8)], (8, 8),
                        indices=[3, 7])
    with pytest.raises(KnowledgePointsError,
                       match='image 1: no foreground cell on the 4x4 grid'):
        foreground_grid(cfg, 4, 2, [good, torch.zeros(8, 8)], (8, 8))
    with pytest.raises(KnowledgePointsError, match='no background cell'):
        foreground_grid(cfg, 4, 1, [torch.ones(8, 8)], (8, 8))
    with pytest.raises(KnowledgePointsError, match='one mask per image'):
        foreground_grid(cfg, 4, 2, None, (8, 8))
    box = foreground_grid(MaskConfig(source='central_box'), 16, 3)
    assert box.shape == (3, 16, 16) and torch.equal(box[1], central_box(16))


def test_image_filter_rules():
    # 3 checkpoints (epochs 0, 40, 50), 5 images
    good = entropy_map([-3.5] * 4)
    inverted = entropy_map([-2.0] * 4)  # foreground above background
    entropy = torch.stack([good] * 5)[None].repeat(3, 1, 1, 1)
    entropy[0, 1] = inverted  # epoch 0 < 40: does not matter
    entropy[2, 2] = inverted  # epoch 50: dropped
    entropy[1, 3, 0, 0] = float('nan')  # sigma <= 0 in the code: dropped
    sf2 = torch.ones(3, 5)
    sf2[0, 4] = 0.0  # s_f^2 = 0 at one checkpoint: dropped
    fg = FG.expand(5, 4, 4)
    cfg = PointsConfig(max_images=None)
    assert valid_images(entropy, fg, [0, 40, 50], sf2, cfg).tolist() == [
        True, True, False, False, False]
    assert valid_images(entropy, fg, [0, 40, 50], sf2,
                        PointsConfig(max_images=1)).tolist() == [
        True, False, False, False, False]
    assert common_images(torch.tensor([1, 1, 0, 1], dtype=torch.bool),
                         torch.tensor([0, 1, 1, 1], dtype=torch.bool)) == [
        1, 3]


def test_checkpoint_list_must_match_the_files(tmp_path):
    for epoch in (0, 2, 5):
        (tmp_path / f'snapshot_epoch_{epoch}.pth').write_bytes(b'x')
    assert checkpoint_paths(str(tmp_path), [0, 5])[1].endswith(
        'snapshot_epoch_5.pth')
    with pytest.raises(KnowledgePointsError,
                       match=r'epochs \[10, 15\] of the checkpoint list; '
                             r'found epochs \[0, 2, 5\]'):
        checkpoint_paths(str(tmp_path), [0, 5, 10, 15])
    with pytest.raises(KnowledgePointsError, match='increasing'):
        checkpoint_paths(str(tmp_path), [5, 0])
    with pytest.raises(KnowledgePointsError, match='covers epochs 1..2'):
        path_length([0.1, 0.2], 5)
    (tmp_path / 'wd.json').write_text('{"nope": 1}')
    with pytest.raises(KnowledgePointsError, match='not a weight-distance'):
        load_weight_distance(str(tmp_path / 'wd.json'))
