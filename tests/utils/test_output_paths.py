"""Output paths are checked before work starts: writable paths pass and
nothing is created; every other case is one line naming the flag."""
import os

import pytest

from gankd.utils.output_paths import OutputPathError, check_output_paths


@pytest.fixture
def unwritable_dir(tmp_path):
    """A folder no file can be created in, even by root."""
    if os.geteuid() != 0:
        folder = tmp_path / 'locked'
        folder.mkdir(mode=0o555)
        yield str(folder)
        folder.chmod(0o755)
        return
    try:  # root bypasses permission bits; sysfs refuses new files anyway
        with open('/sys/gankd_probe', 'w'):
            pass
    except OSError:
        yield '/sys'
        return
    os.remove('/sys/gankd_probe')
    pytest.skip('no unwritable folder on this machine')


def test_writable_paths_pass_and_nothing_is_created(tmp_path):
    (tmp_path / 'old.png').write_bytes(b'x')
    before = sorted(os.listdir(tmp_path))
    check_output_paths(
        files={'--out': str(tmp_path / 'a' / 'b' / 'grid.png'),
               '--save-codes': None, 'OUT': str(tmp_path / 'old.png')},
        folders={'--work-dir': str(tmp_path / 'new' / 'run'),
                 '--out-dir': str(tmp_path)})
    assert sorted(os.listdir(tmp_path)) == before


def check_one(flag, path, kind):
    with pytest.raises(OutputPathError) as caught:
        check_output_paths(**{kind: {flag: path}})
    return str(caught.value)


def test_a_folder_where_a_file_is_meant(tmp_path):
    assert check_one('--out', str(tmp_path), 'files') == (
        f'--out {tmp_path}: is a folder; give the path of a file to write')


def test_a_file_where_a_folder_is_meant(tmp_path):
    path = tmp_path / 'metrics.json'
    path.write_text('{}')
    assert check_one('--out-dir', str(path), 'folders') == (
        f'--out-dir {path}: is a file, not a folder; give a folder path')


@pytest.mark.parametrize('kind', ['files', 'folders'])
def test_a_file_in_the_way_of_the_folders_to_create(tmp_path, kind):
    blocker = tmp_path / 'taken'
    blocker.write_text('')
    path = blocker / 'run' / 'x.png'
    folder = path.parent if kind == 'files' else path
    assert check_one('--work-dir', str(path), kind) == (
        f'--work-dir {path}: {blocker} is a file, so the folder {folder} '
        'cannot be created; choose another path')


@pytest.mark.parametrize('kind', ['files', 'folders'])
def test_an_unwritable_location(unwritable_dir, kind):
    path = os.path.join(unwritable_dir, 'gankd_out', 'grid.png')
    assert check_one('--out', path, kind) == (
        f'--out {path}: cannot write in {unwritable_dir} (Permission '
        'denied); choose a writable location')


def test_an_empty_path():
    assert check_one('--out', '', 'files') == \
        '--out: the path is empty; give one'
