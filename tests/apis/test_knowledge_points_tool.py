"""``tools/knowledge_points.py`` as a subprocess on the tiny experiment
(tests/data/configs/knowledge_points/kp_tiny_test.py): outputs exist and agree with
each other, a second run trains and learns nothing, bad input is one
line."""
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TOOL = os.path.join(REPO, 'tools', 'knowledge_points.py')
TINY = os.path.join(REPO, 'tests', 'data', 'configs', 'knowledge_points',
                    'kp_tiny_test.py')


@pytest.fixture(scope='module')
def env():
    return dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=os.pathsep.join(
        [REPO, os.path.join(REPO, 'plugins'),
         os.environ.get('PYTHONPATH', '')]))


def run(env, *args, check=True):
    result = subprocess.run([sys.executable, TOOL, TINY, *args], env=env,
                            capture_output=True, text=True, cwd=REPO)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope='module')
def first_run(env, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('kp'))
    return work, run(env, '--work-dir', work)


def test_outputs_exist_and_agree(first_run):
    work, result = first_run
    assert '3 trainings and 12 sigma files' in result.stdout
    out = os.path.join(work, 'analysis')
    summary = json.load(open(os.path.join(out, 'summary.json')))
    assert {(e['network'], e['layer']) for e in summary['networks']} == {
        (n, layer) for n in ('baseline', 'student')
        for layer in ('backbone.layer2', 'backbone.layer1')}
    for entry in summary['networks']:
        folder = os.path.join(out, entry['network'], 'seed0', entry['layer'])
        for epoch in (0, 1, 2):
            assert os.path.getsize(os.path.join(
                folder, f'entropy_maps_epoch_{epoch}.png')) > 0
        images = json.load(open(os.path.join(folder, 'images.json')))
        metrics = json.load(open(os.path.join(folder, 'metrics.json')))
        valid = [r for r in images['images'] if r['valid']][:3]
        # the table counts the kept images: the first max_images valid
        assert [r['index'] for r in valid] == metrics['kept']
        assert entry['seeds']['0']['images'] == len(metrics['kept'])
        table = metrics['metrics']['table']
        n_fg = [r['N_fg'][-1] for r in valid]
        assert table['N_fg'] == pytest.approx(sum(n_fg) / len(n_fg))
        assert entry['seeds']['0']['N_fg'] == pytest.approx(table['N_fg'])
        # s_f^2 and entropies exist at every checkpoint of a kept image
        assert all(len(r['sigma_f2']) == 3 for r in valid)
    assert len(summary['comparisons']) == 2
    for row in summary['comparisons']:
        assert row['pair'] == ['student', 'baseline']
        assert row['images'] > 0
    assert os.path.isfile(os.path.join(out, 'curves_backbone.layer2.png'))
    assert '| student | baseline |' in open(
        os.path.join(out, 'summary.md')).read()
    # the student trained from its teacher's last weights, same seed
    record = json.load(open(os.path.join(
        work, 'train', 'student', 'seed0',
        'weight_distance_backbone.layer2.json')))
    assert record['params'][0].startswith('student.backbone.layer2')
    assert len(record['distance']) == 3 and record['distance'][0] > 0


def test_second_run_does_nothing_new(env, first_run):
    work, _ = first_run
    caches = [os.path.join(root, name) for root, _, names in os.walk(work)
              for name in names if name.startswith('sigma_epoch_')]
    before = {path: os.path.getmtime(path) for path in caches}
    result = run(env, '--work-dir', work)
    assert '0 trainings and 0 sigma files' in result.stdout
    assert {path: os.path.getmtime(path) for path in caches} == before


def test_layer_typo_is_one_line(env, tmp_path):
    result = run(env, '--work-dir', str(tmp_path), '--cfg-options',
                 'layers=[backbone.layr2]', check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: layers: 'backbone.layr2' is not a module of network "
        "'baseline'; did you mean backbone.layer2, backbone.layer2.1, "
        'backbone.layer2.0?']
    assert not os.path.exists(tmp_path / 'train')  # nothing trained


def test_checkpoint_list_not_matching_files_is_one_line(env, first_run):
    work, _ = first_run
    result = run(env, '--work-dir', work, '--cfg-options', 'epochs=[0,1,3]',
                 check=False)
    assert result.returncode == 1
    assert 'epochs: 3 is after the last epoch (2)' in result.stderr
    os.remove(os.path.join(work, 'train', 'baseline', 'seed0',
                           'snapshot_epoch_1.pth'))
    result = run(env, '--work-dir', work, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'has no snapshot for epochs [1]' in lines[0]
    assert 'found [0, 2]' in lines[0]


def test_extra_distillers_are_analysed_through_their_deployed_network(
        tmp_path):
    """``--extra`` with a Residual KD config: its checkpoint holds S + A +
    connectors + head (not the model it was split from), which the probe
    must build and load; a plain classifier config loads at the top."""
    from types import SimpleNamespace

    from gankd.apis.config import build_model
    from gankd.apis.knowledge_points import analysis_runs
    from gankd.config import load_config
    from gankd.utils.checkpoint import save_checkpoint
    from gankd_knowledge_points.knowledge_points_probe import \
        KnowledgePointsProbe
    rkd = ('configs/residual_kd/residual-kd_resnet18-w16_resnet18-3stage-'
           'w8_1xb64_synthshapes.py')
    plain = 'configs/baselines/resnet18-3stage-w8_1xb64_synthshapes.py'
    extras = []
    for name, config in [('rkd@2', rkd), ('plain', plain)]:
        model = build_model(load_config(config))
        path = str(tmp_path / f'{name}.pth')
        save_checkpoint(dict(state_dict=model.state_dict()), path)
        extras.append((name, config, path))
    no_networks = SimpleNamespace(networks={}, seeds=[], epochs=[])
    runs = analysis_runs(no_networks, str(tmp_path), extras)
    assert [r['checkpoint_prefix'] for r in runs] == ['student.', '']
    # NAME@K is seed K of NAME (compared with seed K of the other network).
    assert [(r['name'], r['seed']) for r in runs] == [('rkd', 2), ('plain', 0)]
    for run, (_, _, path) in zip(runs, extras):
        probe = KnowledgePointsProbe(run['classifier'], layer='backbone',
                                     checkpoint_prefix=run[
                                         'checkpoint_prefix'])
        probe.load_checkpoint(path)  # strict: raises if it does not fit
    assert 'StudentAssistantBackbone' in runs[0]['classifier']['backbone'][
        'type']


def test_extra_seed_suffix_is_checked():
    from gankd.apis.knowledge_points import extra_name_seed
    from gankd.config import ConfigError
    assert extra_name_seed('kd@12') == ('kd', 12)
    assert extra_name_seed('kd') == ('kd', 0)
    for bad in ('kd@', 'kd@one', '@1'):
        with pytest.raises(ConfigError, match='NAME@SEED'):
            extra_name_seed(bad)
