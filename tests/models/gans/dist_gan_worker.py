"""Run by torchrun from test_unconditional_gan_dist.py (not a test module).

Each rank trains the same toy GAN, wrapped as the Runner wraps it
(MMSeparateDistributedDataParallel, gloo, device_ids=None), on its own data
and latents, with lazy R1, path length and style mixing all active; a
control copy trains unwrapped on the same data. Writes rank<r>.pth with both
state dicts.
"""
import importlib.util
import os
import sys

import torch
import torch.distributed as dist
from mmengine.logging import MessageHub
from mmengine.model import MMSeparateDistributedDataParallel

from gankd.engine.optimizers import MultiOptimWrapperConstructor
from gankd.models.gans import UnconditionalGAN

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('toy_gan',
                                              os.path.join(HERE, 'toy_gan.py'))
toy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(toy)


def build(rank):
    """Same weights on every rank; its own step seed per rank (as the
    Runner's diff_rank_seed gives), so ranks draw different latents."""
    models = []
    for seed in (0, 100 + rank):
        torch.manual_seed(seed)
        models.append(UnconditionalGAN(
            generator=dict(type=toy.ToyGenerator),
            discriminator=dict(type=toy.MLPDiscriminator),
            r1_interval=2, pl_weight=1.0, pl_interval=2,
            style_mixing_prob=0.5, ema_half_life_kimg=0.01))
    template, gan = models
    template.init_weights()
    gan.load_state_dict(template.state_dict())
    return gan


def optimizers(model):
    return MultiOptimWrapperConstructor(dict(
        generator=dict(optimizer=dict(type='Adam', lr=0.01)),
        discriminator=dict(optimizer=dict(type='Adam', lr=0.01))))(model)


def batch(seed, n=4):
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=list(torch.randint(0, 256, (n, 3, 4, 4), generator=g,
                                          dtype=torch.uint8)))


def main(out_dir):
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    wrapped = MMSeparateDistributedDataParallel(build(rank), device_ids=None)
    control = build(rank)
    wrapped_optim, control_optim = optimizers(wrapped), optimizers(control)
    hub = MessageHub.get_instance('dist-gan-test')
    for iteration in range(4):
        hub.update_info('iter', iteration)
        for model, optim in ((wrapped, wrapped_optim),
                             (control, control_optim)):
            model.train_step(batch(100 * rank + iteration), optim)
    samples = wrapped.val_step(batch(7))
    torch.save(dict(wrapped=wrapped.module.state_dict(),
                    control=control.state_dict(),
                    fake=torch.stack([s.fake_img for s in samples])),
               os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1])
