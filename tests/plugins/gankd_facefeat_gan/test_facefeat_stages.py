"""The stage schedule: each stage trains exactly its parts; frozen networks
never change; a step depends only on weights, batch and iteration."""
import pytest
import torch

GEN_PARTS = ('identity_encoder', 'extractors', 'feature_generators',
             'renderer')
DISC_PARTS = ('features', 'image')
TRAINED = {
    'features': {'generator.feature_generators', 'discriminator.features'},
    'render_real': {'generator.renderer', 'discriminator.image'},
    'render_mixed': {'generator.renderer', 'discriminator.image'},
    'single_stage': {'generator.renderer', 'discriminator.image'},
}


def checksums(model):
    sums = {}
    for net, parts in (('generator', GEN_PARTS),
                       ('discriminator', DISC_PARTS)):
        for part in parts:
            module = getattr(getattr(model, net), part)
            sums[f'{net}.{part}'] = [p.detach().clone()
                                     for p in module.state_dict().values()]
    sums['perceptual'] = [p.detach().clone()
                          for p in model.perceptual.state_dict().values()]
    return sums


def changed(before, after):
    return {name for name in before
            if any(not torch.equal(a, b)
                   for a, b in zip(before[name], after[name]))}


@pytest.mark.parametrize('stage', list(TRAINED))
def test_each_stage_trains_only_its_parts(stage, make_gan, face_batch,
                                          optimizers):
    model = make_gan(stage)
    model.train()
    optim = optimizers(model)
    before = checksums(model)
    logs = [model.train_step(face_batch(seed=i), optim) for i in range(2)]
    assert changed(before, checksums(model)) == TRAINED[stage]
    assert model.trained_parts == tuple(sorted(
        TRAINED[stage], key=lambda n: not n.startswith('generator')))
    # frozen networks stay in eval mode under train()
    assert not model.generator.identity_encoder.training
    assert not model.generator.extractors.training
    keys = set(logs[0]) | set(logs[1])
    if stage == 'features':
        assert {'disc.pose.loss_r1', 'gen.pose.loss_adv',
                'gen.expression.loss_div'} <= keys
    else:
        assert {'gen.loss_adv', 'gen.loss_id', 'disc.loss_r1'} <= keys
    paths = [float(log['gen.real_path']) for log in logs] \
        if stage != 'features' else None
    if stage == 'render_real':
        assert paths == [1.0, 1.0] and 'gen.loss_rec' in keys
    if stage == 'render_mixed':  # mixed_cycle (1, 1): real, generated
        assert paths == [1.0, 0.0]
        assert 'gen.loss_rec' in logs[0] and 'gen.loss_rec' not in logs[1]
    if stage == 'single_stage':
        assert paths == [0.0, 0.0] and 'gen.loss_rec' not in keys


def test_identity_bank_fills_from_the_batches(make_gan, face_batch,
                                              optimizers):
    model = make_gan('features')
    model.train_step(face_batch(n=4), optimizers(model))
    assert model.generator.bank.counts.tolist() == [1.0, 1.0, 1.0, 1.0]
    # the EMA generator samples from the same bank
    assert torch.equal(model.generator_ema.module.bank.counts,
                       model.generator.bank.counts)


def test_a_step_is_a_function_of_weights_batch_and_iteration(
        make_gan, face_batch, optimizers):
    results = []
    for _ in range(2):
        model = make_gan('render_mixed', seed=3)
        optim = optimizers(model)
        torch.manual_seed(123 + len(results))  # the global RNG is not used
        for i in range(2):
            model.train_step(face_batch(seed=i), optim)
        results.append(model.state_dict())
    for key in results[0]:
        assert torch.equal(results[0][key], results[1][key]), key
