"""What a cached teacher output depends on: the cache key of one sample
(its dataset index and the augmentation parameters its pipeline drew) and
the fingerprint of everything else (teacher weights, layers, pipeline,
dataset, preprocessing, dtype).

A row of the teacher cache may be served only when every part agrees, so
each part is explicit here and a pipeline whose random draws cannot be
keyed is refused by name rather than cached approximately.
"""
import hashlib
import json
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch

from gankd.errors import UserError

__all__ = ['TeacherCacheError', 'AugmentationKey', 'augmentation_key',
           'plain_json', 'state_dict_sha256', 'dataset_identity',
           'PIPELINE_FIELD']

PIPELINE_FIELD = 'train_dataloader.dataset.pipeline'

# Transforms that draw nothing at random (scope prefixes are ignored).
DETERMINISTIC = frozenset({
    'PackInputs', 'PackMultiTaskInputs', 'LoadImageFromFile', 'Resize',
    'ResizeEdge', 'CenterCrop', 'Pad', 'Normalize', 'ToTensor',
    'ImageToTensor', 'Transpose', 'ToNumpy', 'ToPIL'})

# Dataset fields that change how samples are produced or stored, not what
# they are: left out of the identity so that e.g. ``cache=True`` does not
# invalidate the teacher cache.
NOT_IDENTITY = frozenset({'pipeline', 'cache', 'lazy_init',
                          'serialize_data', 'max_refetch', 'test_mode'})


class TeacherCacheError(UserError):
    """The teacher cache cannot be used as configured (the message names
    the field, file or transform and the fix)."""


def plain_json(value: Any) -> Any:
    """``value`` as JSON-comparable data: dicts with string keys, lists for
    tuples, ``repr`` for anything JSON cannot hold (so a config compares
    equal to itself after a round trip through the manifest)."""
    if isinstance(value, dict) or hasattr(value, 'items'):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def state_dict_sha256(module) -> str:
    """sha256 over ``module.state_dict()``: names, dtypes, shapes and bytes
    in key order (buffers included: BN statistics change outputs too)."""
    digest = hashlib.sha256()
    for name, tensor in module.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f'{name}|{tensor.dtype}|{list(tensor.shape)}|'.encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().data)
    return digest.hexdigest()


def dataset_identity(dataset_cfg: dict, num_samples: int) -> dict:
    """The dataset part of the fingerprint: its config without the pipeline
    (a part of its own) and without storage-only fields, plus its length."""
    cfg = plain_json(dataset_cfg)
    identity = {k: v for k, v in cfg.items() if k not in NOT_IDENTITY}
    identity['length'] = int(num_samples)
    return identity


def _type_name(cfg) -> str:
    name = cfg.get('type', '?') if isinstance(cfg, dict) else \
        type(cfg).__name__
    return str(name).rpartition('.')[2]


class _FlipPart:
    """mmcv's ``RandomFlip``: variant 0 is no flip, ``1 + j`` a flip in
    ``directions[j]``; read back from the ``flip`` / ``flip_direction``
    meta fields that it sets and ``PackInputs`` keeps by default."""

    meta_keys = ('flip', 'flip_direction')

    def __init__(self, cfg: dict) -> None:
        direction = cfg.get('direction', 'horizontal')
        self.directions = [direction] if isinstance(direction, str) else \
            list(direction)
        self.count = 1 + len(self.directions)

    def index(self, meta: dict) -> int:
        if not meta['flip']:
            return 0
        return 1 + self.directions.index(meta['flip_direction'])

    def forced(self, cfg: dict, variant: int) -> dict:
        """``cfg`` made to always draw ``variant`` (for building the cache
        ahead of time)."""
        if variant == 0:
            return dict(cfg, prob=0.0, direction=self.directions[0])
        return dict(cfg, prob=1.0, direction=self.directions[variant - 1])

    def describe(self) -> dict:
        return dict(transform='RandomFlip', directions=self.directions)


def _never_random(cfg: dict) -> bool:
    prob = cfg.get('prob')
    return _type_name(cfg) == 'RandomFlip' and (
        prob == 0 or (isinstance(prob, (list, tuple)) and sum(prob) == 0))


