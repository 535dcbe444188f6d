"""``gankd synthesize`` and the section-6 evaluation on a tiny model with
random frozen parts (the tools' contracts, not the model's quality)."""
import os

import cv2
import numpy as np
import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CONFIG = 'tests/data/configs/tiny_facefeat_gan.py'


@pytest.fixture
def trained(tmp_path, make_gan, face_batch, optimizers, monkeypatch):
    """``(model, checkpoint path)``: a tiny FaceFeatGAN after one step (its
    bank knows identities 0-3), saved as the Runner saves; the working
    directory is the repository (the config's paths are relative)."""
    monkeypatch.chdir(REPO)
    model = make_gan('render_real')
    model.train_step(face_batch(), optimizers(model))
    path = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return model.eval(), path


def _png(path, size):
    cv2.imwrite(str(path), np.random.default_rng(0).integers(
        0, 256, (size, size, 3), dtype=np.uint8))
    return str(path)


def test_synthesize_writes_grids_and_reports_each_bad_input(
        tmp_path, trained, capsys):
    from gankd.apis.synthesize import main
    good = _png(tmp_path / 'alice.png', 16)
    big = _png(tmp_path / 'bob.png', 20)
    out = tmp_path / 'out'
    report = main([CONFIG, trained[1], good, big,
                   str(tmp_path / 'carol.png'), '--identities', '1', '9',
                   'x', '--num', '3', '--sweep', 'pose:-2:2',
                   '--sweep-steps', '4', '--sweep-rows', '2', '--out',
                   str(out)])
    assert report['done'] == ['alice', 'id1']
    err = [line for line in capsys.readouterr().err.splitlines()
           if line.split(':')[0] in ('bob', 'carol', 'id9', 'idx')]
    assert len(err) == 4 and sorted(err) == sorted(report['failed'])
    assert any('bob' in line and '20' in line for line in err)
    assert any('carol' in line and 'no such file' in line for line in err)
    assert any('unknown identity 9' in line for line in err)
    assert any("'x' is not an integer" in line for line in err)
    assert (out / 'failures.txt').read_text().count('\n') == 4
    grid = cv2.imread(str(out / 'alice_samples.png'))
    assert grid.shape == (2 + 18, 2 + 3 * 18, 3)
    sweep = cv2.imread(str(out / 'id1_sweep_pose.png'))
    assert sweep.shape == (2 + 2 * 18, 2 + 4 * 18, 3)


def test_attribute_sweep_sets_only_the_swept_feature(trained):
    from gankd.apis.face_synthesis import attribute_sweep, load_face_generator
    g = load_face_generator(CONFIG, trained[1])
    # the loaded EMA generator is the trained model's EMA, weight for weight
    for key, value in trained[0].generator_ema.module.state_dict().items():
        assert torch.equal(g.state_dict()[key], value), key
    values = [-1.0, 0.5, 1.0]
    images = attribute_sweep(g, 2, 'pose', values, rows=2, seed=3)
    base = g.sample(2, 2, 3)['features']
    for r in range(2):
        for j, v in enumerate(values):
            feats = {k: f[r:r + 1].clone() for k, f in base.items()}
            feats['pose'][:] = v
            assert torch.allclose(images[r * 3 + j], g.render(2, feats)[0],
                                  atol=1e-5)
    assert not torch.allclose(images[0], images[2])


def test_evaluation_report_on_a_tiny_model(trained):
    import warnings

    from gankd.apis.face_synthesis_eval import (evaluate_generator,
                                                mean_pairwise_l1)
    from gankd.registry import MODELS
    # hand value: pairs (0,1): 1, (0,2): 2, (1,2): 1 -> mean 4/3
    assert mean_pairwise_l1(torch.tensor([[0.0], [1.0], [2.0]])) == \
        pytest.approx(4 / 3)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', '.* without checkpoint')
        evaluator = MODELS.build(dict(
            type='FaceIdentityEncoder',
            config='tests/data/configs/tiny_face_classifier.py',
            checkpoint=None)).eval()
    g = trained[0].generator_ema.module
    images = torch.rand(12, 3, 16, 16) * 2 - 1
    labels = torch.arange(12) % 4
    report = evaluate_generator(g, evaluator, images, labels,
                                per_identity=3, fresh=trained[0].generator)
    assert report['num_identities'] == 4 and report['chance'] == 0.25
    assert 0 <= report['identity_accuracy'] <= 1
    assert report['deterministic'] is True
    assert report['stage1_feature_fd_trained'] >= 0
    assert report['recon_l1_own_features'] > 0
    assert len(report['pose_sweep_readout']) == 2
    assert report['diversity_real'] == pytest.approx(np.mean(
        [mean_pairwise_l1(images[labels == i]) for i in range(4)]))
