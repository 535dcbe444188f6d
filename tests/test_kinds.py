"""Kinds: typed builds check the kind; frozen parts stay frozen."""
import pytest
import torch
from torch import nn

from gankd.kinds import (BaseAssistant, BaseDistiller, BaseGenerator,
                         KindMismatchError, build_distiller, build_generator,
                         build_inverter, build_kind, build_probe, kind_of)
from gankd.registry import MODELS


class ToyGenerator(BaseGenerator):
    z_dim = 4

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 12)

    def forward(self, z):
        return dict(image=torch.tanh(self.fc(z)).view(-1, 3, 2, 2))


class ToyDistiller(BaseDistiller):

    def __init__(self, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.teacher = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4),
                                     nn.Dropout(0.5))
        self.student = nn.Conv2d(3, 4, 3)
        self.freeze('teacher')


def test_kind_of_classes_and_instances():
    assert kind_of(ToyGenerator) == 'generator'
    assert kind_of(ToyDistiller()) == 'distiller'
    assert kind_of(nn.Linear) is None


def test_typed_build_returns_the_kind(temp_register):
    temp_register(MODELS, ToyGenerator)
    generator = build_generator(dict(type='ToyGenerator'))
    assert isinstance(generator, ToyGenerator)
    assert generator.sample_z(5).shape == (5, 4)


def test_wrong_kind_names_both_before_building(temp_register, monkeypatch):
    temp_register(MODELS, ToyGenerator)
    built = []
    monkeypatch.setattr(ToyGenerator, '__init__',
                        lambda self: built.append(1))
    with pytest.raises(KindMismatchError) as info:
        build_distiller(dict(type='ToyGenerator'))
    message = str(info.value)
    assert 'expected a distiller (BaseDistiller)' in message
    assert "'ToyGenerator' is a generator (BaseGenerator)" in message
    assert built == []  # checked before construction


def test_wrong_kind_message_uses_an_before_a_vowel(temp_register):
    class ToyAssistant(BaseAssistant):
        pass

    temp_register(MODELS, ToyGenerator)
    temp_register(MODELS, ToyAssistant)
    with pytest.raises(KindMismatchError) as info:
        build_inverter(dict(type='ToyGenerator'))
    assert str(info.value) == (
        "expected an inverter (BaseInverter), but 'ToyGenerator' is a "
        'generator (BaseGenerator). Use a BaseInverter subclass here.')
    with pytest.raises(KindMismatchError) as info:
        build_probe(dict(type='ToyAssistant'))
    assert str(info.value).startswith(
        "expected a probe (BaseProbe), but 'ToyAssistant' is an assistant "
        '(BaseAssistant).')


def test_foreign_component_is_not_a_kind():
    with pytest.raises(KindMismatchError, match='not a gankd kind'):
        build_kind(dict(type='mmpretrain.ImageClassifier'), 'restorer')


def test_unknown_kind_name():
    with pytest.raises(KeyError, match='kinds: distiller'):
        build_kind(dict(type='X'), 'teacher')


def test_frozen_part_stays_eval_and_without_grad():
    model = ToyDistiller()
    model.train()
    assert model.training and model.student.training
    assert not model.teacher.training
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())
    # Eval mode is observable: dropout is off, BN uses running stats.
    x = torch.randn(2, 3, 5, 5)
    assert torch.equal(model.teacher(x), model.teacher(x))


def test_init_weights_does_not_reinitialise_frozen_parts():
    model = ToyDistiller(init_cfg=dict(type='Constant', layer='Conv2d',
                                       val=0.5))
    teacher_before = model.teacher[0].weight.clone()
    model.init_weights()
    assert torch.equal(model.teacher[0].weight, teacher_before)
    # The same init_cfg did reach the student.
    assert torch.all(model.student.weight == 0.5)


def test_mode_dispatch():
    model = ToyDistiller()
    model.loss = lambda inputs, samples: {'loss': inputs.sum()}
    assert model(torch.ones(2), mode='loss')['loss'].item() == 2
    with pytest.raises(ValueError, match="got 'train'"):
        model(torch.ones(2), mode='train')


class ToyWGenerator(BaseGenerator):
    """Genforce's truncation over a stored w_avg, 3 layers of w_dim 4."""
    z_dim, w_dim, num_layers = 4, 4, 3
    latent_spaces = ('z', 'w', 'wp')

    def __init__(self):
        super().__init__()
        self.register_buffer('w_avg', torch.randn(4))

    def truncate(self, codes, truncation_psi=None, truncation_layers=None):
        wp = codes if codes.dim() == 3 else codes[:, None].repeat(1, 3, 1)
        psi = torch.ones(3, 1)
        psi[:truncation_layers] = truncation_psi
        return self.w_avg + psi * (wp - self.w_avg)


def test_generator_mean_wp_and_device():
    # psi 0 on every layer gives the stored w_avg on each, whatever code
    # goes in; a generator without w says so.
    generator = ToyWGenerator()
    mean = generator.mean_wp(2)
    assert torch.equal(mean, generator.w_avg.expand(2, 3, 4))
    assert not mean.requires_grad
    assert generator.device == torch.device('cpu')
    with pytest.raises(ValueError, match='no w space'):
        ToyGenerator().mean_wp()