class AugmentationKey:
    """Maps a data sample to its cache row.

    ``row = sample_idx * num_variants + variant``, where ``variant`` is the
    mixed-radix number of the parameters each random transform drew (read
    from the sample's metainfo). A deterministic pipeline has one variant,
    so rows are dataset indices.
    """

    def __init__(self, parts: Sequence = (), positions: Sequence[int] = ()):
        self.parts = list(parts)
        self.positions = list(positions)  # index of each part's transform
        self.num_variants = int(np.prod([p.count for p in self.parts]))

    def variant(self, meta: dict) -> int:
        """The variant of one sample from its metainfo.

        Raises:
            TeacherCacheError: a field the key needs is missing.
        """
        value = 0
        for part in self.parts:
            missing = [k for k in part.meta_keys if k not in meta]
            if missing:
                raise TeacherCacheError(
                    f"teacher_cache: the data samples lack {missing} (the "
                    f'augmentation parameters of the cache key); keep them '
                    f"in {PIPELINE_FIELD}'s PackInputs meta_keys.")
            value = value * part.count + part.index(meta)
        return value

    def rows(self, data_samples, num_samples: int) -> np.ndarray:
        """Cache rows ``[N]`` (int64) of a batch of data samples.

        Raises:
            TeacherCacheError: a sample has no ``sample_idx`` or one out of
                range of the dataset the cache was bound to.
        """
        rows = np.empty(len(data_samples), dtype=np.int64)
        for i, sample in enumerate(data_samples):
            meta = sample.metainfo
            index = meta.get('sample_idx')
            if index is None:
                raise TeacherCacheError(
                    "teacher_cache: a data sample has no 'sample_idx'; keep "
                    f"it in {PIPELINE_FIELD}'s PackInputs meta_keys.")
            if not 0 <= int(index) < num_samples:
                raise TeacherCacheError(
                    f'teacher_cache: sample_idx {index} is outside the '
                    f'{num_samples} samples the cache was bound to (the '
                    'train dataset); the cache serves the train split only.')
            rows[i] = int(index) * self.num_variants + self.variant(meta)
        return rows

    def forced_pipelines(self, pipeline: Sequence[dict]) -> List[list]:
        """One pipeline per variant, each drawing exactly that variant
        (index = variant), to fill every row ahead of time."""
        result = []
        for variant in range(self.num_variants):
            forced, rest = list(pipeline), variant
            for part, pos in reversed(list(zip(self.parts, self.positions))):
                rest, own = divmod(rest, part.count)
                forced[pos] = part.forced(dict(forced[pos]), own)
            result.append(forced)
        return result

    def describe(self) -> list:
        return [part.describe() for part in self.parts]


def augmentation_key(pipeline: Optional[Sequence],
                     deterministic: Sequence[str] = (),
                     field: str = PIPELINE_FIELD) -> AugmentationKey:
    """Check ``pipeline`` (a list of transform configs) and return its key.

    Args:
        pipeline: the train dataset's pipeline config.
        deterministic: extra transform type names the user declares free
            of randomness (``teacher_cache.deterministic_transforms``).
        field: where the pipeline is, for messages.

    Raises:
        TeacherCacheError: one line naming a transform that draws random
            parameters the data samples do not record, or a pipeline the
            key cannot read.
    """
    allowed = DETERMINISTIC | {str(t).rpartition('.')[2]
                               for t in deterministic}
    parts, positions = [], []
    pack_meta = None
    for i, cfg in enumerate(pipeline or []):
        name = _type_name(cfg)
        if not isinstance(cfg, dict):
            raise TeacherCacheError(
                f'teacher_cache: {field}[{i}] is a {name} object, not a '
                'config dict; the cache key needs transform configs.')
        if name in allowed or _never_random(cfg):
            if name == 'PackInputs':
                pack_meta = cfg.get('meta_keys')
            continue
        if name == 'RandomFlip':
            if parts:
                raise TeacherCacheError(
                    f'teacher_cache: {field}[{i}] is a second RandomFlip; '
                    'the samples record only the last flip, so the cache '
                    'key would be ambiguous. Keep one RandomFlip.')
            parts.append(_FlipPart(cfg))
            positions.append(i)
            continue
        raise TeacherCacheError(
            f'teacher_cache: {field}[{i}] {cfg.get("type")} draws random '
            'parameters the data samples do not record, so cached teacher '
            'outputs could not be matched to the augmented image; remove '
            'it, or drop model.teacher_cache (if it is in fact '
            "deterministic, list it in model.teacher_cache."
            'deterministic_transforms).')
    if pack_meta is not None:
        needed = ['sample_idx'] + [k for p in parts for k in p.meta_keys]
        missing = [k for k in needed if k not in pack_meta]
        if missing:
            raise TeacherCacheError(
                f"teacher_cache: {field}'s PackInputs meta_keys lack "
                f'{missing}, which the cache key reads; add them.')
    return AugmentationKey(parts, positions)


def key_digest(key: Dict[str, Any]) -> str:
    """Short sha256 of a key dict (for log lines)."""
    text = json.dumps(key, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
