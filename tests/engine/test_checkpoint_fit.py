"""Wrong weights do not pass silently: ``load_from`` and test checkpoints
must fit the whole model unless ``allow_partial_load=True``; ``--resume``
must fit the model and the optimizer. The commands run in-process (their
``main``, as the tools call it), each refusal is one line."""
import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from torch import nn

from gankd.apis.config import build_model, prepare_config
from gankd.apis import test as test_command
from gankd.apis import train as train_command
from gankd.config import load_config
from gankd.engine import GankdRunner
from gankd.engine.checkpoint_fit import model_fit, optimizer_mismatch
from gankd.errors import ConfigError
from gankd.utils.checkpoint import CheckpointError

TINY = 'tests/data/configs/tiny_synthshapes.py'
# Small loaders: the checks run before any data is read.
SMALL = ['train_dataloader.dataset.num_samples=32',
         'val_dataloader.dataset.num_samples=32',
         'test_dataloader.dataset.num_samples=32']


def tiny_model(seed=0, **head):
    cfg = load_config(TINY)
    cfg.model.head.update(head)
    torch.manual_seed(seed)
    return build_model(prepare_config(cfg, 'test'))


def save(path, model, **extra):
    torch.save(dict(state_dict=model.state_dict(), **extra), str(path))
    return str(path)


def runner(tmp_path, **options):
    cfg = load_config(TINY)
    cfg.merge_from_dict(dict(
        work_dir=str(tmp_path / 'work'), experiment_name=tmp_path.name,
        **{key: int(value) for key, value in
           (option.split('=') for option in SMALL)}, **options))
    return GankdRunner.from_cfg(prepare_config(cfg, 'train'))


def last_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and 'Traceback' not in '\n'.join(err)
    return err[-1]


def test_test_command_refuses_another_architecture(tmp_path, capsys):
    """Before: rc 0, a "missing keys" warning and random-weight accuracy."""
    path = save(tmp_path / 'other.pth', tiny_model(num_classes=20))
    with pytest.raises(SystemExit) as exit_:
        test_command.main([TINY, path, '--work-dir', str(tmp_path / 'work'),
                   '--cfg-options', f'experiment_name={tmp_path.name}',
                   *SMALL])
    assert exit_.value.code == 1
    assert last_error(capsys) == (
        f'error: {path}: does not fit the model of this config (shape '
        'mismatch: head.fc.weight (20, 32) in the file, (10, 32) in the '
        'model, head.fc.bias (20,) in the file, (10,) in the model). To load '
        'only the weights that fit, on purpose (e.g. fine-tuning with a new '
        'head), set allow_partial_load=True in the config or pass '
        '--cfg-options allow_partial_load=True')


def test_load_from_refuses_missing_and_unexpected_keys(tmp_path):
    other = nn.Sequential(nn.Linear(2, 2))
    path = save(tmp_path / 'other.pth', other)
    with pytest.raises(CheckpointError) as error:
        runner(tmp_path).load_checkpoint(path)
    assert str(error.value).startswith(
        f'{path}: does not fit the model of this config (missing 102 keys: '
        'backbone.conv1.weight, backbone.bn1.weight, backbone.bn1.bias, ... '
        '(102 in all); unexpected 2 keys: 0.weight, 0.bias). ')
    # 122 tensors, less the 20 BatchNorm counters mmengine never requires.


def test_partial_load_on_purpose_loads_exactly_what_fits(tmp_path):
    source = tiny_model(seed=1, num_classes=20)  # the runner's seed is 0
    path = save(tmp_path / 'other.pth', source)
    run = runner(tmp_path, allow_partial_load=True)
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    run.load_checkpoint(path)
    after, loaded = run.model.state_dict(), source.state_dict()
    assert not torch.equal(before['backbone.conv1.weight'],
                           loaded['backbone.conv1.weight'])
    for key, value in after.items():
        expected = before[key] if key.startswith('head.fc.') else loaded[key]
        assert torch.equal(value, expected), key


