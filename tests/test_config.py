"""Reading configs: syntax errors name the file and line; malformed
``--cfg-options`` items are one line, not a traceback."""
import pytest

from gankd.apis import print_config
from gankd.config import ConfigError, load_config

TINY = 'tests/data/configs/tiny_synthshapes.py'


def test_syntax_error_names_the_file_and_line(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("x = 1\nmodel = dict(type='A',\n    y=(\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(bad))
    assert str(caught.value) == (
        f"syntax error in config {bad}, line 3: '(' was never closed: y=(")


def test_syntax_error_in_a_base_file_names_that_file(tmp_path):
    (tmp_path / 'base.py').write_text('a = 1\nb = [1, 2\n')
    (tmp_path / 'top.py').write_text("_base_ = ['./base.py']\nc = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path / 'top.py'))
    assert str(caught.value) == (
        f"syntax error in config {tmp_path / 'base.py'}, line 2: '[' was "
        'never closed: b = [1, 2')


@pytest.mark.parametrize('item, reason', [
    ('train_cfg.max_epochs', 'write KEY=VALUE, e.g. train_cfg.max_epochs=2'),
    ('=3', 'write KEY=VALUE, e.g. train_cfg.max_epochs=2'),
    ('a=[1,2', 'the brackets in [1,2 do not nest; close each [ and (, e.g. '
     'key=[1,2]'),
    ('a=[1', 'the brackets in [1 do not nest; close each [ and (, e.g. '
     'key=[1,2]'),
    ('a=(1,[2)]', 'the brackets in (1,[2)] do not nest; close each [ and '
     '(, e.g. key=[1,2]'),
])
def test_malformed_cfg_options_are_one_line(item, reason, capsys):
    with pytest.raises(SystemExit) as caught:
        print_config.main([TINY, '--cfg-options', 'a=1', item])
    assert caught.value.code == 1
    assert capsys.readouterr().err == f'error: --cfg-options {item}: ' \
        f'{reason}\n'


def test_well_formed_cfg_options_parse_as_mmengine_does(capsys):
    print_config.main([TINY, '--cfg-options', 'a=[(1,2),[3]]', 'b=x,y',
                       'c=-1'])
    cfg = capsys.readouterr().out
    namespace = {}
    exec(cfg, namespace)  # the printed config is Python
    assert namespace['a'] == [(1, 2), [3]]
    assert namespace['b'] == ['x', 'y'] and namespace['c'] == -1
