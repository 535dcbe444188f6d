"""Contact sheets of gankd's embedded datasets (docs/datasets/*.png).

Usage::

    python tools/analysis/contact_sheet.py [--out-dir docs/datasets]

Writes ``synth_shapes.png`` (all 100 classes; 8 samples of 10 classes with
their foreground masks) and ``synth_faces.png`` (identities across images,
paired views, and one attribute changed at a time), with labels drawn in.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Sequence

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from gankd.datasets import SynthFaces, SynthShapes  # noqa: E402
from gankd.datasets.face_attributes import (  # noqa: E402
    BACKGROUND_BGR, BACKGROUNDS, HAIR_COLORS)
from gankd.datasets.shape_templates import PATTERNS, SHAPES  # noqa: E402
from gankd.errors import report_user_errors  # noqa: E402
from gankd.utils.output_paths import check_output_paths  # noqa: E402

WHITE, INK, GAP = 255, (30, 30, 30), 4
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _text(width: int, text: str, height: int = 18, scale: float = 0.42,
          align: str = 'center') -> np.ndarray:
    strip = np.full((height, width, 3), WHITE, np.uint8)
    (w, h), _ = cv2.getTextSize(text, FONT, scale, 1)
    x = max((width - w) // 2, 2) if align == 'center' else 4
    cv2.putText(strip, text, (x, (height + h) // 2), FONT, scale, INK, 1,
                cv2.LINE_AA)
    return strip


def _zoom(img: np.ndarray, size: int) -> np.ndarray:
    if img.ndim == 2:  # a mask: white object on black
        img = np.repeat(img[..., None] * 255, 3, 2).astype(np.uint8)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)


def _row(tiles: Sequence[np.ndarray], labels: Sequence[str] = None,
         label_left: str = None, left_width: int = 0) -> np.ndarray:
    """Tiles side by side, optional caption under each and a row title."""
    size = tiles[0].shape[0]
    cells = []
    for i, tile in enumerate(tiles):
        cell = tile
        if labels is not None:
            cell = np.concatenate([tile, _text(size, labels[i])], 0)
        cells.append(cell)
        cells.append(np.full((cell.shape[0], GAP, 3), WHITE, np.uint8))
    row = np.concatenate(cells[:-1], 1)
    if left_width:
        title = _text(left_width, label_left or '', row.shape[0], 0.45,
                      'left')
        row = np.concatenate([title, row], 1)
    return row


def _stack(blocks: List[np.ndarray], gap: int = GAP) -> np.ndarray:
    width = max(b.shape[1] for b in blocks)
    out = []
    for b in blocks:
        pad = np.full((b.shape[0], width - b.shape[1], 3), WHITE, np.uint8)
        out += [np.concatenate([b, pad], 1),
                np.full((gap, width, 3), WHITE, np.uint8)]
    return np.concatenate(out[:-1], 0)


def shapes_sheet() -> np.ndarray:
    """All classes (rows: pattern, columns: shape), then 8 samples and
    masks of the 10 classes with shape == pattern index."""
    ds = SynthShapes(num_samples=4000, split='train', seed=0)
    size = 72
    blocks = [_text(1100, 'SynthShapes (32x32, shown x2.25): class = shape x '
                    'pattern; colour, scale, rotation, position, clutter and '
                    'noise vary per image', 26, 0.5, 'left')]
    first = {}
    labels = ds.get_gt_labels()
    for i, label in enumerate(labels):
        first.setdefault(int(label), []).append(i)
    blocks.append(_row([_text(size, s) for s in SHAPES], None, '', 80))
    for p, pattern in enumerate(PATTERNS):
        tiles = [_zoom(ds.get_data_info(first[p * 10 + s][0])['img'], size)
                 for s in range(len(SHAPES))]
        blocks.append(_row(tiles, None, pattern, 80))
    blocks.append(_text(1100, '8 samples of 10 classes, each followed by '
                        'the foreground masks (fg_mask) of its first 4',
                        26, 0.5, 'left'))
    for k in range(10):
        label = k * 11  # shape k with pattern k
        infos = [ds.get_data_info(i) for i in first[label][:8]]
        tiles = [_zoom(info['img'], size) for info in infos]
        tiles += [_zoom(info['fg_mask'], size) for info in infos[:4]]
        blocks.append(_row(tiles, None, ds.metainfo['classes'][label], 130))
    return _stack(blocks)


def faces_sheet() -> np.ndarray:
    """Identities, pairs, attribute sweeps, and the 32x32 version."""
    ds = SynthFaces(num_samples=2048, img_size=64, seed=0, paired=True)
    size = 96
    blocks = [_text(1240, 'SynthFaces (64x64, shown x1.5): gt_label = '
                    'identity; 10 labelled attributes per image', 26, 0.5,
                    'left')]
    labels = ds.get_gt_labels()
    blocks.append(_text(1240, 'Same identity across images (each row one '
                        'identity; hair, glasses and age cue follow the '
                        "identity's priors)", 22, 0.45, 'left'))
    for ident in range(5):
        idx = np.nonzero(labels == ident)[0][:4]
        tiles = []
        for i in idx:  # both views of each sample: 8 images of one person
            info = ds.get_data_info(int(i))
            tiles += [_zoom(info['img'], size), _zoom(info['ref_img'], size)]
        blocks.append(_row(tiles, None, ds.metainfo['classes'][ident], 90))

    blocks.append(_text(1240, 'Paired mode (img | ref_img): same identity '
                        'and appearance, other yaw, expression and lighting',
                        22, 0.45, 'left'))
    tiles, captions = [], []
    for i in range(100, 106):
        info = ds.get_data_info(i)
        tiles += [_zoom(info['img'], size), _zoom(info['ref_img'], size)]
        captions += [f"yaw {info['gt_attrs'][0]:+.1f}",
                     f"yaw {info['ref_attrs'][0]:+.1f}"]
    blocks.append(_row(tiles, captions, '', 90))

    blocks.append(_text(1240, 'One attribute changed at a time (same '
                        'identity, everything else fixed)', 22, 0.45,
                        'left'))
    # A medium-skinned identity with dark frames shows every change clearly.
    ident = next(i for i, row in enumerate(ds.sampler.identities)
                 if row['skin_tone'] == 1 and max(row['frame_bgr']) < 100)
    index = int(np.nonzero(labels == ident)[0][0])
    base = ds.sample_params(index)
    base.update(eyeglasses=0, smile=0, mouth_open=0, aged=0, yaw=0.0,
                lighting=0.0, long_hair=0)
    sweeps = [
        ('yaw', [dict(yaw=v) for v in (-1, -.5, 0, .5, 1)],
         ['-1', '-0.5', '0', '+0.5', '+1']),
        ('smile / mouth', [dict(smile=s, mouth_open=m) for s, m in
                           ((0, 0), (1, 0), (0, 1), (1, 1))],
         ['neutral', 'smile', 'open', 'smile+open']),
        ('glasses, age', [dict(eyeglasses=0), dict(eyeglasses=1),
                          dict(aged=1), dict(long_hair=1)],
         ['none', 'eyeglasses', 'aged', 'long hair']),
        ('hair_color', [dict(hair_color=c) for c in range(5)],
         list(HAIR_COLORS)),
        ('lighting', [dict(lighting=v) for v in (-1, -.5, 0, .5, 1)],
         ['-1', '-0.5', '0', '+0.5', '+1']),
        ('background', [dict(background=b, bg_bgr=BACKGROUND_BGR[b])
                        for b in range(6)], list(BACKGROUNDS)),
    ]
    for title, changes, captions in sweeps:
        tiles = []
        for change in changes:
            params = dict(base, **change)
            out = ds.render_params(ident, params, np.random.default_rng(0))
            tiles.append(_zoom(out['img'], size))
        blocks.append(_row(tiles, captions, title, 130))

    small = SynthFaces(num_samples=16, img_size=32, seed=0)
    blocks.append(_text(1240, 'img_size=32 (shown x3) with face_mask', 22,
                        0.45, 'left'))
    infos = [small.get_data_info(i) for i in range(6)]
    tiles = [_zoom(info['img'], size) for info in infos]
    tiles += [_zoom(info['face_mask'], size) for info in infos[:4]]
    blocks.append(_row(tiles, None, '', 90))
    return _stack(blocks)


@report_user_errors
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default=osp.join('docs', 'datasets'))
    args = parser.parse_args(argv)
    check_output_paths(folders={'--out-dir': args.out_dir})
    os.makedirs(args.out_dir, exist_ok=True)
    for name, sheet in (('synth_shapes', shapes_sheet),
                        ('synth_faces', faces_sheet)):
        path = osp.join(args.out_dir, f'{name}.png')
        cv2.imwrite(path, sheet())
        print(f'wrote {path}')


if __name__ == '__main__':
    main()
