"""Every command checks its output paths before any other work: with a
file in the way of the output, the error names the output flag, not the
missing config or checkpoint the command would have read first."""
import importlib
import importlib.util
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TINY = os.path.join(REPO, 'tests', 'data', 'configs', 'tiny_synthshapes.py')


def _module(name):
    if name.endswith('.py'):  # a script under tools/
        spec = importlib.util.spec_from_file_location(
            os.path.basename(name)[:-3], os.path.join(REPO, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


# (command module, flag, 'file' or 'folder', argv with BAD for the path)
COMMANDS = [
    ('gankd.apis.train', '--work-dir', 'folder',
     [TINY, '--work-dir', 'BAD']),
    ('gankd.apis.train', 'work_dir', 'folder',
     [TINY, '--cfg-options', 'work_dir=BAD']),
    ('gankd.apis.test', '--out', 'file', ['nope.py', 'nope.pth', '--out',
                                          'BAD']),
    ('gankd.apis.benchmark', '--out', 'file', ['--out', 'BAD']),
    ('gankd.apis.benchmark', '--work-dir', 'folder', ['--work-dir', 'BAD']),
    ('gankd.apis.convert', 'OUT', 'file', ['nope.pth', 'BAD']),
    ('gankd.apis.edit', '--out', 'file',
     ['nope.py', '--boundary', 'nope.npy', '--out', 'BAD']),
    ('gankd.apis.edit', '--save-codes', 'file',
     ['nope.py', '--boundary', 'nope.npy', '--out', 'OK.png',
      '--save-codes', 'BAD']),
    ('gankd.apis.export', '--out-dir', 'folder',
     ['nope.py', 'nope.pth', '--out-dir', 'BAD']),
    ('gankd.apis.generate', '--out', 'file',
     ['nope.py', 'nope.pth', '--out', 'BAD']),
    ('gankd.apis.generate', '--save-codes', 'file',
     ['nope.py', 'nope.pth', '--out', 'OK.png', '--save-codes', 'BAD']),
    ('gankd.apis.generator_benchmark', '--out', 'file', ['--out', 'BAD']),
    ('gankd.apis.inversion_eval', '--work-dir', 'folder',
     ['nope.py', '--work-dir', 'BAD']),
    ('gankd.apis.invert', '--out', 'folder',
     ['nope.py', 'nope.png', '--out', 'BAD']),
    ('gankd.apis.probe', '--work-dir', 'folder',
     ['nope.py', '--work-dir', 'BAD']),
    ('gankd_mganprior.benchmark', '--out', 'file',
     ['nope.py', '--out', 'BAD']),
    ('gankd_interfacegan.benchmark', '--out', 'file',
     ['nope.py', '--out', 'BAD']),
    ('tools/analysis/plot_scalars.py', '--out', 'file',
     ['nope', '--keys', 'fid', '--out', 'BAD']),
    ('tools/analysis/contact_sheet.py', '--out-dir', 'folder',
     ['--out-dir', 'BAD']),
]


@pytest.mark.parametrize('name, flag, kind, argv', COMMANDS,
                         ids=[f'{c[0]}:{c[1]}' for c in COMMANDS])
def test_output_paths_are_checked_first(tmp_path, capsys, name, flag, kind,
                                        argv):
    blocker = tmp_path / 'taken'
    blocker.write_text('')
    bad = str(blocker / ('out.png' if kind == 'file' else 'run'))
    folder = os.path.dirname(bad) if kind == 'file' else bad
    argv = [str(tmp_path / arg) if arg == 'OK.png' else
            arg.replace('BAD', bad) for arg in argv]
    with pytest.raises(SystemExit) as caught:
        _module(name).main(argv)
    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        f'error: {flag} {bad}: {blocker} is a file, so the folder {folder} '
        'cannot be created; choose another path\n')
