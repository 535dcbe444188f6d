"""``gankd invert --mask`` with a bad file is one line naming the file,
before any inverter is built or image read."""
import numpy as np
import pytest

from gankd.apis import invert as invert_api


def test_truncated_mask_is_one_line(tmp_path, capsys):
    config = tmp_path / 'inverter.py'
    # never built: the mask is read first
    config.write_text("model = dict(type='NoSuchInverter')\n")
    mask = tmp_path / 'mask.npy'
    np.save(mask, np.ones((16, 16), np.float32))
    mask.write_bytes(mask.read_bytes()[:-100])
    with pytest.raises(SystemExit) as caught:
        invert_api.main([str(config), str(tmp_path / 'in.png'), '--out',
                         str(tmp_path / 'out'), '--task', 'inpainting',
                         '--mask', str(mask)])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f'error: mask {mask}: not a readable .npy array')
    assert err.count('\n') == 1
