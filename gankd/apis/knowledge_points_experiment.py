"""The experiment config of ``gankd knowledge-points``, read and checked.

An experiment config (``configs/knowledge_points/kp_*.py``) holds:

* ``networks``: name -> ``dict(config=..., teacher=None, analyse=True,
  checkpoint_prefix='')``, in training order; ``config`` is a training
  config (relative to the experiment file, or ``gankd::``), ``teacher``
  an earlier network whose final weights of the same seed become this
  one's ``model.teacher_ckpt``.
* ``compare``: pairs ``(a, b)`` of analysed networks (S vs B).
* ``seeds``, ``epochs`` (the checkpoint list C), ``layers``.
* ``images``: SynthShapes fields plus ``num_candidates``.
* ``probe``: ``relu``, ``sigma_cfg``, ``points_cfg``, ``mask_cfg`` of
  ``KnowledgePointsProbe``; ``grid_images``.

Every problem is one line naming the field (:class:`ConfigError`), found
before anything trains: a diagnosed layer that the classifier lacks is
reported with close matches.
"""
import dataclasses
import difflib
import os
from typing import Dict, List, Optional, Tuple

from gankd.config import ConfigError, load_config, resolve_config_path

__all__ = ['Network', 'Experiment', 'load_experiment', 'classifier_config']


@dataclasses.dataclass
class Network:
    """One network of the experiment (trained once per seed)."""
    name: str
    config: str  # resolved path of its training config
    teacher: Optional[str] = None
    analyse: bool = True
    checkpoint_prefix: str = ''


@dataclasses.dataclass
class Experiment:
    path: str
    networks: Dict[str, Network]
    compare: List[Tuple[str, str]]
    seeds: List[int]
    epochs: List[int]
    layers: List[str]
    images: dict
    probe: dict
    grid_images: int = 8


def _resolve(path: str, folder: str) -> str:
    if '::' not in path and not os.path.isabs(path):
        path = os.path.normpath(os.path.join(folder, path))
    return resolve_config_path(path)


def classifier_config(cfg, prefix: str) -> dict:
    """The classifier inside a training config's model: the model itself,
    or for ``prefix='student.'`` its ``student`` (``cfg_path`` resolved),
    with the config's ``data_preprocessor``."""
    from gankd.models.distillers.single_teacher_distiller import \
        model_config
    model = cfg.model.to_dict()
    for part in [p for p in prefix.split('.') if p]:
        if part not in model:
            raise ConfigError(
                f'checkpoint_prefix {prefix!r}: the model of this config '
                f'has no {part!r}')
        model = model[part]
    model = model_config(model)
    if 'data_preprocessor' not in model and cfg.get('data_preprocessor'):
        model['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    return model


def _check_layers(name: str, cfg, prefix: str, layers: List[str]) -> None:
    import warnings

    from gankd.registry import MODELS, scope_config_types
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = MODELS.build(scope_config_types(
            classifier_config(cfg, prefix)))
    names = [n for n, _ in model.named_modules() if n]
    for layer in layers:
        if layer not in names:
            close = difflib.get_close_matches(layer, names, n=3)
            hint = (f"did you mean {', '.join(close)}?" if close else
                    'list them with model.named_modules().')
            raise ConfigError(f"layers: '{layer}' is not a module of "
                              f"network '{name}'; {hint}")


def _int_list(cfg, key: str, increasing: bool) -> List[int]:
    values = cfg.get(key)
    if not isinstance(values, (list, tuple)) or not values or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for v in values):
        raise ConfigError(f'{key}: a non-empty list of integers >= 0, got '
                          f'{values!r}')
    if increasing and any(b <= a for a, b in zip(values, values[1:])):
        raise ConfigError(f'{key}: must increase, got {list(values)}')
    return list(values)


def load_experiment(path: str, cfg_options: Optional[dict] = None,
                    check_layers: bool = True) -> Experiment:
    """Read and check an experiment config.

    Raises:
        ConfigError: one line naming the field and the fix.
    """
    cfg = load_config(path, cfg_options)
    folder = os.path.dirname(resolve_config_path(path))
    raw = cfg.get('networks')
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f'{path}: no networks (name -> dict(config=...));'
                          ' is this a knowledge-points experiment config?')
    networks: Dict[str, Network] = {}
    for name, spec in raw.items():
        known = {f.name for f in dataclasses.fields(Network)} - {'name'}
        unknown = set(spec) - known
        if unknown or 'config' not in spec:
            raise ConfigError(
                f'networks.{name}: fields are {sorted(known)} (config '
                f'required), got {sorted(spec)}')
        net = Network(name=name, **dict(spec))
        net.config = _resolve(net.config, folder)
        if net.teacher is not None and net.teacher not in networks:
            raise ConfigError(
                f'networks.{name}.teacher: {net.teacher!r} is not a network '
                f'listed before it ({sorted(networks) or "none"})')
        networks[name] = net
    seeds = _int_list(cfg, 'seeds', increasing=False)
    epochs = _int_list(cfg, 'epochs', increasing=True)
    layers = cfg.get('layers')
    if not isinstance(layers, (list, tuple)) or not layers or not all(
            isinstance(v, str) for v in layers):
        raise ConfigError(f'layers: a non-empty list of module paths, got '
                          f'{layers!r}')
    compare = [tuple(pair) for pair in cfg.get('compare', [])]
    for pair in compare:
        if len(pair) != 2 or any(n not in networks or not networks[n].analyse
                                 for n in pair):
            analysed = [n for n, net in networks.items() if net.analyse]
            raise ConfigError(f'compare: {list(pair)} must be two analysed '
                              f'networks of {analysed}')
    images = dict(cfg.get('images') or {})
    if not isinstance(images.get('num_candidates'), int) or \
            images['num_candidates'] < 1:
        raise ConfigError('images.num_candidates: a positive integer (how '
                          'many dataset images are candidates)')
    for net in networks.values():
        train_cfg = load_config(net.config)
        max_epochs = train_cfg.get('train_cfg', {}).get('max_epochs')
        if net.analyse and (max_epochs is None or epochs[-1] > max_epochs):
            raise ConfigError(
                f'epochs: {epochs[-1]} is after the last epoch '
                f'({max_epochs}) of network {net.name!r}; shorten the '
                'checkpoint list or train longer')
        if net.analyse and check_layers:
            _check_layers(net.name, train_cfg, net.checkpoint_prefix,
                          list(layers))
    return Experiment(path=path, networks=networks, compare=compare,
                      seeds=seeds, epochs=epochs, layers=list(layers),
                      images=images, probe=dict(cfg.get('probe') or {}),
                      grid_images=int(cfg.get('grid_images', 8)))
