"""tools/export_student.py: the exported student is a plain mmpretrain
classifier; mmpretrain's own test tool gives the accuracy gankd gives."""
import json
import os
import re

import mmpretrain
import torch
from mmengine.config import Config

from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import load_training_checkpoint

MMPRETRAIN_TEST = os.path.join(os.path.dirname(mmpretrain.__file__), '.mim',
                               'tools', 'test.py')
CONFIG = 'tests/data/configs/tiny_sskd.py'


def test_export_round_trip_through_mmpretrain(tmp_path, run_tool,
                                              tiny_teacher_ckpt):
    work = str(tmp_path / 'train')
    opts = ['--cfg-options', f'model.teacher_ckpt={tiny_teacher_ckpt}']
    run_tool(['tools/train.py', CONFIG, '--work-dir', work, *opts])
    trained = os.path.join(work, 'epoch_4.pth')
    gankd_out = str(tmp_path / 'gankd.json')
    run_tool(['tools/test.py', CONFIG, trained, '--work-dir', work,
              '--out', gankd_out, *opts])

    out_dir = str(tmp_path / 'export')
    run_tool(['tools/export_student.py', CONFIG, trained, '--out-dir',
              out_dir])
    exported = Config.fromfile(os.path.join(out_dir, 'student_config.py'))
    assert exported.model.type == 'mmpretrain.ImageClassifier'
    state = torch.load(os.path.join(out_dir, 'student.pth'),
                       weights_only=True)['state_dict']
    assert not any('connector' in k or 'teacher' in k for k in state)

    # Same logits as the student inside the trained distiller.
    classifier = MODELS.build(scope_config_types(exported.model.to_dict()))
    classifier.load_state_dict(state)
    full = load_training_checkpoint(trained)['state_dict']
    for key, value in state.items():
        assert torch.equal(value, full['student.' + key])

    # mmpretrain's test tool, in its own default scope, unchanged.
    result = run_tool([MMPRETRAIN_TEST,
                       os.path.join(out_dir, 'student_config.py'),
                       os.path.join(out_dir, 'student.pth'),
                       '--work-dir', str(tmp_path / 'mmpretrain')])
    found = re.findall(r'accuracy/top1: ([0-9.]+)',
                       result.stdout + result.stderr)
    assert found, result.stdout[-2000:]
    expected = json.load(open(gankd_out))['accuracy/top1']
    assert abs(float(found[-1]) - expected) < 1e-3
