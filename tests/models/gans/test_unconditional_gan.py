"""UnconditionalGAN.train_step/val_step on toy networks, CPU, seconds."""
import math

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.structures import DataSample

from gankd.models.gans import DEFAULT_DATA_PREPROCESSOR


def params(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def count_grad_accumulations(module):
    """Counter of how many times each backward wrote grads of ``module``."""
    counter = {'n': 0, 'grads': []}

    def hook(param):
        counter['grads'].append((param, param.grad.clone(),
                                 param.detach().clone()))

    for param in module.parameters():
        param.register_post_accumulate_grad_hook(hook)

    def backward_passes():
        # every backward touches every parameter once
        return len(counter['grads']) // len(list(module.parameters()))

    counter['passes'] = backward_passes
    return counter


def preprocess(gan, batch):
    return gan.data_preprocessor(batch, False)['inputs']


def softplus(x):
    return math.log1p(math.exp(x))


def test_d_step_trains_only_d_and_g_step_only_g(make_gan, toy, batch):
    gan, optim = make_gan(discriminator=dict(type=toy.MLPDiscriminator),
                          generator_interval=2, r1_gamma=0.0)
    twin, twin_optim = make_gan(
        discriminator=dict(type=toy.MLPDiscriminator),
        generator_interval=10**6, r1_gamma=0.0)  # never a G step
    assert same(params(gan), params(twin))
    d_count = count_grad_accumulations(gan.discriminator)
    g_count = count_grad_accumulations(gan.generator)

    # Iteration 0: D step only.
    g0, ema0, d0 = params(gan.generator), params(gan.generator_ema), \
        params(gan.discriminator)
    log = gan.train_step(batch(), optim)
    assert not any(k.startswith('gen.') for k in log)
    assert same(params(gan.generator), g0)
    assert same(params(gan.generator_ema), ema0)
    assert not same(params(gan.discriminator), d0)
    assert (d_count['passes'](), g_count['passes']()) == (1, 0)
    twin.train_step(batch(), twin_optim)

    # Iteration 1: D step, then G step. (Same seed and iteration: the twin
    # draws the same latents.)
    log = gan.train_step(batch(), optim)
    assert {'gen.loss', 'gen.loss_adv', 'disc.loss'} <= set(log)
    assert not same(params(gan.generator), g0)
    twin.train_step(batch(), twin_optim)
    # The G step left D exactly as the D step made it, computed no D
    # gradient, and gave D its requires_grad back.
    assert same(params(gan.discriminator), params(twin.discriminator))
    assert (d_count['passes'](), g_count['passes']()) == (2, 1)
    assert all(p.requires_grad for p in gan.discriminator.parameters())
    assert all(p.grad is None for p in gan.discriminator.parameters())


def test_step_depends_on_iteration_not_global_rng(make_gan, batch):
    gan, optim = make_gan(pl_weight=1.0, pl_interval=1, r1_interval=1)
    twin, twin_optim = make_gan(pl_weight=1.0, pl_interval=1, r1_interval=1)
    for iteration in range(2):
        torch.manual_seed(iteration)  # the global state differs per model
        state = torch.get_rng_state()
        log = gan.train_step(batch(seed=iteration), optim)
        assert torch.equal(torch.get_rng_state(), state)  # restored
        torch.manual_seed(99)
        twin_log = twin.train_step(batch(seed=iteration), twin_optim)
        assert all(torch.equal(log[k], twin_log[k]) for k in log)
    assert same(params(gan), params(twin))



def test_the_runner_iteration_sets_the_draws(make_gan, batch):
    hub = MessageHub.get_current_instance()
    fake_losses = []
    for iteration in (7, 7, 8):
        gan, optim = make_gan()
        hub.update_info('iter', iteration)
        fake_losses.append(gan.train_step(batch(), optim)['disc.loss_fake'])
    assert fake_losses[0] == fake_losses[1] != fake_losses[2]


def test_loss_values_hand_computed(make_gan, toy, batch):
    gan, optim = make_gan(lr=0.0, r1_gamma=0.0, style_mixing_prob=0.0)
    with torch.no_grad():  # G outputs tanh(const) whatever z and noise
        gan.generator.style.zero_()
        gan.generator.noise_strength.zero_()
        d = gan.discriminator.fc
        d.weight.copy_(torch.linspace(-1, 1, 48)[None])
        d.bias.fill_(0.3)
    data = batch()
    log = gan.train_step(data, optim)
    real = preprocess(gan, data).flatten(1).double()
    v, b = d.weight[0].double(), d.bias.double().item()
    real_scores = (real @ v + b).tolist()
    fake_score = (torch.tanh(gan.generator.const).flatten().double() @ v +
                  b).item()
    loss_real = sum(softplus(-s) for s in real_scores) / len(real_scores)
    assert log['disc.loss_real'].item() == pytest.approx(loss_real, rel=1e-5)
    assert log['disc.loss_fake'].item() == pytest.approx(
        softplus(fake_score), rel=1e-5)
    assert log['disc.loss'].item() == pytest.approx(
        loss_real + softplus(fake_score), rel=1e-5)
    assert log['gen.loss_adv'].item() == pytest.approx(
        softplus(-fake_score), rel=1e-5)
    assert log['disc.fake_score'].item() == pytest.approx(fake_score,
                                                          rel=1e-5)
    assert log['disc.real_score'].item() == pytest.approx(
        sum(real_scores) / len(real_scores), rel=1e-5)


def test_lazy_r1_every_interval_with_hand_computed_value(make_gan, batch):
    gamma, interval, lr = 3.0, 2, 0.01
    gan, optim = make_gan(lr=lr, r1_gamma=gamma, r1_interval=interval)
    d_count = count_grad_accumulations(gan.discriminator)
    for iteration in range(4):
        before = d_count['passes']()
        log = gan.train_step(batch(seed=iteration), optim)
        r1_now = iteration % interval == 0
        assert ('disc.loss_r1' in log) == r1_now
        assert d_count['passes']() - before == (2 if r1_now else 1)
        if not r1_now:
            continue
        # Linear D: grad_x D = v for every image, so the penalty is |v|^2
        # with v as the main D step left it; its gradient on v is
        # gamma * interval * v and on the bias 0.
        last = {id(p): (grad, value)
                for p, grad, value in d_count['grads'][-2:]}
        w_grad, w_value = last[id(gan.discriminator.fc.weight)]
        b_grad, _ = last[id(gan.discriminator.fc.bias)]
        v_sq = w_value.square().sum().item()
        assert log['disc.r1_penalty'].item() == pytest.approx(v_sq, rel=1e-5)
        assert log['disc.loss_r1'].item() == pytest.approx(
            gamma / 2 * v_sq * interval, rel=1e-5)
        torch.testing.assert_close(w_grad, gamma * interval * w_value)
        assert torch.count_nonzero(b_grad) == 0


def test_r1_on_nonlinear_d_matches_per_sample_autograd(make_gan, toy, batch):
    gan, optim = make_gan(lr=0.0, r1_gamma=2.0, r1_interval=1,
                          discriminator=dict(type=toy.MLPDiscriminator))
    d_count = count_grad_accumulations(gan.discriminator)
    data = batch()
    log = gan.train_step(data, optim)
    # Not lazy: R1 joins the main D loss, one backward, gain 1.
    assert d_count['passes']() == 1
    expected = []
    for image in preprocess(gan, data):
        image = image[None].clone().requires_grad_(True)
        grad, = torch.autograd.grad(gan.discriminator(image).sum(), image)
        expected.append(grad.square().sum().item())
    penalty = sum(expected) / len(expected)
    assert log['disc.loss_r1'].item() == pytest.approx(2.0 / 2 * penalty,
                                                       rel=1e-5)


def test_ema_follows_closed_form(make_gan, batch):
    # 4 images per step, half-life 4 images -> momentum 0.5.
    gan, optim = make_gan(r1_gamma=0.0, ema_half_life_kimg=0.004)
    history = []
    for iteration in range(4):
        gan.train_step(batch(seed=iteration), optim)
        history.append(params(gan.generator))
    m = 0.5
    for key in history[0]:
        # mmengine's EMA copies on its first update, then
        # ema = (1 - m) * ema + m * G after each G step.
        expected = history[0][key]
        for g in history[1:]:
            expected = (1 - m) * expected + m * g[key]
        torch.testing.assert_close(
            gan.generator_ema.module.get_parameter(key), expected)
    # Buffers (w_avg) follow G's, as in StyleGAN2.
    torch.testing.assert_close(gan.generator_ema.module.truncation.w_avg,
                               gan.generator.truncation.w_avg)


def test_ema_start_iteration_copies_until_then(make_gan, batch):
    gan, optim = make_gan(r1_gamma=0.0, ema_half_life_kimg=0.004,
                          ema_start_iter=2)
    for iteration in range(2):
        gan.train_step(batch(seed=iteration), optim)
        assert same(params(gan.generator_ema.module), params(gan.generator))
    gan.train_step(batch(seed=2), optim)  # first averaged update: a copy
    previous = params(gan.generator_ema.module)
    gan.train_step(batch(seed=3), optim)
    g = params(gan.generator)
    for key, value in params(gan.generator_ema.module).items():
        torch.testing.assert_close(value, 0.5 * previous[key] + 0.5 * g[key])


def test_path_length_every_interval(make_gan, batch):
    gan, optim = make_gan(r1_gamma=0.0, pl_weight=2.0, pl_interval=2,
                          pl_decay=0.5)
    g_count = count_grad_accumulations(gan.generator)
    log = gan.train_step(batch(), optim)
    assert {'gen.loss_pl', 'gen.pl_mean'} <= set(log)
    assert math.isfinite(log['gen.loss_pl'].item())
    # G: main step + path-length step; the running mean moved off 0.
    assert g_count['passes']() == 2
    assert gan.pl_mean.item() > 0
    assert log['gen.pl_mean'].item() == gan.pl_mean.item()
    log = gan.train_step(batch(seed=2), optim)
    assert 'gen.loss_pl' not in log and g_count['passes']() == 3


def test_style_mixing_random_noise_and_w_avg(make_gan, batch, monkeypatch):
    gan, optim = make_gan(r1_gamma=0.0, style_mixing_prob=1.0)
    calls = []
    synthesize = type(gan.generator).synthesize

    def spy(self, codes, space='wp', noise_mode='const'):
        calls.append((codes.detach().clone(), noise_mode))
        return synthesize(self, codes, space, noise_mode)

    monkeypatch.setattr(type(gan.generator), 'synthesize', spy)
    gan.train_step(batch(), optim)
    assert len(calls) == 2  # D step fakes, G step fakes: nothing more
    for codes, noise_mode in calls:
        assert noise_mode == 'random'
        # Mixed: the last layer's code comes from another z.
        assert not torch.equal(codes[:, 0], codes[:, -1])
    # One w_avg update per G step, from that step's batch mean of w.
    assert len(gan.generator.w_avg_updates) == 1
    assert gan.generator.w_avg_updates[0].shape == (1, 4)

    calls.clear()
    gan.style_mixing_prob = 0.0
    gan.train_step(batch(), optim)
    assert all(torch.equal(c[:, 0], c[:, -1]) for c, _ in calls)


def test_generator_without_w(make_gan, toy, batch):
    with pytest.warns(UserWarning, match='path-length'):
        gan, optim = make_gan(generator=dict(type=toy.ToyZOnlyGenerator),
                              pl_weight=1.0, pl_interval=1, r1_interval=1)
    log = gan.train_step(batch(), optim)
    assert 'gen.loss_pl' not in log and 'disc.loss_r1' in log
    assert gan.val_step(batch())[0].fake_img.shape == (3, 4, 4)


def _samples(indices):
    samples = []
    for index in indices:
        sample = DataSample()
        sample.set_metainfo(dict(sample_idx=index))
        samples.append(sample)
    return samples


def test_val_step_is_deterministic_per_sample_from_the_ema(make_gan, batch):
    gan, optim = make_gan(val_seed=7)
    gan.train_step(batch(), optim)
    data = dict(batch(n=3), data_samples=_samples([0, 1, 2]))
    first = gan.val_step(data)
    again = gan.val_step(dict(batch(n=3), data_samples=_samples([0, 1, 2])))
    for a, b in zip(first, again):
        assert torch.equal(a.fake_img, b.fake_img)
    # Per sample, not per batch: sample 2 alone gives the same image.
    alone = gan.val_step(dict(batch(n=1), data_samples=_samples([2])))
    torch.testing.assert_close(alone[0].fake_img, first[2].fake_img)
    assert not torch.equal(first[0].fake_img, first[1].fake_img)
    # The real image rides along, preprocessed to [-1, 1] RGB.
    real = preprocess(gan, data)
    torch.testing.assert_close(first[1].real_img, real[1])
    assert real.min() >= -1 and real.max() <= 1
    # Generated by the EMA: changing G alone changes nothing.
    with torch.no_grad():
        gan.generator.const.add_(1.0)
    after = gan.val_step(dict(batch(n=3), data_samples=_samples([0, 1, 2])))
    assert torch.equal(after[0].fake_img, first[0].fake_img)
    with torch.no_grad():
        gan.generator_ema.module.const.add_(1.0)
    after = gan.val_step(dict(batch(n=3), data_samples=_samples([0, 1, 2])))
    assert not torch.equal(after[0].fake_img, first[0].fake_img)
    assert gan(real, mode='tensor').shape == (3, 3, 4, 4)
    with pytest.raises(NotImplementedError, match='train_step'):
        gan(real, mode='loss')


def test_defaults_keys_and_modes(make_gan):
    gan, _ = make_gan()
    preprocessor = gan.data_preprocessor
    assert type(preprocessor).__name__ == 'ClsDataPreprocessor'
    assert preprocessor.to_rgb and DEFAULT_DATA_PREPROCESSOR['to_rgb']
    keys = set(gan.state_dict())
    g_keys = set(gan.generator.state_dict())
    # Other tools read the EMA weights under these names.
    assert {f'generator_ema.module.{k}' for k in g_keys} <= keys
    assert {f'generator.{k}' for k in g_keys} <= keys
    assert 'pl_mean' in keys
    gan.train()
    assert gan.generator.training and not gan.generator_ema.training
    with pytest.raises(ValueError, match='r1_interval'):
        make_gan(r1_interval=0)
