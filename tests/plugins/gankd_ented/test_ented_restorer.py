"""ENTEDRestorer's losses, training steps (with and without the
adversarial loss) and loading of stage-A parts."""
import pytest
import torch
from mmengine.structures import BaseDataElement

from gankd.engine.optimizers import MultiOptimWrapperConstructor
from gankd.utils.checkpoint import CheckpointError

FEATURES = dict(type='ClassifierFeatures',
                config='tests/data/configs/tiny_face_classifier.py')
DISCRIMINATOR = dict(type='StyleGAN2Discriminator', resolution=32,
                     fmaps_base=64, fmaps_max=16)


def batch(n=2, seed=0):
    """A packed, collated batch: uint8 BGR images, as the pipeline gives."""
    g = torch.Generator().manual_seed(seed)

    def images():
        return list(torch.randint(0, 256, (n, 3, 32, 32), generator=g,
                                  dtype=torch.uint8))

    samples = [BaseDataElement(gt_img=img) for img in images()]
    return dict(inputs=dict(degraded=images(), reference=images()),
                data_samples=samples)


def optim(model, discriminator=False, lr=0.01):
    cfg = dict(generator=dict(optimizer=dict(type='Adam', lr=lr)))
    if discriminator:
        cfg['discriminator'] = dict(optimizer=dict(type='Adam', lr=lr),
                                    lazy_reg_interval=2)
    return MultiOptimWrapperConstructor(cfg)(model)


def test_loss_terms_of_each_stage(make_restorer):
    model = make_restorer(losses=dict(
        perceptual=dict(net=FEATURES, num_scales=2),
        identity=dict(net=FEATURES)))
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(**data)
    assert set(losses) == {'gen.loss_l1', 'gen.loss_perceptual',
                           'gen.loss_id', 'gen.loss_attn', 'gen.loss_vq',
                           'gen.codes_used'}
    assert all(torch.isfinite(v) for v in losses.values())
    # logged, not trained on: the distinct codes of the batch's 2x8x8 map
    used = losses.pop('gen.codes_used')
    assert 1 <= used <= 32 and used == int(used)
    assert not used.requires_grad
    assert not any(p.requires_grad for p in model.perceptual_net.parameters())
    stage_a = make_restorer(stage='A')
    data = stage_a.data_preprocessor(batch(), True)
    assert set(stage_a.loss(**data)) == {'gen.loss_l1', 'gen.loss_vq',
                                         'gen.codes_used'}
    nted = make_restorer(quantizer=None)
    assert set(nted.loss(**data)) == {'gen.loss_l1', 'gen.loss_attn'}
    with pytest.raises(ValueError, match='unknown'):
        make_restorer(losses=dict(style=1.0))


def test_steps_without_discriminator_fit_a_batch(make_restorer):
    model = make_restorer(stage='A')
    wrapper = optim(model)
    data = batch()
    first = model.train_step(data, wrapper)
    for _ in range(15):
        last = model.train_step(batch(), wrapper)
    assert last['loss'] < first['loss']
    assert int(model.iteration) == 16


def test_adversarial_steps_with_lazy_r1_and_a_start_iteration(
        make_restorer):
    model = make_restorer(discriminator=DISCRIMINATOR, r1_interval=2,
                          gan_start_iter=1)
    wrapper = optim(model, discriminator=True)
    d_before = [p.clone() for p in model.discriminator.parameters()]
    logs = [model.train_step(batch(seed=i), wrapper) for i in range(3)]
    assert 'gen.loss_adv' not in logs[0]  # before gan_start_iter
    assert 'gen.loss_adv' in logs[1] and 'gen.loss_adv' in logs[2]
    assert 'disc.loss_r1' in logs[0] and 'disc.loss_r1' not in logs[1]
    assert 'disc.loss_r1' in logs[2]
    assert all(torch.isfinite(v) for log in logs for v in log.values())
    assert any(not torch.equal(a, b) for a, b in
               zip(d_before, model.discriminator.parameters()))
    # D is trainable again after the G step froze it
    assert all(p.requires_grad for p in model.discriminator.parameters())


def test_stage_b_loads_stage_a_parts_strictly(make_restorer, tmp_path):
    stage_a = make_restorer(seed=1, stage='A')
    path = str(tmp_path / 'stage_a.pth')
    torch.save(dict(state_dict=stage_a.state_dict(), meta={}), path)
    stage_b = make_restorer(seed=2, init_from=dict(checkpoint=path))
    for part in ('lq_encoder', 'quantizer'):
        a = getattr(stage_a.generator, part).state_dict()
        b = getattr(stage_b.generator, part).state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a)
    # the decoder is not taken from stage A
    assert not torch.equal(stage_a.generator.decoder.to_rgbs[0].weight,
                           stage_b.generator.decoder.to_rgbs[0].weight)
    with pytest.raises(CheckpointError, match='stage_a.pth'):
        make_restorer(quantizer=dict(num_codes=16),
                      init_from=dict(checkpoint=path))


def test_attention_reconstruction_loss_falls_when_trained(make_restorer):
    """Spec 6.7: the attention-reconstruction loss decreases over the first
    steps (here: 60 Adam steps on one batch, the other losses off)."""
    from mmengine.dataset import pseudo_collate

    from gankd.datasets import ReferencePairDataset
    model = make_restorer(losses=dict(l1=0.0, vq=0.0))
    wrapper = optim(model, lr=0.01)
    # faces, not noise: a reference's colours can rebuild its person
    pairs = ReferencePairDataset(
        dict(type='SynthFaces', img_size=32, num_samples=4, paired=True),
        pipeline=[dict(type='PackRestorationInputs', degraded_key='img')])
    data = pseudo_collate([pairs[i] for i in range(4)])
    values = [float(model.train_step(data, wrapper)['gen.loss_attn'])
              for _ in range(60)]
    assert sum(values[-10:]) / 10 < 0.8 * sum(values[:10]) / 10


def test_steps_run_with_generator_and_discriminator_in_their_own_ddp(
        make_restorer, tmp_path):
    """The configs' MMSeparateDistributedDataParallel (one gloo process):
    the step reaches the network's attributes through the wrapper."""
    import torch.distributed as dist
    from mmengine.model import MMSeparateDistributedDataParallel
    model = make_restorer(discriminator=DISCRIMINATOR, r1_interval=1)
    dist.init_process_group('gloo', init_method=f"file://{tmp_path / 's'}",
                            rank=0, world_size=1)
    try:
        wrapped = MMSeparateDistributedDataParallel(
            model, device_ids=None, find_unused_parameters=True)
        wrapper = optim(wrapped.module, discriminator=True)
        log = wrapped.train_step(batch(), wrapper)
        samples = wrapped.val_step(batch())
    finally:
        dist.destroy_process_group()
    assert {'gen.loss_adv', 'gen.loss_vq', 'disc.loss_r1'} <= set(log)
    assert samples[0].pred_img.shape == (3, 32, 32)
    assert model.network is model.generator.module
