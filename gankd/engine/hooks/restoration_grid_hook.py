"""Grids of a restorer's validation results: input, reference, output,
ground truth, one row per image."""
import os.path as osp
from typing import List

import numpy as np
import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook

from gankd.registry import HOOKS

__all__ = ['RestorationGridHook', 'COLUMNS']

COLUMNS = ('input', 'reference', 'output', 'truth')
#: the header's short names (tiles may be 32 pixels wide)
LABELS = dict(input='in', reference='ref', output='out', truth='gt')


def _bgr_uint8_to_rgb(image: torch.Tensor) -> np.ndarray:
    """A packed ``[3, H, W]`` uint8 BGR image -> ``[H, W, 3]`` RGB."""
    return image.flip(0).permute(1, 2, 0).cpu().numpy()


def _unit_to_rgb(image: torch.Tensor) -> np.ndarray:
    """``[3, H, W]`` RGB in ``[-1, 1]`` -> ``[H, W, 3]`` uint8."""
    from gankd.utils.images import to_uint8
    return to_uint8(image[None].detach().cpu())[0].permute(1, 2, 0).numpy()


@HOOKS.register_module()
class RestorationGridHook(Hook):
    """After each validation (and test) run, writes
    ``work_dir/<out_dir>/{val,test}_iter_XXXXXX.png``: the first
    ``num_samples`` images in rows of the degraded input, the reference,
    the restored output and the ground truth (a column is left out when
    the batch has no reference or no ground truth), under a header naming
    the columns (in, ref, out, gt). Main process only; the file is
    written atomically.

    Args:
        num_samples (int): rows.
        out_dir (str): folder under the work dir.
        padding (int): white pixels between tiles.
    """

    priority = 'LOW'

    def __init__(self, num_samples: int = 8, out_dir: str = 'vis',
                 padding: int = 2) -> None:
        if num_samples < 1:
            raise ValueError(f'RestorationGridHook: num_samples must be >= '
                             f'1, got {num_samples}')
        self.num_samples, self.out_dir = num_samples, out_dir
        self.padding = padding
        self._rows: List[dict] = []

    def before_val_epoch(self, runner) -> None:
        self._rows = []

    before_test_epoch = before_val_epoch

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        inputs = data_batch['inputs']
        for i, sample in enumerate(outputs or []):
            if len(self._rows) == self.num_samples:
                return
            row = dict(input=_bgr_uint8_to_rgb(inputs['degraded'][i]),
                       output=_unit_to_rgb(sample.pred_img))
            if 'reference' in inputs:
                row['reference'] = _bgr_uint8_to_rgb(inputs['reference'][i])
            if 'gt_img' in sample:
                row['truth'] = _unit_to_rgb(sample.gt_img)
            self._rows.append(row)

    after_test_iter = after_val_iter

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._rows:
            self.write_grid(runner.work_dir, f'val_iter_{runner.iter:06d}')

    def after_test_epoch(self, runner, metrics=None) -> None:
        if self._rows:
            self.write_grid(runner.work_dir, f'test_iter_{runner.iter:06d}')

    @master_only
    def write_grid(self, work_dir: str, name: str) -> str:
        """Write the collected rows; returns the file path."""
        import cv2

        from gankd.utils.images import save_png
        columns = [c for c in COLUMNS if all(c in r for r in self._rows)]
        h, w = self._rows[0]['input'].shape[:2]
        p, header = self.padding, 12
        grid = np.full((header + len(self._rows) * (h + p) + p,
                        len(columns) * (w + p) + p, 3), 255, np.uint8)
        for j, column in enumerate(columns):
            x = p + j * (w + p)
            cv2.putText(grid, LABELS[column], (x, header - 3),
                        cv2.FONT_HERSHEY_PLAIN, 0.7, (0, 0, 0), 1)
            for i, row in enumerate(self._rows):
                y = header + p + i * (h + p)
                grid[y:y + h, x:x + w] = row[column]
        path = osp.join(work_dir, self.out_dir, f'{name}.png')
        save_png(grid, path)
        return path
