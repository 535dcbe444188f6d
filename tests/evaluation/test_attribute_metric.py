import numpy as np
import pytest
import torch

from gankd.evaluation import AttributeMetric
from gankd.registry import METRICS

ATTRS = [
    dict(name='smile', type='binary'),
    dict(name='hair', type='categorical', num_classes=3),
    dict(name='yaw', type='continuous'),
]
# pred (tensor, as the head gives it) and gt (numpy, as PackInputs keeps it)
PRED = [[1, 2, 0.5], [0, 1, -0.2], [1, 0, 0.9], [1, 2, -0.4]]
GT = [[1, 2, 0.3], [1, 1, 0.1], [1, 1, 0.8], [0, 2, -1.0]]


def _run(metric, preds, gts):
    metric.process(None, [
        dict(pred_attrs=torch.tensor(p), gt_attrs=np.array(g, np.float32))
        for p, g in zip(preds, gts)
    ])
    return metric.evaluate(len(preds))


def test_values_match_hand_computation():
    metric = METRICS.build(dict(type='AttributeMetric', attributes=ATTRS))
    out = _run(metric, PRED, GT)
    # smile: right on samples 0 and 2 -> 50 %
    assert out['attr/smile_acc'] == pytest.approx(50.0)
    # hair: right on 0, 1, 3 -> 75 %
    assert out['attr/hair_acc'] == pytest.approx(75.0)
    # yaw signs: (+,+) (-,+) (+,+) (-,-) -> 75 %; |errors| .2 .3 .1 .6
    assert out['attr/yaw_acc'] == pytest.approx(75.0)
    assert out['attr/yaw_mae'] == pytest.approx(0.3, abs=1e-6)
    assert out['attr/mean_acc'] == pytest.approx((50 + 75 + 75) / 3)
    assert 'attr/smile_mae' not in out


def test_missing_labels_are_left_out_and_meta_fallback():
    metric = AttributeMetric(prefix='faces')
    metric.dataset_meta = dict(attributes=ATTRS)
    gts = [list(g) for g in GT]
    gts[1][0] = np.nan  # the only wrong smile but one is unlabelled
    gts[3][2] = np.nan
    out = _run(metric, PRED, gts)
    assert out['faces/smile_acc'] == pytest.approx(200 / 3)
    assert out['faces/yaw_acc'] == pytest.approx(200 / 3)
    assert out['faces/yaw_mae'] == pytest.approx(0.2, abs=1e-6)


def test_errors_name_the_problem():
    metric = AttributeMetric()
    with pytest.raises(ValueError, match='attributes'):
        _run(metric, PRED, GT)
    with pytest.raises(KeyError, match='pred_attrs'):
        AttributeMetric(attributes=ATTRS).process(
            None, [dict(gt_attrs=np.zeros(3))])
    metric = AttributeMetric(attributes=ATTRS[:2])
    with pytest.raises(ValueError, match='2 attributes'):
        _run(metric, PRED, GT)
