"""The third-party example plugin, installed into the test venv with pip:
listed by `gankd plugins`, trained by tools/train.py without custom_imports,
and every hook it implements doing its job."""
import importlib
import json
import os
import subprocess
import sys

import pytest
import torch

from gankd import plugins
from gankd.utils.checkpoint import load_training_checkpoint

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, 'examples', 'gankd_example_plugin')
CONFIG = 'gankd_example::example_conv_net_1xb64_synthshapes.py'


@pytest.fixture(scope='module')
def installed():
    """pip-install the example (editable, no deps) and reload plugins."""
    subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
         '--no-build-isolation', '--disable-pip-version-check', '-e',
         EXAMPLE], check=True, capture_output=True, timeout=300)
    # A running interpreter reads .pth files (where pip puts an editable
    # install's import hook) only at start-up: the entry point is visible
    # now, the module is not. Subprocesses need no help; this one does.
    added = EXAMPLE not in sys.path
    if added:
        sys.path.append(EXAMPLE)
    importlib.invalidate_caches()
    plugins.unload_plugins()
    yield
    plugins.unload_plugins()
    if added:
        sys.path.remove(EXAMPLE)


def test_gankd_plugins_lists_it(installed, run_tool):
    """gankd_register_modules: its component is listed under its kind."""
    result = run_tool(['-m', 'gankd.cli', 'plugins', '--json'])
    report = {p['name']: p for p in json.loads(result.stdout)}
    example = report['gankd_example']
    assert example['status'] == 'loaded'
    assert example['distribution'] == 'gankd-example-plugin'
    assert example['components'] == {'model': ['ExampleConvNet']}
    text = run_tool(['-m', 'gankd.cli', 'plugins']).stdout
    assert 'gankd_example  [loaded]' in text and 'ExampleConvNet' in text


def test_trains_through_tools_with_its_cli_argument(installed, run_tool,
                                                    tmp_path):
    # The config has no custom_imports; --example-width comes from the
    # plugin's gankd_add_cli_arguments / gankd_apply_cli_arguments hooks.
    run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
              '--example-width', '4', '--cfg-options',
              'train_cfg.max_epochs=1'])
    state = load_training_checkpoint(str(tmp_path / 'epoch_1.pth'))
    assert state['state_dict']['backbone.layers.0.weight'].shape == \
        (4, 3, 3, 3)
    assert state['state_dict']['head.fc.weight'].shape == (10, 16)


def test_its_config_check_stops_a_bad_run(installed, run_tool, tmp_path):
    """gankd_check_config: a problem stops the run with one line."""
    result = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                       '--example-width', '6'], check=False)
    assert result.returncode == 1
    assert ('[gankd_example] model.backbone.width: ExampleConvNet needs a '
            'multiple of 4, got 6') in result.stderr
    assert 'Traceback' not in result.stderr
    assert not list(tmp_path.glob('*.pth'))  # stopped before training


def test_config_root_resolves(installed):
    """gankd_config_roots: prefix:: paths resolve into the plugin."""
    from gankd.config import resolve_config_path
    path = resolve_config_path(CONFIG)
    assert path.endswith(os.path.join('gankd_example', 'configs',
                                      CONFIG.split('::')[1]))


def test_model_index_verifies_the_shipped_weights(installed, tmp_path):
    """gankd_model_index: entries verify files by sha256."""
    from gankd.utils.model_index import (ModelIndexError, model_index,
                                         verify_weights)
    entry = model_index()['example-conv-net-w8']
    assert entry['plugin'] == 'gankd_example'
    import gankd_example
    assert verify_weights('example-conv-net-w8',
                          gankd_example.WEIGHTS) == entry
    tampered = tmp_path / 'tampered.pth'
    data = bytearray(open(gankd_example.WEIGHTS, 'rb').read())
    data[-100] ^= 1
    tampered.write_bytes(bytes(data))
    with pytest.raises(ModelIndexError, match='does not match'):
        verify_weights('example-conv-net-w8', str(tampered))


def test_converter_loads_legacy_weights_exactly(installed, tmp_path):
    """gankd_checkpoint_converters: detection, exact values, strict keys."""
    import gankd_example

    from gankd.registry import MODELS
    from gankd.utils.converters import ConversionError, convert_checkpoint
    state = convert_checkpoint(gankd_example.WEIGHTS)  # detected by matches
    legacy = torch.load(gankd_example.WEIGHTS, weights_only=True)
    assert state['backbone.layers.0.weight'].equal(legacy['net.0.weight'])
    model = MODELS.build(dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='ExampleConvNet', _scope_='gankd', width=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=32)))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected
    assert all(key.startswith('head.') for key in missing)
    # A file in another format is refused, naming the key.
    bad = tmp_path / 'bad.pth'
    torch.save({'backbone.x': torch.zeros(1)}, str(bad))
    with pytest.raises(ConversionError, match="key 'backbone.x'"):
        convert_checkpoint(str(bad), name='example-legacy')