def test_partial_load_of_nothing_is_still_refused(tmp_path):
    path = save(tmp_path / 'other.pth', nn.Linear(2, 2))
    with pytest.raises(CheckpointError, match=(
            r'none of the 122 tensors of the model is in the file with its '
            r'shape, even with allow_partial_load=True')):
        runner(tmp_path, allow_partial_load=True).load_checkpoint(path)


def test_allow_partial_load_must_be_a_bool(tmp_path):
    path = save(tmp_path / 'same.pth', tiny_model())
    with pytest.raises(ConfigError, match=(
            "^allow_partial_load: must be True or False, got 'yes'$")):
        runner(tmp_path, allow_partial_load='yes').load_checkpoint(path)


def test_resume_from_another_model_is_one_line(tmp_path, capsys):
    """Before: a ValueError traceback from the optimizer."""
    path = save(tmp_path / 'other.pth', tiny_model(num_classes=20),
                meta=dict(epoch=1, iter=1))
    with pytest.raises(SystemExit) as exit_:
        train_command.main([TINY, '--resume', path, '--work-dir',
                    str(tmp_path / 'work'), '--cfg-options',
                    f'experiment_name={tmp_path.name}', *SMALL])
    assert exit_.value.code == 1
    assert last_error(capsys).startswith(
        f'error: {path}: cannot resume from this checkpoint: its model '
        'weights do not fit the model of this config (shape mismatch: '
        'head.fc.weight (20, 32) in the file, (10, 32) in the model, ')


def test_resume_with_other_optimizer_groups_is_refused(tmp_path):
    """Same model, optimizer state of two parameter groups (the config has
    one). Before: torch's ValueError from Optimizer.load_state_dict."""
    model = tiny_model()
    params = list(model.parameters())
    optimizer = torch.optim.SGD([{'params': params[:10]},
                                 {'params': params[10:]}], lr=0.1)
    path = save(tmp_path / 'same.pth', model,
                optimizer=optimizer.state_dict(),
                meta=dict(epoch=1, iter=16),
                message_hub=dict(log_scalars={}, runtime_info={},
                                 resumed_keys={}))
    run = runner(tmp_path, resume=True, load_from=path)
    with pytest.raises(CheckpointError) as error:
        run.train()
    assert str(error.value).startswith(
        f'{path}: cannot resume from this checkpoint: its optimizer state '
        'does not fit the optimizer of this config (optimizer: 2 parameter '
        f'groups of {len(params)} tensors (10 + {len(params) - 10}) in the '
        f'file, 1 parameter group of {len(params)} tensors in the config). '
        '--resume continues the run that wrote it')


def test_model_fit_sees_keys_as_mmengine_loads_them():
    """``module.`` prefixes are revised away before the comparison."""
    model = nn.Sequential(nn.Linear(2, 3))
    checkpoint = {'state_dict': {f'module.{k}': v for k, v in
                                 model.state_dict().items()}}
    assert model_fit(model, checkpoint, [(r'^module\.', '')]).fitting == 2
    assert model_fit(model, checkpoint, []).missing == ['0.weight', '0.bias']


def test_optimizer_mismatch_by_groups_and_by_name():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    one = OptimWrapper(torch.optim.SGD(a.parameters(), lr=1)).state_dict()
    assert optimizer_mismatch(one, one) is None
    two = OptimWrapper(torch.optim.SGD(
        [{'params': [a.weight]}, {'params': [a.bias]}], lr=1)).state_dict()
    assert optimizer_mismatch(one, two) == (
        'optimizer: 2 parameter groups of 2 tensors (1 + 1) in the file, '
        '1 parameter group of 2 tensors in the config')
    gan = OptimWrapperDict(
        generator=OptimWrapper(torch.optim.SGD(a.parameters(), lr=1)),
        discriminator=OptimWrapper(torch.optim.SGD(b.parameters(), lr=1)))
    assert optimizer_mismatch(gan.state_dict(), gan.state_dict()) is None
    assert optimizer_mismatch(gan.state_dict(), one) == (
        "optimizers ['param_groups', 'state'] in the file, "
        "['discriminator', 'generator'] in the config")
    assert optimizer_mismatch(one, gan.state_dict()) == (
        "optimizer: the file holds ['discriminator', 'generator'], not the "
        'state of one optimizer')
