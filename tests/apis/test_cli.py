"""The generic tools and the `gankd` command, run as users run them."""
import argparse
import importlib
import json
import re

import pytest

CONFIG = 'tests/data/configs/tiny_synthshapes.py'


def test_gankd_without_command_prints_usage(run_tool):
    result = run_tool(['-m', 'gankd.cli'], check=False)
    assert result.returncode == 2
    assert 'print-config' in result.stdout and 'plugins' in result.stdout
    result = run_tool(['-m', 'gankd.cli', 'fly'], check=False)
    assert result.returncode == 2
    assert "unknown command 'fly'" in result.stderr


def test_print_config_resolves_gankd_prefix_and_checks(run_tool):
    result = run_tool(['tools/print_config.py',
                       'gankd::baselines/resnet18-w16_1xb64_synthshapes.py',
                       '--check', '--cfg-options', 'train_cfg.max_epochs=3'])
    assert "default_scope = 'gankd'" in result.stdout
    assert 'max_epochs=3' in result.stdout
    # --check applied the scope pass to the model subtree.
    assert "_scope_='mmpretrain'" in result.stdout


def test_bad_dataset_type_is_one_line_naming_the_field(run_tool, tmp_path):
    result = run_tool(['-m', 'gankd.cli', 'train', CONFIG, '--work-dir',
                       str(tmp_path), '--cfg-options',
                       'train_dataloader.dataset.type=SynthShape'],
                      check=False)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1  # one problem: one line
    assert lines[0].startswith(
        "error: the config cannot be used: train_dataloader.dataset.type: "
        "'SynthShape' is not in the gankd::dataset registry. Did you mean: "
        'SynthShapes?')


def test_missing_config_file(run_tool):
    result = run_tool(['tools/train.py', 'configs/nope.py'], check=False)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        'error: config file not found: configs/nope.py')


def test_test_tool_reproduces_the_training_validation(run_tool, tmp_path):
    work_dir = tmp_path / 'run'
    train = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work_dir),
                      '--cfg-options', 'train_cfg.max_epochs=1',
                      'train_cfg.val_interval=1'])
    logged = re.findall(r'Epoch\(val\) \[1\]\[2/2\]\s+accuracy/top1: '
                        r'([0-9.]+)', train.stdout + train.stderr)
    assert logged, (train.stdout + train.stderr)[-2000:]
    out = tmp_path / 'metrics.json'
    run_tool(['-m', 'gankd.cli', 'test', CONFIG,
              str(work_dir / 'epoch_1.pth'), '--work-dir',
              str(tmp_path / 'test'), '--out', str(out)])
    metrics = json.loads(out.read_text())
    # The same weights on the same split: the same accuracy.
    assert abs(metrics['accuracy/top1'] - float(logged[-1])) < 1e-3


def test_nested_checks_skip_data_dicts_with_a_type_key():
    """An attribute list's dict(type='binary') is data; a capitalised typo
    inside a model is still caught, naming its field."""
    from mmengine.config import Config

    from gankd.apis.config import check_config
    model = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18),
        head=dict(type='gankd.MultiAttributeHead', in_channels=8,
                  attributes=[dict(name='smile', type='binary')],
                  loss=dict(type='CrossEntropyLos')))
    problems = check_config(Config(dict(model=model)), 'check')
    assert len(problems) == 1
    assert problems[0].startswith("model.head.loss.type: 'CrossEntropyLos'")
    # Under the gankd-scoped head only the qualified name resolves.
    assert 'Did you mean: mmpretrain.CrossEntropyLoss?' in problems[0]


def test_every_option_of_every_command_has_plain_help(monkeypatch):
    """``gankd <command> --help`` for each command: every argument says
    what it is for, and no rST markup (``x``, :func:) shows."""
    from gankd.cli import COMMANDS

    class Parsed(Exception):
        """Raised instead of parsing: the command's parser is built."""

    parsers = {}

    def capture(self, args=None, namespace=None):
        parsers[self.prog] = self
        raise Parsed

    monkeypatch.setattr(argparse.ArgumentParser, 'parse_args', capture)
    for name, (module, _) in COMMANDS.items():
        with pytest.raises(Parsed):
            importlib.import_module(f'gankd.apis.{module}').main(
                [], prog=f'gankd {name}')
    assert len(parsers) == len(COMMANDS)
    for prog, parser in parsers.items():
        bare = [action.option_strings[0] if action.option_strings
                else action.dest for action in parser._actions
                if not action.help]
        assert bare == [], f'{prog}: no help for {bare}'
        text = parser.format_help()
        assert '``' not in text and not re.search(r':\w+:`', text), text


def test_usage_lists_every_command_in_two_columns(capsys):
    """The longest name (benchmark-generators) once ran into its text."""
    from gankd.cli import COMMANDS, main
    assert main(['--help']) == 0
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith('  ')]
    matches = [re.fullmatch(r'  (\S+) {2,}(\S.*)', row) for row in rows]
    assert [m and m.group(1) for m in matches] == list(COMMANDS)
    assert len({m.start(2) for m in matches}) == 1  # one text column
