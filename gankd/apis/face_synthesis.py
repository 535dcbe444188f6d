"""Library side of ``gankd synthesize``: load an identity-conditioned face
generator (FaceFeat-GAN) from a training checkpoint, and draw new faces of
one person and attribute sweeps.

The generator is reached through the registry and its inference API
(``sample(identity, num, seed)``, ``render(identity, features)``,
``extract(images)``, ``feature_names``, ``resolution``): nothing here
imports a plugin.
"""
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from gankd.errors import UserError

__all__ = ['SynthesizeError', 'load_face_generator', 'identity_samples',
           'attribute_sweep', 'parse_sweep', 'list_identity_inputs']


class SynthesizeError(UserError):
    """Options or a checkpoint the synthesize command cannot use."""


def _without_checkpoints(node):
    """The frozen parts' ``checkpoint`` fields set to None: their trained
    weights are in the FaceFeat-GAN checkpoint, which is loaded strictly."""
    if isinstance(node, dict):
        node = {k: _without_checkpoints(v) for k, v in node.items()}
        if 'config' in node and 'checkpoint' in node:
            node['checkpoint'] = None
        return node
    if isinstance(node, (list, tuple)):
        return type(node)(_without_checkpoints(v) for v in node)
    return node


def load_face_generator(config: str, checkpoint: str, use_ema: bool = True,
                        cfg_options=None, device: str = 'cpu'):
    """The generator of a FaceFeat-GAN training config, with the weights
    of ``checkpoint`` (``generator_ema.module.*`` with ``use_ema``, else
    ``generator.*``; every weight must be there with its shape).

    Raises:
        SynthesizeError: the config's model has no generator with the
            inference API; CheckpointError: the file is missing or does not
            fit.
    """
    from gankd.config import load_config
    from gankd.models.predictors.frozen_classifier import \
        load_state_dict_strict
    from gankd.registry import MODELS, scope_config_types
    from gankd.utils.checkpoint import (load_training_checkpoint,
                                        require_checkpoint)
    cfg = load_config(config, cfg_options)
    part = cfg.model.get('generator')
    if part is None:
        raise SynthesizeError(f'{config}: the model has no generator')
    require_checkpoint(checkpoint, 'the FaceFeat-GAN checkpoint', config)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', '.* without checkpoint')
        generator = MODELS.build(scope_config_types(
            _without_checkpoints(part.to_dict())))
    for method in ('sample', 'render', 'extract'):
        if not callable(getattr(generator, method, None)):
            raise SynthesizeError(
                f'{config}: {type(generator).__name__} has no {method}(); '
                'synthesize needs an identity-conditioned face generator '
                '(e.g. FaceFeatGenerator)')
    state = load_training_checkpoint(checkpoint)
    state = state.get('state_dict', state)
    prefix = 'generator_ema.module.' if use_ema else 'generator.'
    own = {k[len(prefix):]: v for k, v in state.items()
           if k.startswith(prefix)}
    load_state_dict_strict(
        generator, checkpoint, own,
        what=f'{type(generator).__name__} of {config} ({prefix[:-1]})',
        hint='give a checkpoint of a training run of this config')
    return generator.to(device).eval()


def identity_samples(generator, identity, num: int, seed: int) -> Tensor:
    """``[num, 3, R, R]``: new faces of one identity (row ``i`` from
    ``z`` seeded with ``seed + i``)."""
    return generator.sample(identity, num, seed)['image']


def parse_sweep(spec: str, names: Sequence[str]) -> Tuple[str, float, float]:
    """``'NAME'`` or ``'NAME:LO:HI'`` -> ``(name, lo, hi)`` (default -1, 1).

    Raises:
        SynthesizeError: an unknown feature or malformed bounds.
    """
    fields = spec.split(':')
    if fields[0] not in names or len(fields) not in (1, 3):
        raise SynthesizeError(f'--sweep {spec}: give NAME or NAME:LO:HI '
                              f"with NAME one of {', '.join(names)}")
    try:
        lo, hi = (float(fields[1]), float(fields[2])) if len(fields) == 3 \
            else (-1.0, 1.0)
    except ValueError:
        raise SynthesizeError(f'--sweep {spec}: LO and HI must be numbers')
    return fields[0], lo, hi


@torch.no_grad()
def attribute_sweep(generator, identity, feature: str, values: Sequence[float],
                    rows: int, seed: int) -> Tensor:
    """``[rows * len(values), 3, R, R]``, row-major: row ``r`` is sample
    ``seed + r`` of the identity with every value of ``feature`` set to
    ``values[j]`` in column ``j`` (all its dimensions), every other
    feature fixed at the sample's."""
    base: Dict[str, Tensor] = generator.sample(identity, rows,
                                               seed)['features']
    steps = len(values)
    features = {k: v.repeat_interleave(steps, dim=0)
                for k, v in base.items()}
    column = torch.tensor([float(v) for v in values],
                          device=features[feature].device).repeat(rows)
    features[feature] = column[:, None].expand_as(features[feature]).clone()
    return generator.render(identity, features)


def list_identity_inputs(images: Sequence[str],
                         identities: Optional[Sequence[str]]) -> List[dict]:
    """``[dict(name, image | index)]``: image files (or folders / .txt
    lists) and identity indices, in that order. Indices that are not
    integers are kept (as ``raw``) and reported when used."""
    import os

    from gankd.apis.invert_inputs import list_inputs
    items = [dict(name=os.path.splitext(os.path.basename(p))[0], image=p)
             for p in (list_inputs(images) if images else [])]
    for raw in identities or ():
        items.append(dict(name=f'id{raw}', index=raw))
    return items
