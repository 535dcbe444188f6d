"""print-config --check builds the model, so it finds what train would hit,
and says when the checks passed; train and test report the same
construction errors as one line."""
import os

import pytest

from gankd.apis import print_config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TINY_KD = os.path.join(REPO, 'tests', 'data', 'configs', 'tiny_kd.py')

# (config body on top of tiny_kd.py, the one-line error)
BROKEN = {
    'missing_student': (
        "model = dict(_delete_=True, type='KDDistiller',\n"
        '             teacher={{_base_.teacher}},\n'
        "             distill_loss=dict(type='KLDivergenceLoss'))\n",
        'model.student: missing; KDDistiller requires it. Add it to the '
        'config.'),
    'head_without_num_classes': (
        "model = dict(student=dict(head=dict(_delete_=True,\n"
        "    type='mmpretrain.LinearClsHead', in_channels=16)))\n",
        'model.student.head.num_classes: missing; mmpretrain.LinearClsHead '
        'requires it. Add it to the config.'),
    'misspelt_keyword': (
        "model = dict(distill_los=dict(type='KLDivergenceLoss'))\n",
        "model.distill_los: KDDistiller takes no argument 'distill_los'. Did "
        'you mean: distill_loss, distill_losses? Fix the name or remove the '
        'field.'),
}


def write_config(tmp_path, name):
    path = tmp_path / f'{name}.py'
    path.write_text(f'_base_ = [{TINY_KD!r}]\n' + BROKEN[name][0])
    return str(path)


def test_check_builds_the_model_and_says_so(capsys):
    print_config.main(['gankd::baselines/resnet18-w16_1xb64_synthshapes.py',
                       '--check'])
    out = capsys.readouterr().out.splitlines()
    # The README's parameter count of this baseline.
    assert out[-1] == ('# checks passed: the model builds '
                       '(mmpretrain.ImageClassifier, 0.713 M parameters)')
    print_config.main([TINY_KD, '--check'])
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        'M parameters; teacher weights not loaded)')


def test_without_check_the_model_is_not_built(tmp_path, capsys):
    print_config.main([write_config(tmp_path, 'missing_student')])
    assert 'checks passed' not in capsys.readouterr().out


@pytest.mark.parametrize('name', sorted(BROKEN))
def test_check_finds_construction_errors(tmp_path, capsys, name):
    with pytest.raises(SystemExit) as caught:
        print_config.main([write_config(tmp_path, name), '--check'])
    assert caught.value.code == 1
    assert capsys.readouterr().err == f'error: {BROKEN[name][1]}\n'


@pytest.mark.parametrize('tool, name', [
    ('tools/train.py', 'misspelt_keyword'),
    ('tools/test.py', 'head_without_num_classes'),
])
def test_runner_commands_report_construction_errors(run_tool, tmp_path,
                                                    tool, name):
    """The Runner builds the model itself: its TypeError is translated."""
    args = [tool, write_config(tmp_path, name), '--work-dir',
            str(tmp_path / 'work')]
    if tool == 'tools/test.py':  # the model is built before it is read
        (tmp_path / 'weights.pth').write_bytes(b'')
        args.insert(2, str(tmp_path / 'weights.pth'))
    result = run_tool(args, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == \
        f'error: {BROKEN[name][1]}'
    assert 'Traceback' not in result.stderr
