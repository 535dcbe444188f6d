"""Plugin loading with fake entry points: lazy, isolated, switchable."""
import json
import types

import pytest
from torch import nn

from gankd import hookimpl, plugins
from gankd.registry import MODELS


class FakeDist:

    def __init__(self, name, version='1.0'):
        self.name, self.version = name, version


class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint."""

    def __init__(self, name, module, dist='fake-dist'):
        self.name, self.value = name, name
        self.module, self.dist = module, FakeDist(dist)
        self.loads = 0

    def load(self):
        self.loads += 1
        if isinstance(self.module, BaseException):
            raise self.module
        return self.module


def make_plugin(name, *classes, fail_after_first=False):
    module = types.ModuleType(name)

    @hookimpl
    def gankd_register_modules(registrar):
        for i, cls in enumerate(classes):
            if fail_after_first and i == 1:
                raise RuntimeError('boom in register')
            registrar.register('model', cls)

    module.gankd_register_modules = gankd_register_modules
    return module


def new_class(name):
    return type(name, (nn.Module, ), {})


@pytest.fixture
def entry_points(monkeypatch):
    """Install a list of fake entry points; plugins reload from scratch."""
    for variable in (plugins.ENV_DISABLE, plugins.ENV_ONLY,
                     plugins.ENV_LENIENT, plugins.ENV_TRACE):
        monkeypatch.delenv(variable, raising=False)
    fakes = []
    real = plugins._entry_points

    def fake_entry_points():
        saved = plugins.importlib.metadata.entry_points
        plugins.importlib.metadata.entry_points = lambda group: list(fakes)
        try:
            return real()
        finally:
            plugins.importlib.metadata.entry_points = saved

    plugins.unload_plugins()
    monkeypatch.setattr(plugins, '_entry_points', fake_entry_points)
    yield fakes
    plugins.unload_plugins()


def test_plugins_load_lazily_on_first_lookup(entry_points):
    ep = FakeEntryPoint('gankd_lazy', make_plugin('gankd_lazy',
                                                  new_class('LazyNet')))
    entry_points.append(ep)
    assert ep.loads == 0
    MODELS._imported = False  # as in a fresh process
    cls = MODELS.get('LazyNet')
    assert cls is not None and cls.__name__ == 'LazyNet'
    assert ep.loads == 1
    MODELS.get('LazyNet')
    assert ep.loads == 1  # once per process
    assert plugins.loaded_plugin_names() == ['gankd_lazy']
    assert plugins.component_owner('model', 'LazyNet') == 'gankd_lazy'


def warning_lines(err):
    return [line for line in err.splitlines() if line.startswith('warning:')]


def test_failing_plugin_is_reported_once_by_name_and_rolled_back(
        entry_points, capsys):
    entry_points.append(FakeEntryPoint(
        'gankd_half', make_plugin('gankd_half', new_class('HalfA'),
                                  new_class('HalfB'), fail_after_first=True)))
    plugins.load_plugins()  # strict: reported, not raised
    MODELS.get('ResNet_CIFAR')  # later lookups do not report it again
    assert warning_lines(capsys.readouterr().err) == [
        "warning: gankd plugin 'gankd_half' (gankd_half, from fake-dist) "
        'failed to load: RuntimeError: boom in register. It is skipped: '
        'anything that needs its components fails. Fix or uninstall it, or '
        'skip it with GANKD_PLUGINS_DISABLE=gankd_half '
        '(GANKD_PLUGINS_LENIENT=1: a Python warning instead of this line).']
    assert 'HalfA' not in MODELS.module_dict  # rolled back
    [info] = plugins.plugin_infos()
    assert (info.status, info.error) == ('failed',
                                         'RuntimeError: boom in register')


def test_a_broken_plugin_fails_only_what_needs_it(entry_points, capsys):
    """Lookups of other plugins' and gankd's components work, a whole
    plugin-free config passes the checks before training; a name nobody
    provides names the failed plugin as its likely owner."""
    from gankd.apis.config import check_config
    from gankd.config import load_config
    from gankd.registry import UnknownComponentError, resolve_type
    entry_points += [
        FakeEntryPoint('gankd_broken', ImportError('no module named x')),
        FakeEntryPoint('gankd_good', make_plugin('gankd_good',
                                                 new_class('GoodNet'))),
    ]
    assert MODELS.get('GoodNet').__name__ == 'GoodNet'
    assert plugins.loaded_plugin_names() == ['gankd_good']
    cfg = load_config('tests/data/configs/tiny_synthshapes.py')
    assert check_config(cfg, 'train') == []
    with pytest.raises(UnknownComponentError) as info:
        resolve_type(MODELS, 'BrokenNet')
    assert ("Loaded gankd plugins: gankd_good. Plugin 'gankd_broken' "
            '(ImportError: no module named x) failed to load and may provide '
            'it: fix or uninstall, or skip with '
            'GANKD_PLUGINS_DISABLE=gankd_broken. Install') in str(info.value)
    # A foreign scope's name is never a gankd plugin's.
    with pytest.raises(UnknownComponentError) as info:
        resolve_type(MODELS, 'mmpretrain.BrokenNet')
    assert 'gankd_broken' not in str(info.value)
    assert len(warning_lines(capsys.readouterr().err)) == 1


def test_a_plugin_exiting_at_import_is_a_failed_plugin(entry_points,
                                                       capsys):
    entry_points.append(FakeEntryPoint('gankd_exits', SystemExit(3)))
    plugins.load_plugins()
    [info] = plugins.plugin_infos()
    assert (info.status, info.error) == ('failed', 'SystemExit: 3')


def test_hooks_need_the_import_only_components_the_first_lookup(
        entry_points):
    """``gankd train --help`` calls gankd_add_cli_arguments: that must not
    register components (their modules import torch and mmpretrain)."""
    calls = []
    module = make_plugin('gankd_two_step', new_class('TwoStepNet'))
    register = module.gankd_register_modules
    module.gankd_register_modules = hookimpl(
        lambda registrar: calls.append(1) or register(registrar))
    module.gankd_config_roots = hookimpl(lambda: {'gankd_two_step': '/x'})
    entry_points.append(FakeEntryPoint('gankd_two_step', module))
    assert plugins.hook_results('gankd_config_roots') == [
        ('gankd_two_step', {'gankd_two_step': '/x'})]
    assert calls == []
    assert [i.status for i in plugins.plugin_infos(load=False)] == [
        'imported']
    assert MODELS.get('TwoStepNet') is not None
    assert calls == [1]
    assert plugins.loaded_plugin_names() == ['gankd_two_step']


def test_listing_without_load_imports_no_plugin(entry_points, monkeypatch):
    monkeypatch.setenv(plugins.ENV_DISABLE, 'gankd_off')
    entry_points += [
        FakeEntryPoint('gankd_off', make_plugin('gankd_off')),
        FakeEntryPoint('gankd_on', ImportError('never imported')),
    ]
    infos = plugins.plugin_infos(load=False)
    assert [(i.name, i.status, i.distribution) for i in infos] == [
        ('gankd_off', 'disabled', 'fake-dist'),
        ('gankd_on', 'pending', 'fake-dist')]
    assert [ep.loads for ep in entry_points] == [0, 0]


def test_lenient_mode_warns_and_loads_the_others(entry_points, monkeypatch):
    monkeypatch.setenv(plugins.ENV_LENIENT, '1')
    entry_points += [
        FakeEntryPoint('gankd_broken', ImportError('no module named x')),
        FakeEntryPoint('gankd_good', make_plugin('gankd_good',
                                                 new_class('GoodNet'))),
    ]
    with pytest.warns(RuntimeWarning, match="'gankd_broken'.*no module"):
        plugins.load_plugins()
    assert plugins.loaded_plugin_names() == ['gankd_good']
    status = {info.name: info.status for info in plugins.plugin_infos()}
    assert status == {'gankd_broken': 'failed', 'gankd_good': 'loaded'}


@pytest.mark.parametrize('variable,value,loaded', [
    ('GANKD_PLUGINS_DISABLE', 'gankd_a', ['gankd_b']),
    ('GANKD_PLUGINS_ONLY', 'gankd_a', ['gankd_a']),
])
def test_disable_and_allow_list(entry_points, monkeypatch, variable, value,
                                loaded):
    monkeypatch.setenv(variable, value)
    entry_points += [
        FakeEntryPoint('gankd_a', make_plugin('gankd_a', new_class('ANet'))),
        FakeEntryPoint('gankd_b', make_plugin('gankd_b', new_class('BNet'))),
    ]
    plugins.load_plugins()
    assert plugins.loaded_plugin_names() == loaded
    skipped = {'gankd_a', 'gankd_b'} - set(loaded)
    assert {i.name for i in plugins.plugin_infos()
            if i.status == 'disabled'} == skipped


def test_duplicate_component_names_both_plugins(entry_points):
    entry_points += [
        FakeEntryPoint('gankd_one', make_plugin('gankd_one',
                                                new_class('SameNet'))),
        FakeEntryPoint('gankd_two', make_plugin('gankd_two',
                                                new_class('SameNet'))),
    ]
    with pytest.raises(plugins.DuplicatePluginError) as info:
        plugins.load_plugins()
    assert "plugin 'gankd_one'" in str(info.value)
    assert "plugin 'gankd_two'" in str(info.value)


def test_clash_with_a_core_name_names_gankd(entry_points):
    entry_points.append(FakeEntryPoint(
        'gankd_clash', make_plugin('gankd_clash', new_class('GankdRunner'))))
    # A registrar into 'model' does not clash with the runner registry...
    plugins.load_plugins()
    plugins.unload_plugins()
    # ...but one into 'runner' does.
    module = types.ModuleType('gankd_clash2')
    module.gankd_register_modules = hookimpl(
        lambda registrar: registrar.register('runner',
                                             new_class('GankdRunner')))
    entry_points[:] = [FakeEntryPoint('gankd_clash2', module)]
    with pytest.raises(plugins.DuplicatePluginError,
                       match="by gankd itself and by plugin 'gankd_clash2'"):
        plugins.load_plugins()


def test_duplicate_entry_point_names_both_distributions(entry_points):
    first = FakeEntryPoint('gankd_x', make_plugin('m1'), dist='dist-one')
    second = FakeEntryPoint('gankd_x', make_plugin('m2'), dist='dist-two')
    second.value = 'other_module'
    other = FakeEntryPoint('gankd_y', make_plugin('gankd_y',
                                                  new_class('YNet')))
    entry_points += [first, second, other]
    with pytest.raises(plugins.DuplicatePluginError,
                       match='dist-one.*dist-two'):
        plugins.load_plugins()
    with pytest.raises(plugins.DuplicatePluginError):  # every lookup
        plugins.load_plugins()
    # The listing still lists, the clash as the plugin's error.
    infos = {info.name: info for info in plugins.plugin_infos()}
    assert infos['gankd_x'].status == 'failed'
    assert 'declared twice' in infos['gankd_x'].error
    assert infos['gankd_y'].status == 'loaded'
    assert first.loads == second.loads == 0


def test_misspelt_hook_fails_the_plugin(entry_points, capsys):
    module = types.ModuleType('gankd_typo')
    module.gankd_register_module = hookimpl(lambda registrar: None)
    entry_points.append(FakeEntryPoint('gankd_typo', module))
    plugins.load_plugins()
    [info] = plugins.plugin_infos()
    assert info.status == 'failed'
    assert "unknown hook 'gankd_register_module'" in info.error
    assert 'gankd_typo' in capsys.readouterr().err


def test_trace_prints_loads_and_hook_calls(entry_points, monkeypatch,
                                           capsys):
    monkeypatch.setenv(plugins.ENV_TRACE, '1')
    module = make_plugin('gankd_traced', new_class('TracedNet'))
    module.gankd_config_roots = hookimpl(lambda: {'gankd_traced': '/x'})
    entry_points.append(FakeEntryPoint('gankd_traced', module))
    results = plugins.hook_results('gankd_config_roots')
    assert results == [('gankd_traced', {'gankd_traced': '/x'})]
    err = capsys.readouterr().err
    assert 'gankd_traced: loading' in err
    assert 'gankd_traced.gankd_config_roots()' in err


def test_hook_error_names_plugin_and_hook(entry_points):
    module = types.ModuleType('gankd_bad_hook')

    def broken():
        raise ValueError('bad index')

    module.gankd_model_index = hookimpl(broken)
    entry_points.append(FakeEntryPoint('gankd_bad_hook', module))
    with pytest.raises(plugins.PluginLoadError,
                       match="'gankd_bad_hook' failed in gankd_model_index"):
        plugins.hook_results('gankd_model_index')


def test_gankd_plugins_lists_every_plugin_then_exits_1(entry_points,
                                                      capsys):
    from gankd.apis import list_plugins
    entry_points += [
        FakeEntryPoint('gankd_broken', ImportError('no module named x')),
        FakeEntryPoint('gankd_good', make_plugin('gankd_good',
                                                 new_class('GoodNet'))),
    ]
    with pytest.raises(SystemExit) as info:
        list_plugins.main(['--json'])
    assert info.value.code == 1
    out, err = capsys.readouterr()
    report = {p['name']: p for p in json.loads(out)}
    assert report['gankd_broken']['status'] == 'failed'
    assert report['gankd_broken']['error'] == 'ImportError: no module named x'
    assert report['gankd_good']['status'] == 'loaded'
    assert report['gankd_good']['components'] == {'model': ['GoodNet']}
    assert err.splitlines()[-1] == (
        'error: 1 plugin(s) failed to load: gankd_broken (listed above). '
        'Fix or uninstall them, or skip them with '
        'GANKD_PLUGINS_DISABLE=gankd_broken.')


def test_gankd_plugins_lenient_lists_and_exits_0(entry_points, monkeypatch,
                                                 capsys):
    from gankd.apis import list_plugins
    monkeypatch.setenv(plugins.ENV_LENIENT, '1')
    entry_points.append(
        FakeEntryPoint('gankd_broken', ImportError('no module named x')))
    with pytest.warns(RuntimeWarning, match="'gankd_broken'"):
        list_plugins.main([])
    out = capsys.readouterr().out
    assert 'gankd_broken  [failed]' in out
    assert '  error: ImportError: no module named x' in out
