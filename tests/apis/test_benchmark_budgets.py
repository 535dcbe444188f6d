"""The benchmark's budgets: each row's epochs and training FLOPs, and the
equal-compute rows' epochs from the costliest row."""
from gankd.apis.benchmark import Preset, Run, _budgets
from gankd.apis.train_compute import training_compute

PLAIN = 'tests/data/configs/tiny_synthshapes.py'
KD = 'tests/data/configs/tiny_kd.py'


def test_equal_compute_rows_get_the_costliest_rows_flops():
    preset = Preset(seeds=[0], data='tiny', num_images=100)
    runs = [Run('teacher', PLAIN, distiller=False),
            Run('plain', PLAIN, distiller=False),
            Run('kd', KD),
            Run('plain, equal compute', PLAIN, distiller=False,
                budget='compute'),
            Run('kd, equal compute', KD, budget='compute')]
    budgets = _budgets(runs, preset)
    plain = training_compute(PLAIN, {})
    kd = training_compute(KD, {})
    # By hand: FLOPs = epochs x images x FLOPs per image of a step.
    assert budgets['plain']['flops'] == plain.total(100) == \
        plain.epochs['train'] * 100 * plain.flops_per_image['train']
    assert budgets['kd']['flops'] == kd.total(100)
    # KD runs the student and a teacher forward: it is the costliest, and
    # the equal-compute row gets the epochs that come closest to it.
    assert kd.flops_per_image['train'] > plain.flops_per_image['train']
    epochs = budgets['plain, equal compute']['epochs']
    per_epoch = plain.per_epoch(100)
    assert epochs == round(kd.total(100) / per_epoch) > plain.epochs['train']
    assert abs(epochs * per_epoch - kd.total(100)) <= per_epoch / 2
    assert budgets['plain, equal compute']['options'] == {
        'train_cfg.max_epochs': epochs}
    # KD's own schedule is the budget: the same training as its row.
    assert budgets['kd, equal compute']['epochs'] == kd.epochs['train']
    assert 'options' not in budgets['kd, equal compute']
    assert 'teacher' not in budgets
