"""Data files never run code: crafted checkpoints, codes files, boundaries
and YAML configs, through every loader gankd has.

The checkpoint gadget needs no class outside the old training allowlist
(mmengine's ``HistoryBuffer`` and ``getattr``): ``getattr(getattr,
'__self__')`` is the builtins module, ``getattr(builtins, 'eval')`` is
eval; one BUILD puts eval in a HistoryBuffer's ``__dict__`` as
``__setstate__``, a second BUILD calls it with the payload.
"""
import argparse
import io
import os
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from gankd.config import ConfigError, load_config
from gankd.utils.checkpoint import CheckpointError, load_weights

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = 'tests/data/configs/tiny_synthshapes.py'
TINY_GAN = 'tests/data/configs/tiny_stylegan2_gan.py'


def _unicode(text: str) -> bytes:
    data = text.encode()
    return b'X' + struct.pack('<I', len(data)) + data


def gadget_pickle(code: str) -> bytes:
    """Protocol-2 opcodes that eval ``code`` while being unpickled."""
    getattr_ = b'cbuiltins\ngetattr\n'
    return b''.join([
        b'\x80\x02',                                      # PROTO 2
        b'cmmengine.logging.history_buffer\nHistoryBuffer\n', b')', b'\x81',
        b'}', _unicode('__setstate__'),                   # {'__setstate__':
        getattr_, getattr_, getattr_, _unicode('__self__'), b'\x86', b'R',
        _unicode('eval'), b'\x86', b'R',                  #   eval}
        b's', b'b',                                       # SETITEM, BUILD
        _unicode(code), b'b', b'.'])                      # BUILD -> eval


def touch_code(marker) -> str:
    return f"__import__('pathlib').Path({str(marker)!r}).touch()"


def namespace_gadget_pickle() -> bytes:
    """An ``argparse.Namespace`` whose first BUILD puts the callable
    ``gadget.record`` into its ``__dict__`` as ``__setstate__`` and whose
    second BUILD calls it, if the class is allowed."""
    return b''.join([
        b'\x80\x02', b'cargparse\nNamespace\n', b')', b'\x81',
        b'}', _unicode('__setstate__'), b'cgadget\nrecord\n', b's', b'b',
        b'}', _unicode('payload'), _unicode('ran'), b's', b'b', b'.'])


def write_gadget_checkpoint(path, marker) -> str:
    """A torch zip checkpoint whose data.pkl is the gadget."""
    return write_pickle_checkpoint(path, gadget_pickle(touch_code(marker)))


