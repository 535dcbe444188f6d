"""Safe loading with one-line errors; atomic writes."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from gankd.utils import checkpoint as ckpt


class NotAllowed:
    """Pickled by reference: the weights-only loader must refuse it."""


def runner_like_checkpoint():
    buffer = HistoryBuffer()
    buffer.update(np.float64(1.5))
    return dict(state_dict={'w': torch.ones(2)},
                message_hub=dict(log_scalars={'loss': buffer},
                                 runtime_info={'arr': np.arange(3)}))


def test_weights_round_trip(tmp_path):
    path = tmp_path / 'w.pth'
    ckpt.save_checkpoint({'w': torch.arange(4.)}, str(path))
    assert torch.equal(ckpt.load_weights(str(path))['w'], torch.arange(4.))


@pytest.mark.parametrize('damage,phrase', [
    ('missing', 'checkpoint not found'),
    ('empty', 'checkpoint is empty'),
    ('truncated', 'truncated or corrupt'),
    ('garbage', 'truncated or corrupt'),
    ('garbage-seeds', 'truncated or corrupt'),
])
def test_bad_files_give_one_line_naming_the_file(tmp_path, damage, phrase):
    path = tmp_path / 'bad.pth'
    if damage in ('empty', 'truncated', 'garbage'):
        good = tmp_path / 'good.pth'
        ckpt.save_checkpoint({'w': torch.randn(64, 64)}, str(good))
        data = good.read_bytes()
        garbage = np.random.default_rng(0).bytes(2000)
        path.write_bytes({'empty': b'', 'truncated': data[:len(data) // 2],
                          'garbage': garbage}[damage])
    if damage == 'garbage-seeds':  # random bytes fail in many ways
        for seed in range(20):
            path.write_bytes(np.random.default_rng(seed).bytes(500))
            with pytest.raises(ckpt.CheckpointError, match=phrase):
                ckpt.load_weights(str(path))
        return
    with pytest.raises(ckpt.CheckpointError) as info:
        ckpt.load_weights(str(path))
    message = str(info.value)
    assert phrase in message and str(path) in message
    assert '\n' not in message


def test_disallowed_objects_are_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'obj': NotAllowed()}, str(path))
    for load in (ckpt.load_weights, ckpt.load_training_checkpoint):
        with pytest.raises(ckpt.CheckpointError) as info:
            load(str(path))
        assert 'test_checkpoint.NotAllowed, which' in str(info.value)
        assert 'weights-only loader does not allow' in str(info.value)


def test_runner_state_is_refused_as_objects_and_read_as_plain_data(
        tmp_path):
    """mmengine's own runner state (HistoryBuffer, numpy) needs classes
    the weights-only loader refuses; gankd writes it as plain data and
    rebuilds it exactly."""
    from gankd.engine.runner_state import from_plain, to_plain
    path = tmp_path / 'epoch_1.pth'
    torch.save(runner_like_checkpoint(), str(path))
    for load in (ckpt.load_weights, ckpt.load_training_checkpoint):
        with pytest.raises(ckpt.CheckpointError, match='docs/safety.md'):
            load(str(path))
    torch.save(to_plain(runner_like_checkpoint()), str(path))
    loaded = from_plain(ckpt.load_training_checkpoint(str(path)))
    buffer = loaded['message_hub']['log_scalars']['loss']
    original = runner_like_checkpoint()['message_hub']['log_scalars']['loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.current() == 1.5
    for ours, theirs in zip(buffer.data, original.data):
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert buffer.max_length == original.max_length
    arr = loaded['message_hub']['runtime_info']['arr']
    assert isinstance(arr, np.ndarray) and arr.tolist() == [0, 1, 2]
    # Safety was never switched off globally.
    assert HistoryBuffer not in torch.serialization.get_safe_globals()


def test_tagged_runner_state_must_be_well_formed():
    from gankd.engine.runner_state import TAG, from_plain
    for bad in ({TAG: 'os.system'}, {TAG: 'HistoryBuffer', 'log': 'x'}):
        with pytest.raises(ValueError, match='malformed'):
            from_plain({'message_hub': bad})


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pth'
    ckpt.save_checkpoint({'v': torch.tensor(1)}, str(path))

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, 'replace', crash)
    with pytest.raises(KeyboardInterrupt):
        ckpt.save_checkpoint({'v': torch.tensor(2)}, str(path))
    monkeypatch.undo()
    assert ckpt.load_weights(str(path))['v'].item() == 1
    assert os.listdir(tmp_path) == ['ckpt.pth']  # no temp file left


def test_atomic_write_uses_normal_permissions(tmp_path):
    path = tmp_path / 'f.bin'
    ckpt.atomic_write_bytes(b'x', str(path))
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~umask)
