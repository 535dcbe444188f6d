"""Conditional PGGAN checkpoints (label_size > 0) are refused in one line,
not read as unconditional generators with a wider z.

A conditional generator's layer0 reads ``[z, one-hot label]``: its weights
have exactly the shapes of an unconditional generator whose z is
``label_size`` wider, so the files below are built that way.
"""
import pytest
import torch

from gankd.utils.converters import ConversionError, convert_checkpoint
from gankd_pggan.pggan_discriminator import PGGANDiscriminator
from gankd_pggan.pggan_generator import PGGANGenerator

Z, LABELS = 8, 3
ARCH = dict(fmaps_base=64, fmaps_max=16)


def generator_state(label_size):
    torch.manual_seed(0)
    return PGGANGenerator(8, z_space_dim=Z + label_size, **ARCH).state_dict()


def zoo_container(label_size):
    """genforce's zoo layout; the discriminator's last dense layer
    (``layer4`` at 8x8) scores realness and, when conditional, the
    ``label_size`` labels."""
    generator = generator_state(label_size)
    discriminator = PGGANDiscriminator(8, **ARCH).state_dict()
    assert discriminator['layer4.weight'].shape == (1, 16)  # the score
    discriminator['layer4.weight'] = torch.randn(1 + label_size, 16)
    discriminator['layer4.bias'] = torch.randn(1 + label_size)
    return dict(generator=generator, discriminator=discriminator,
                generator_smooth=generator)


def refusal(path, source):
    return (f'{path} (genforce-pggan): conditional PGGAN (label_size='
            f'{LABELS}, from {source}) is not supported: gankd generators '
            'take no labels, and reading it as unconditional would take the '
            'labels for extra z inputs')


def test_zoo_container_of_a_conditional_pggan_is_refused(tmp_path, capsys,
                                                        monkeypatch):
    from gankd.apis.convert import main
    monkeypatch.delenv('GANKD_DEBUG', raising=False)
    path = tmp_path / 'pggan_conditional.pth'
    torch.save(zoo_container(LABELS), path)
    with pytest.raises(ConversionError) as info:
        convert_checkpoint(str(path))
    message = refusal(path, "the discriminator's 4 outputs")
    assert str(info.value) == message
    with pytest.raises(SystemExit) as exit_info:  # the tool: one line
        main([str(path), str(tmp_path / 'out.pth')])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f'error: {message}\n'
    assert not (tmp_path / 'out.pth').exists()


def test_unconditional_zoo_container_still_converts(tmp_path):
    path = tmp_path / 'pggan.pth'
    container = zoo_container(0)
    torch.save(container, path)
    state = convert_checkpoint(str(path))
    assert state.keys() == container['generator_smooth'].keys()
    assert all(torch.equal(state[k], v)
               for k, v in container['generator_smooth'].items())


@pytest.mark.parametrize('kwargs, source', [
    (dict(z_space_dim=Z, label_size=LABELS), "the checkpoint's kwargs"),
    (dict(z_space_dim=Z), f"layer0's input width {Z + LABELS} > kwargs "
     f'z_space_dim {Z}'),
])
def test_kwargs_say_conditional(tmp_path, kwargs, source):
    """Files that carry the constructor kwargs (as genforce's fixtures):
    the label size, or a layer0 wider than the given z."""
    path = tmp_path / 'pggan.pth'
    torch.save(dict(state_dict=generator_state(LABELS),
                    kwargs=dict(resolution=8, **ARCH, **kwargs)), path)
    with pytest.raises(ConversionError) as info:
        convert_checkpoint(str(path), 'genforce-pggan')
    assert str(info.value) == refusal(path, source)
