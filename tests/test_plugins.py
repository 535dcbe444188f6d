"""Plugin loading with fake entry points: lazy, isolated, switchable."""
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
        if isinstance(self.module, Exception):
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


def test_failing_plugin_is_reported_by_name_and_rolled_back(entry_points):
    entry_points.append(FakeEntryPoint(
        'gankd_half', make_plugin('gankd_half', new_class('HalfA'),
                                  new_class('HalfB'), fail_after_first=True)))
    with pytest.raises(plugins.PluginLoadError) as info:
        plugins.load_plugins()
    message = str(info.value)
    assert "gankd plugin 'gankd_half'" in message
    assert 'boom in register' in message
    assert 'GANKD_PLUGINS_DISABLE=gankd_half' in message
    assert 'HalfA' not in MODELS.module_dict  # rolled back


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
    entry_points += [first, second]
    with pytest.raises(plugins.DuplicatePluginError,
                       match='dist-one.*dist-two'):
        plugins.load_plugins()


def test_misspelt_hook_fails_the_plugin(entry_points):
    module = types.ModuleType('gankd_typo')
    module.gankd_register_module = hookimpl(lambda registrar: None)
    entry_points.append(FakeEntryPoint('gankd_typo', module))
    with pytest.raises(plugins.PluginLoadError,
                       match='gankd_register_module'):
        plugins.load_plugins()


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
