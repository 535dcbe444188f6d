"""``gankd restore``: pairing by name, bad files skipped and listed,
resume, settings checks, and outputs equal to the restorer's own."""
import os

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from gankd.apis.invert_inputs import InputListError, read_image
from gankd.apis.restore import main
from gankd.apis.restore_outputs import read_records
from gankd.kinds import build_restorer
from gankd.registry import scope_config_types
from gankd.utils.checkpoint import CheckpointError
from gankd.utils.images import to_uint8

CONFIG = 'tests/data/configs/tiny_ented_stage_b.py'


def checkpoint(path, seed=0, **changes):
    model = Config.fromfile(CONFIG).model.to_dict()
    model.update(init_from=None, discriminator=None, **changes)
    torch.manual_seed(seed)
    restorer = build_restorer(scope_config_types(model))
    torch.save(dict(state_dict=restorer.state_dict(), meta={}), str(path))
    return restorer


def write(path, size=16, seed=0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.random.default_rng(seed).integers(0, 256, (size, size, 3),
                                                 dtype=np.uint8)
    cv2.imwrite(str(path), image)


@pytest.fixture
def folders(tmp_path):
    lq, ref, gt = (tmp_path / name for name in ('lq', 'ref', 'gt'))
    for i, name in enumerate('abcd'):
        write(lq / f'{name}.png', seed=i)
    (lq / 'c.png').write_bytes(b'not a png')
    write(ref / 'a.png', seed=10)
    write(ref / 'b.png', size=8, seed=11)  # wrong size
    write(ref / 'c.png', seed=12)  # d has none
    write(gt / 'a.png', seed=20)
    return tmp_path


def run(folders, ckpt, *extra):
    return main([CONFIG, str(ckpt), str(folders / 'lq'), '--references',
                 str(folders / 'ref'), '--gt', str(folders / 'gt'),
                 '--out', str(folders / 'out'), '--no-progress', *extra])


def test_bad_files_are_skipped_listed_and_the_rest_restored(folders):
    restorer = checkpoint(folders / 'model.pth')
    report = run(folders, folders / 'model.pth')
    assert report['done'] == ['a']
    failures = (folders / 'out' / 'failures.txt').read_text().splitlines()
    assert len(failures) == 3
    assert any('b.png' in line and '8x8' in line for line in failures)
    assert any('c.png' in line and 'not a readable' in line
               for line in failures)
    assert any(line.startswith('d: no reference') for line in failures)
    rows = read_records(str(folders / 'out'))
    assert list(rows) == ['a'] and float(rows['a']['psnr']) > 0
    assert sorted(os.listdir(folders / 'out' / 'restored')) == ['a.png']
    # atomic writes: no temp file left next to the results
    assert sorted(os.listdir(folders / 'out')) == [
        'failures.txt', 'records.csv', 'restored', 'settings.json']
    # the written image is the restorer's own output for that pair
    size = (16, 16)
    with torch.no_grad():
        expected = restorer.eval().restore(
            read_image(str(folders / 'lq' / 'a.png'), size)[None],
            read_image(str(folders / 'ref' / 'a.png'), size)[None])
    written = read_image(str(folders / 'out' / 'restored' / 'a.png'), size)
    assert torch.equal(to_uint8(written[None]),
                       to_uint8(expected.clamp(-1, 1)))


def test_resume_skips_done_images_and_other_settings_are_refused(
        folders, capsys):
    checkpoint(folders / 'model.pth')
    run(folders, folders / 'model.pth')
    write(folders / 'ref' / 'd.png', seed=13)
    report = run(folders, folders / 'model.pth')
    assert report['skipped'] == ['a'] and report['done'] == ['d']
    assert sorted(read_records(str(folders / 'out'))) == ['a', 'd']
    checkpoint(folders / 'other.pth', seed=1)
    with pytest.raises(SystemExit):  # one line, exit 1
        run(folders, folders / 'other.pth')
    assert 'checkpoint differ' in capsys.readouterr().err
    report = run(folders, folders / 'other.pth', '--force')
    assert sorted(report['done']) == ['a', 'd'] and not report['skipped']


def test_a_checkpoint_of_another_model_fails_naming_the_file(folders):
    checkpoint(folders / 'small.pth', quantizer=dict(num_codes=8, dim=4))
    with pytest.raises(CheckpointError, match='small.pth'):
        from gankd.apis.restore import load_restorer
        load_restorer(CONFIG, str(folders / 'small.pth'))


def test_reference_lists_pair_by_name_and_bad_lists_stop(folders):
    from gankd.apis.restore_inputs import pair_inputs
    listing = folders / 'refs.txt'
    listing.write_text('# name path\na ref/c.png\n\nd ref/a.png\n')
    pairs = {p['name']: p for p in pair_inputs([str(folders / 'lq')],
                                               str(listing))}
    assert pairs['a']['reference'] == str(folders / 'ref' / 'c.png')
    assert pairs['d']['reference'] == str(folders / 'ref' / 'a.png')
    assert pairs['b']['reference'] is None
    listing.write_text('a\n')
    with pytest.raises(InputListError, match='refs.txt:1'):
        pair_inputs([str(folders / 'lq')], str(listing))
    write(folders / 'ref' / 'a.jpg', seed=3)
    with pytest.raises(InputListError, match="named 'a'"):
        pair_inputs([str(folders / 'lq')], str(folders / 'ref'))
