"""Start-up: help paths import neither torch nor mmpretrain (an invariant,
checked in a fresh interpreter; tools/analysis/startup_times.py measures
the times), and installed plugins' metadata is read before any import."""
import json
import os

from gankd.cli import COMMANDS

# Runs every help path of `gankd` in one fresh interpreter, after listing
# plugins from their metadata, and reports what each printed and which
# heavy modules were imported.
PROBE = '''
import contextlib, io, json, sys
from gankd.cli import COMMANDS, main

def run(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(argv)
        except SystemExit:
            pass
    return out.getvalue()

listing = json.loads(run(['plugins', '--no-load', '--json']))
helps = {name: run([name, '--help']) for name in COMMANDS}
helps[''] = run(['--help'])
heavy = [name for name in ('torch', 'mmpretrain') if name in sys.modules]
print(json.dumps(dict(listing=listing, helps=helps, heavy=heavy)))
'''

# Adds an option to train and test; registering its components would fail,
# so a help path that registered components would list it as failed.
CLI_PLUGIN = '''
from gankd import hookimpl

@hookimpl
def gankd_add_cli_arguments(command, parser):
    group = parser.add_argument_group('gankd_fake_cli')
    group.add_argument('--fake-cli-level', help=f'level for {command}')

@hookimpl
def gankd_register_modules(registrar):
    raise RuntimeError('components are not needed for --help')
'''


def install_fake_plugin(site, dist: str, module: str, source: str) -> None:
    """A distribution on a path entry: dist-info with one ``gankd.plugins``
    entry point, and the module it names (nothing goes into the venv)."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / 'METADATA').write_text(
        f'Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n')
    (info / 'entry_points.txt').write_text(
        f'[gankd.plugins]\n{module} = {module}\n')
    (site / f'{module}.py').write_text(source)


def test_help_paths_import_neither_torch_nor_mmpretrain(run_tool,
                                                        tmp_path):
    site = tmp_path / 'site'
    install_fake_plugin(site, 'gankd-fake-cli', 'gankd_fake_cli',
                        CLI_PLUGIN)
    install_fake_plugin(site, 'gankd-fake-broken', 'gankd_fake_broken',
                        "raise ImportError('No module named fake_dep')\n")
    path = os.pathsep.join(filter(None, [str(site),
                                         os.environ.get('PYTHONPATH')]))
    result = run_tool(['-c', PROBE], env={'PYTHONPATH': path})
    report = json.loads(result.stdout.splitlines()[-1])
    assert report['heavy'] == []
    helps = report['helps']
    for name in COMMANDS:
        assert helps[name].startswith(f'usage: gankd {name}'), name
    # Plugins' options are still shown, only where they apply.
    assert 'level for train' in helps['train']
    assert 'level for test' in helps['test']
    assert '--fake-cli-level' not in helps['generate']
    # The metadata listing names both without importing either...
    listing = {p['name']: p for p in report['listing']}
    assert listing['gankd_fake_broken']['distribution'] == \
        'gankd-fake-broken'
    assert listing['gankd_fake_broken']['status'] == 'pending'
    assert listing['gankd_fake_cli']['status'] == 'pending'
    # ...and the broken one, imported for train's options, is one line
    # naming it, its error and the switches; it stops no help.
    warnings = [line for line in result.stderr.splitlines()
                if line.startswith('warning:')]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "warning: gankd plugin 'gankd_fake_broken' (gankd_fake_broken, "
        'from gankd-fake-broken) failed to load: ImportError: No module '
        'named fake_dep.')
    assert 'GANKD_PLUGINS_DISABLE=gankd_fake_broken' in warnings[0]
    assert 'GANKD_PLUGINS_LENIENT=1' in warnings[0]
