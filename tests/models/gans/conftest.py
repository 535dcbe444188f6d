"""Toy GAN parts, a fresh MessageHub per test, and builders of a GAN with
its optimizers."""
import importlib.util
import os

import pytest
import torch
from mmengine.logging import MessageHub

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_toy():
    spec = importlib.util.spec_from_file_location(
        'gankd_test_toy_gan', os.path.join(HERE, 'toy_gan.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOY = _load_toy()


@pytest.fixture
def toy():
    """The toy_gan module (ToyGenerator, LinearDiscriminator, ...)."""
    return TOY


@pytest.fixture(autouse=True)
def fresh_message_hub(request):
    """A MessageHub without 'iter': the model counts its own calls, and a
    hub left by another test's Runner cannot leak its iteration in."""
    MessageHub.get_instance(f'gan-test-{request.node.nodeid}')
    yield


@pytest.fixture
def make_gan():
    """``make_gan(discriminator=..., lr=..., **gan_kwargs) -> (gan,
    optim_wrapper)`` with a ToyGenerator, SGD for both networks (so a step
    is ``p - lr * grad``, easy to reason about)."""
    from gankd.engine.optimizers import MultiOptimWrapperConstructor
    from gankd.models.gans import UnconditionalGAN

    def make(discriminator=None, generator=None, lr=0.1, seed=0, **kwargs):
        torch.manual_seed(seed)
        gan = UnconditionalGAN(
            generator=generator or dict(type=TOY.ToyGenerator),
            discriminator=discriminator or dict(type=TOY.LinearDiscriminator),
            **kwargs)
        gan.init_weights()
        optim = MultiOptimWrapperConstructor(dict(
            generator=dict(optimizer=dict(type='SGD', lr=lr)),
            discriminator=dict(optimizer=dict(type='SGD', lr=lr))))(gan)
        return gan, optim

    return make


def real_batch(n=4, resolution=4, seed=1):
    """A dataloader-style batch: uint8 BGR images, as SynthFaces gives."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, resolution, resolution),
                           generator=generator, dtype=torch.uint8)
    return dict(inputs=list(images))


@pytest.fixture
def batch():
    return real_batch
