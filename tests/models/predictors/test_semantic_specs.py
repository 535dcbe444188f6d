"""Spec parsing and score reading without a network: stable log-odds."""
import math

import numpy as np
import pytest
import torch

from gankd.models.predictors.semantic_specs import (
    OutputGroup, SemanticSpecError, parse_semantics, read_scores)

# Outputs: yaw 0 (value), smile 1 (logit), hair 2-4 (3 softmax classes).
GROUPS = [OutputGroup('yaw', 'value', 0, 1, False),
          OutputGroup('smile', 'logit', 1, 1, False),
          OutputGroup('hair', 'softmax', 2, 3, True)]
HAIR = ('black', 'blond', 'red')


def parse(semantics, names=lambda group: HAIR):
    return parse_semantics(semantics, GROUPS, names,
                           lambda: ['yaw', 'smile'])


def test_names_and_readouts_from_each_form():
    names, readouts = parse({'s': 'smile', 'b': '-hair=blond'})
    assert names == ('s', 'b')
    assert [(r.start, r.width, r.index, r.softmax, r.sign)
            for r in readouts] == [(1, 1, 0, False, 1.0),
                                   (2, 3, 1, True, -1.0)]
    assert parse('hair=2')[0] == ('hair=2',)
    assert parse(None)[0] == ('yaw', 'smile')


def test_softmax_log_odds_stay_finite_for_confident_logits():
    _, readouts = parse(['hair=0', 'hair=2', '-yaw', 'smile'])
    outputs = torch.tensor([[0.3, -4.0, 0.0, 0.0, 200.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0]])
    scores = read_scores(outputs, readouts)
    # p_red ~ 1: a log(1 - p) would be -inf; the exact form is 200 - ln 2.
    expected = [[0.0 - np.logaddexp(0.0, 200.0), 200.0 - math.log(2),
                 -0.3, -4.0],
                [math.log(1 / 2), math.log(1 / 2), -0.0, 0.0]]
    torch.testing.assert_close(scores, torch.tensor(expected,
                                                    dtype=torch.float32))
    assert scores.dtype == torch.float32


def test_unknown_class_names_ask_for_an_index():
    with pytest.raises(SemanticSpecError, match='no class names are known'):
        parse(['hair=blond'], names=lambda group: None)
    assert parse(['hair=1'], names=lambda group: None)[1][0].index == 1
