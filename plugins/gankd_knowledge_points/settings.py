"""The probe's settings as dataclasses, defaults those of the official code
(spec §3), built from config dicts with one clear line per bad field."""
import dataclasses
import difflib
from typing import Optional, Tuple, Union

from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['SigmaConfig', 'PointsConfig', 'MaskConfig', 'build_settings',
           'SNAPSHOT_RULES', 'BASELINE_MODES', 'DOWNSAMPLE_MODES']

SNAPSHOT_RULES = ('closest_to_target', 'last', 'min_loss')
BASELINE_MODES = ('dataset_per_checkpoint', 'per_image')
DOWNSAMPLE_MODES = ('nearest', 'any', 'majority')
OPTIMIZERS = ('SGD', 'Adam')


@dataclasses.dataclass(frozen=True)
class SigmaConfig:
    """How sigma is learned for one (network, checkpoint, image, layer).

    Attributes:
        grid: sigma is ``[grid, grid]``, upsampled (nearest) to the input
            size; None learns one sigma per pixel.
        share_channels: one sigma for all input channels (code) or one per
            channel.
        sigma0: noise scale of the normaliser ``s_f^2``.
        init: initial sigma.
        clamp: sigma is clamped in place to this range before every
            forward.
        optimizer, lr: ``'SGD'`` (code; plain, no momentum) or ``'Adam'``.
        iterations: optimisation steps, each with fresh noise.
        noise_batch: noise samples per image and step (K).
        lambda_h: weight of the mean entropy (6 ResNets, 7 VGG/AlexNet).
        target_entropy: H*, the mean entropy the snapshot rule aims at.
        escalation_iter: at this iteration (after its update) an image whose
            highest mean entropy so far exceeds H* stops, the others go on
            with ``lambda_h * escalation_factor``; None: never.
        escalation_factor: see ``escalation_iter``.
        snapshot: which recorded iterate is returned: ``closest_to_target``
            (code), ``last`` or ``min_loss``.
        seed: noise seed; image i's noise comes from its own stream fixed by
            ``(seed, index of i)``, so batching does not change it.
        images_per_batch: images optimised together (one forward of
            ``images_per_batch * noise_batch`` inputs).
    """
    grid: Optional[int] = 16
    share_channels: bool = True
    sigma0: float = 0.01
    init: float = 0.01
    clamp: Tuple[float, float] = (0.001, 1.0)
    optimizer: str = 'SGD'
    lr: float = 1e-4
    iterations: int = 80
    noise_batch: int = 96
    lambda_h: float = 6.0
    target_entropy: float = -2.8
    escalation_iter: Optional[int] = 59
    escalation_factor: float = 1.5
    snapshot: str = 'closest_to_target'
    seed: int = 0
    images_per_batch: int = 8

    def check(self) -> None:
        _positive_int(self, 'iterations', 'noise_batch', 'images_per_batch')
        if self.grid is not None:
            _positive_int(self, 'grid')
        low, high = self.clamp
        if not 0 < low < high:
            _fail('clamp', self.clamp, 'two numbers 0 < low < high')
        for name in ('sigma0', 'init', 'lr', 'escalation_factor'):
            if not getattr(self, name) > 0:
                _fail(name, getattr(self, name), 'a positive number')
        _choice(self, 'snapshot', SNAPSHOT_RULES)
        _choice(self, 'optimizer', OPTIMIZERS)
        if self.escalation_iter is not None and not (
                0 <= self.escalation_iter < self.iterations):
            _fail('escalation_iter', self.escalation_iter,
                  f'None or an iteration in 0..{self.iterations - 1}')


