"""tools/analysis: plot_scalars merges resumed runs by step, plots, and
names a key that was never logged; real_fid_floor compares real splits;
time_train_iterations times the iterations after the first."""
import json

import cv2


def _write(path, records):
    path.parent.mkdir(parents=True)
    path.write_text('\n'.join(json.dumps(r) for r in records) + '\n')


def test_plot_scalars_merges_runs_and_rejects_unknown_keys(tmp_path,
                                                           run_tool):
    _write(tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json',
           [dict(step=10, loss=2.0), dict(step=20, fid=9.5),
            dict(step=20, loss=1.0)])
    # a resumed run repeats step 20 and goes on; its values win
    _write(tmp_path / '20260102_000000' / 'vis_data' / 'scalars.json',
           [dict(step=20, fid=8.0), dict(step=40, fid=5.25)])
    out = tmp_path / 'curve.png'
    result = run_tool(['tools/analysis/plot_scalars.py', str(tmp_path),
                       '--keys', 'fid', 'loss', '--out', str(out)])
    assert 'fid: 20:8, 40:5.25' in result.stdout
    assert 'loss: 10:2, 20:1' in result.stdout
    image = cv2.imread(str(out))
    assert image is not None and image.shape[1] > image.shape[0]

    missing = run_tool(['tools/analysis/plot_scalars.py', str(tmp_path),
                        '--keys', 'psnr', '--out', str(out)], check=False)
    assert missing.returncode != 0 and "['psnr'] not logged" in missing.stderr


def test_real_fid_floor_is_zero_for_one_split_and_positive_for_two(run_tool):
    config = 'tests/data/configs/tiny_stylegan2_gan.py'
    same = run_tool(['tools/analysis/real_fid_floor.py', config,
                     '--splits', 'val', 'val'])
    assert float(same.stdout.rsplit(':', 1)[1]) < 1e-6
    two = run_tool(['tools/analysis/real_fid_floor.py', config])
    assert 'val vs test (8 / 8 real images)' in two.stdout
    assert float(two.stdout.rsplit(':', 1)[1]) > 1e-6  # different images


def test_time_train_iterations_counts_every_iteration_after_the_first(
        run_tool):
    # the tiny ENTED stage A: 6 iterations, 5 intervals between their
    # ends, the first 2 left out of the medians
    result = run_tool(['tools/analysis/time_train_iterations.py',
                       'tests/data/configs/tiny_ented_stage_a.py',
                       '--iters', '6', '--warmup', '2'],
                      env=dict(OMP_NUM_THREADS='1'))
    line = [x for x in result.stdout.splitlines() if x.startswith('{')][-1]
    timing = json.loads(line)
    assert timing['iters'] == 5 and timing['measured'] == 3
    assert timing['threads'] == 1
    assert 0 < timing['cpu_s_per_iter'] and 0 < timing['wall_s_per_iter']