def write_pickle_checkpoint(path, pickled: bytes) -> str:
    """A torch zip checkpoint whose data.pkl is ``pickled``."""
    buffer = io.BytesIO()
    torch.save({'x': 1}, buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith('/data.pkl'):
                data = pickled
            target.writestr(info.filename, data)
    return str(path)


@pytest.fixture
def evil(tmp_path):
    marker = tmp_path / 'code-ran'
    return write_gadget_checkpoint(tmp_path / 'evil.pth', marker), marker


def test_the_gadget_is_real_under_the_old_allowlist(evil):
    """Not vacuous: with getattr and HistoryBuffer allowed (the allowlist
    gankd used to have), loading the file runs the payload."""
    path, marker = evil
    with torch.serialization.safe_globals([HistoryBuffer, getattr]):
        torch.load(path, weights_only=True)
    assert marker.exists()


def test_core_loaders_refuse_the_gadget(evil):
    from gankd.utils.checkpoint import load_training_checkpoint
    from gankd.utils.frozen_generator import load_generator
    path, marker = evil
    for load in (load_weights, load_training_checkpoint,
                 lambda p: load_generator(TINY_GAN, p)):
        with pytest.raises(CheckpointError, match='HistoryBuffer'):
            load(path)
    assert not marker.exists()


def test_frozen_part_loaders_refuse_the_gadget(evil):
    """Teacher, attribute predictor / FID classifier, discriminator
    features and encoder: the plain weights-only loader for each."""
    from gankd.config import load_config
    from gankd.models.distillers.single_teacher_distiller import \
        load_teacher_weights
    from gankd.models.inverters.discriminator_features import \
        DiscriminatorFeatures
    from gankd.models.inverters.latent_encoder import build_frozen_encoder
    from gankd.models.predictors.frozen_classifier import FrozenClassifier
    from gankd.registry import MODELS, scope_config_types
    path, marker = evil
    teacher = MODELS.build(scope_config_types(
        load_config(TINY).model.to_dict()))
    loads = [
        lambda: load_teacher_weights(teacher, path),
        lambda: FrozenClassifier('tests/data/configs/tiny_face_classifier.py',
                                 path),
        lambda: DiscriminatorFeatures(TINY_GAN, path, ['layer0']),
        lambda: build_frozen_encoder(dict(
            config='configs/inversion/encoder_stylegan2-c64_synthfaces32.py',
            checkpoint=path)),
    ]
    for load in loads:
        with pytest.raises(CheckpointError, match='HistoryBuffer'):
            load()
    assert not marker.exists()


def test_converter_and_codes_loaders_refuse_the_gadget(evil, tmp_path):
    from gankd.apis.convert import convert
    from gankd.apis.edit import EditError, load_codes, load_inverted
    path, marker = evil
    with pytest.raises(CheckpointError, match='HistoryBuffer'):
        convert(path, str(tmp_path / 'out.pth'))
    # edit says it in codes-file terms: the file is no codes file.
    for load in (lambda: load_codes(path, 'z'),
                 lambda: load_inverted([path])):
        with pytest.raises(EditError, match='not a codes file .* holding '
                           'more than tensors and plain data'):
            load()
    assert not marker.exists()


def test_saved_arguments_are_read_without_running_code(tmp_path):
    """Saved training arguments (``argparse.Namespace``) are read by
    rewriting the class to OrderedDict, not by allowing it. Allowed, the
    class calls whatever callable a pickle can reach (here one the test
    makes reachable) that a BUILD put into an instance as ``__setstate__``;
    rewritten, nothing is called, through load_weights or the converter
    command."""
    from gankd.apis.convert import convert
    from gankd.utils.converters import ConversionError
    calls = []

    def record(state):
        calls.append(state)

    path = write_pickle_checkpoint(tmp_path / 'args.pth',
                                   namespace_gadget_pickle())
    reachable = [(record, 'gadget.record')]
    with torch.serialization.safe_globals(reachable + [argparse.Namespace]):
        torch.load(path, weights_only=True)
    assert calls == [{'payload': 'ran'}]  # the gadget is real
    calls.clear()
    with torch.serialization.safe_globals(reachable):
        loaded = load_weights(path)
        with pytest.raises(ConversionError, match='0 converters recognise'):
            convert(path, str(tmp_path / 'out.pth'))
    assert calls == []
    assert loaded == OrderedDict(__setstate__=record, payload='ran')
    assert argparse.Namespace not in torch.serialization.get_safe_globals()


def test_resume_and_test_refuse_the_gadget(evil, tmp_path, run_tool):
    """``tools/train.py --resume`` and ``tools/test.py`` (load_from): one
    line, exit 1, nothing ran."""
    path, marker = evil
    for args in (['tools/train.py', TINY, '--resume', path],
                 ['tools/test.py', TINY, path]):
        result = run_tool(args + ['--work-dir', str(tmp_path / 'work')],
                          check=False)
        assert result.returncode == 1, result.stderr[-2000:]
        error = result.stderr.strip().splitlines()[-1]
        assert error.startswith(f'error: {path}: holds') and \
            'HistoryBuffer' in error
        assert 'Traceback' not in result.stderr
    assert not marker.exists()


def test_resume_never_runs_a_config_stored_in_the_checkpoint(tmp_path,
                                                            run_tool):
    """mmengine's resume executes ``meta['config']`` as a Python config: a
    file of plain data would run code through it. gankd drops the entry."""
    from gankd.apis.config import build_model
    marker = tmp_path / 'code-ran'
    model = build_model(load_config(TINY))
    path = str(tmp_path / 'plain.pth')
    torch.save(dict(
        state_dict=model.state_dict(),
        meta=dict(epoch=1, iter=16, config=touch_code(marker)),
        message_hub=dict(log_scalars={}, runtime_info={}, resumed_keys={})),
        path)
    result = run_tool(['tools/train.py', TINY, '--resume', path,
                       '--work-dir', str(tmp_path / 'work'),
                       '--cfg-options', 'train_cfg.max_epochs=1'])
    assert "ignored meta['config']" in result.stdout + result.stderr
    assert 'resumed epoch: 1' in result.stdout + result.stderr
    assert not marker.exists()


def test_a_codes_file_cannot_make_edit_build_or_load_anything(tmp_path):
    """An inverted-codes file names its inverter's decoding fields only:
    an encoder config (a .py that would run), an unknown field, a
    non-inverter type or another generator's codes are refused."""
    from gankd.apis.edit import EditError, decoding_inverter
    from gankd.utils.frozen_generator import build_frozen_generator
    marker = tmp_path / 'code-ran'
    evil_config = tmp_path / 'evil.py'
    evil_config.write_text(touch_code(marker) + '\n')
    torch.manual_seed(0)
    generator = build_frozen_generator(dict(
        type='StyleGAN2Generator', resolution=16, z_space_dim=16,
        w_space_dim=16, mapping_layers=2, mapping_fmaps=16, fmaps_base=128,
        fmaps_max=16))
    ours = generator.identity()
    good = dict(type='LatentInverter', space='wp', noise_mode='const')
    inverter = decoding_inverter(generator, dict(inverter=good,
                                                 generator=ours))
    assert type(inverter).__name__ == 'LatentInverter'
    assert inverter.generator is generator and inverter.space == 'wp'
    bad = [
        (dict(good, encoder=dict(config=str(evil_config), checkpoint='x')),
         ours, 'decodes saved codes from the fields space, noise_mode'),
        (dict(good, space=['wp']), ours, "field 'space': a plain value"),
        (dict(type='SingleTeacherDistiller', noise_mode='const'), ours,
         'is not an inverter'),
        (dict(type='NoSuchInverter'), ours, 'NoSuchInverter'),
        (good, dict(ours, sha256='0' * 64), 'use the probe config of the '
         'generator the images were inverted with'),
        (good, None, 'invert the images again'),
    ]
    for info, made_by, message in bad:
        with pytest.raises(EditError, match=message):
            decoding_inverter(generator, dict(inverter=info,
                                              generator=made_by))
    assert not marker.exists()


def test_generator_identity_follows_the_weights():
    from gankd.utils.frozen_generator import build_frozen_generator
    cfg = dict(type='StyleGAN2Generator', resolution=16, z_space_dim=16,
               w_space_dim=16, mapping_layers=2, mapping_fmaps=16,
               fmaps_base=128, fmaps_max=16)
    torch.manual_seed(0)
    first = build_frozen_generator(cfg)
    torch.manual_seed(0)
    same = build_frozen_generator(cfg)
    assert first.identity() == same.identity()
    with torch.no_grad():
        next(same.parameters()).view(-1)[0] += 1e-3  # one weight moves
    assert first.identity()['sha256'] != same.identity()['sha256']
    assert first.identity()['type'] == 'StyleGAN2Generator'
    assert first.identity()['resolution'] == 16


def test_boundary_files_refuse_the_gadget(tmp_path):
    """HiGAN's pickled dict boundaries go through a restricted unpickler:
    the same gadget inside an object .npy is refused."""
    from gankd_interfacegan.boundary_io import (BoundaryFormatError,
                                                load_boundary)
    marker = tmp_path / 'code-ran'
    path = tmp_path / 'evil.npy'
    with open(path, 'wb') as file:
        np.lib.format.write_array_header_1_0(file, dict(
            descr='|O', fortran_order=False, shape=()))
        file.write(gadget_pickle(touch_code(marker)))
    with pytest.raises(BoundaryFormatError, match='not allowed'):
        load_boundary(str(path))
    assert not marker.exists()


def test_yaml_configs_are_plain_data(tmp_path):
    """mmengine's YAML loader builds Python objects; gankd's reads YAML
    with a safe loader, so a tag that would run a command is refused."""
    marker = tmp_path / 'code-ran'
    evil = tmp_path / 'evil.yaml'
    evil.write_text('model: !!python/object/apply:os.system\n'
                    f'  - touch {marker}\n')
    with pytest.raises(ConfigError, match='not a readable config'):
        load_config(str(evil))
    assert not marker.exists()
    good = tmp_path / 'good.yaml'
    good.write_text('model:\n  type: ResNet_CIFAR\n  depth: 18\n')
    assert load_config(str(good)).model == dict(type='ResNet_CIFAR',
                                                depth=18)
    inherits = tmp_path / 'inherits.yaml'
    inherits.write_text("_base_: ['good.yaml']\n")
    with pytest.raises(ConfigError, match='only for Python configs'):
        load_config(str(inherits))