@dataclasses.dataclass(frozen=True)
class PointsConfig:
    """Knowledge points and the metrics over images and checkpoints.

    Attributes:
        threshold: b; unit i is a point iff ``H_bar - H_i > b`` (strict).
        baseline: ``dataset_per_checkpoint`` (code: per checkpoint, the mean
            over images of each image's mean background entropy) or
            ``per_image`` (each image's own mean background entropy).
        filter_min_epoch: an image whose mean background entropy is below
            its mean foreground entropy at a checkpoint of this epoch or
            later is dropped (code: 40); None: no such filter.
        drop_zero_sf: drop images with ``s_f^2 = 0`` at some checkpoint.
        max_images: keep the first this many valid images (code: 50);
            None: all.
        d_include_empty: images without any foreground point count in
            D_mean/D_var with ``m_hat`` = first checkpoint (code); default
            off: they are left out.
        d_skip_initial: leave checkpoint 0 out of ``m_hat`` (code, ResNets),
            indexing the remaining checkpoints correctly.
        table_checkpoint: the checkpoint (epoch) whose N_fg, N_bg and lambda
            make the quantity table; ``'last'`` (spec's proposal).
    """
    threshold: float = 0.2
    baseline: str = 'dataset_per_checkpoint'
    filter_min_epoch: Optional[int] = 40
    drop_zero_sf: bool = True
    max_images: Optional[int] = 50
    d_include_empty: bool = False
    d_skip_initial: bool = False
    table_checkpoint: Union[str, int] = 'last'

    def check(self) -> None:
        _choice(self, 'baseline', BASELINE_MODES)
        if self.max_images is not None:
            _positive_int(self, 'max_images')
        if self.table_checkpoint != 'last' and not isinstance(
                self.table_checkpoint, int):
            _fail('table_checkpoint', self.table_checkpoint,
                  "'last' or an epoch of the checkpoint list")


@dataclasses.dataclass(frozen=True)
class MaskConfig:
    """Foreground on the sigma grid (spec §2.3).

    Attributes:
        source: ``'dataset'`` (masks given with the images; foreground =
            mask > 0) or ``'central_box'`` (rows and columns
            ``int(G/6)..int(5G/6)`` inclusive, bbox-cropped images).
        pad_factor: zero-pad each mask to this multiple of its size,
            centred, before resizing (VOC: 1.2, crops enlarged by 1.2).
        downsample: ``'nearest'`` (code), ``'any'`` (a cell is foreground
            if any of its pixels is) or ``'majority'`` (more than half).
    """
    source: str = 'dataset'
    pad_factor: float = 1.0
    downsample: str = 'nearest'

    def check(self) -> None:
        _choice(self, 'source', ('dataset', 'central_box'))
        _choice(self, 'downsample', DOWNSAMPLE_MODES)
        if not self.pad_factor >= 1.0:
            _fail('pad_factor', self.pad_factor, 'a number >= 1')


def build_settings(cls, cfg, field: str):
    """``cls(**cfg)`` checked; ``cfg`` may already be a ``cls``.

    Raises:
        KnowledgePointsError: an unknown key (with close matches) or a bad
            value, naming ``field.key``.
    """
    if isinstance(cfg, cls):
        cfg.check()
        return cfg
    cfg = dict(cfg or {})
    names = [f.name for f in dataclasses.fields(cls)]
    for key in cfg:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=3)
            hint = (f"; did you mean {', '.join(close)}?" if close else
                    f"; fields: {', '.join(names)}")
            raise KnowledgePointsError(f'{field}: unknown field {key!r}{hint}')
    if 'clamp' in cfg:
        cfg['clamp'] = tuple(cfg['clamp'])
    settings = cls(**cfg)
    try:
        settings.check()
    except KnowledgePointsError as error:
        raise KnowledgePointsError(f'{field}.{error}') from None
    return settings


def _fail(name, value, expected):
    raise KnowledgePointsError(f'{name} must be {expected}, got {value!r}')


def _positive_int(obj, *names):
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, int) or isinstance(value, bool) \
                or value < 1:
            _fail(name, value, 'a positive integer')


def _choice(obj, name, choices):
    if getattr(obj, name) not in choices:
        _fail(name, getattr(obj, name), f"one of {', '.join(choices)}")
