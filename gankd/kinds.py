"""The six plugin kinds, as base classes whose docstrings are the contract.

A component's kind is its base class; all kinds live in the one
``gankd.registry.MODELS``. :func:`build_kind` (and ``build_distiller``, ...)
build a config and check the kind before constructing anything, so a
generator given where a distiller is expected fails naming both.

Frozen parts (a teacher, a pretrained generator, an attribute predictor) are
declared with :meth:`FrozenPartsMixin.freeze`: their parameters stop
requiring grad and they stay in eval mode when ``train()`` is called.
"""
import hashlib
import itertools
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModel, BaseModule
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.registry import MODELS, resolve_type, scope_config_types

__all__ = [
    'FrozenPartsMixin', 'ModeDispatchMixin', 'BaseDistiller', 'BaseAssistant',
    'BaseGenerator', 'NOISE_MODES', 'UnknownLayerError', 'BaseInverter',
    'InverterInfoError',
    'BaseProbe', 'BaseRestorer', 'RestorerInputError', 'KINDS',
    'KindMismatchError',
    'kind_of', 'build_kind', 'build_distiller', 'build_assistant',
    'build_generator', 'build_inverter', 'build_probe', 'build_restorer'
]


class FrozenPartsMixin:
    """Keeps named submodules frozen: no grad, eval mode under ``train()``."""

    def freeze(self, *names: str) -> None:
        """Freeze the submodules called ``names`` (attributes of ``self``)."""
        frozen = set(getattr(self, '_frozen_parts', ()))
        for name in names:
            module = getattr(self, name)
            module.requires_grad_(False)
            module.eval()
            frozen.add(name)
        self._frozen_parts = tuple(sorted(frozen))

    def train(self, mode: bool = True):
        super().train(mode)
        for name in getattr(self, '_frozen_parts', ()):
            getattr(self, name).eval()
        return self

    def init_weights(self) -> None:
        # A parent's init_cfg (e.g. Kaiming on every Conv2d) would otherwise
        # reach the pretrained frozen parts too: restore them afterwards.
        saved = {
            name: {k: v.clone()
                   for k, v in getattr(self, name).state_dict().items()}
            for name in getattr(self, '_frozen_parts', ())
        }
        super().init_weights()
        for name, state in saved.items():
            getattr(self, name).load_state_dict(state)


class ModeDispatchMixin:
    """mmengine's ``forward(inputs, data_samples, mode)`` contract, dispatched
    to ``loss``, ``predict`` and ``_forward`` (mode ``'tensor'``)."""

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', "
                         f"got '{mode}'")

    def loss(self, inputs, data_samples) -> dict:
        raise NotImplementedError

    def predict(self, inputs, data_samples=None) -> list:
        raise NotImplementedError

    def _forward(self, inputs, data_samples=None):
        raise NotImplementedError


class BaseDistiller(FrozenPartsMixin, ModeDispatchMixin, BaseModel):
    """Distils a frozen teacher into a student (mmengine ``BaseModel``).

    Holds ``self.teacher`` (frozen: loaded through gankd's safe loader, eval
    mode even under ``train()``, run under ``torch.inference_mode``, never
    re-initialised), ``self.student`` and optional assistants.

    * ``loss(inputs, data_samples) -> dict``: inputs ``[N, C, H, W]`` after the
      data preprocessor; returns named losses, keys that backprop containing
      ``loss`` and prefixed by role (``distill.``, ``student.``).
    * ``predict(inputs, data_samples) -> list[DataSample]``: runs only the
      deployable network (student, plus assistant where the method deploys
      one) and fills ``pred_score``/``pred_label`` as mmpretrain does.
    * ``deployable() -> nn.Module``: the network that is evaluated; its
      ``export() -> (nn.Module, config)`` form is what export writes as a
      plain mmpretrain checkpoint (identical outputs, training-only parts
      folded away).
    """

    def deployable(self) -> nn.Module:
        raise NotImplementedError


class BaseAssistant(BaseModule):
    """Learns what the student misses: the teacher - student residual.

    ``forward(x) -> Tensor``: given the input images ``[N, C, H, W]`` (or the
    shared features a method passes), returns the residual estimate with the
    same shape as the student output it corrects (features ``[N, C_T, h, w]``
    or logits ``[N, K]``). Inference adds it to the student's output.
    """


#: Noise modes of style-based generators (see :class:`BaseGenerator`).
NOISE_MODES = ('const', 'random', 'none')


class UnknownLayerError(UserError, KeyError):
    """A layer name a generator does not have (``layer_names()`` lists
    them); a KeyError and a ValueError, whichever a caller expects."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BaseGenerator(BaseModule):
    """Latent codes to images in ``[-1, 1]``, with its spaces and layers.

    Attributes (set by subclasses):
        z_dim (int): size of the input latent ``z``.
        w_dim (int | None): size of the intermediate latent, None if absent.
        num_layers (int): number of per-layer codes in ``wp`` (1 without w).
        resolution (int): output side ``H = W``.
        latent_spaces (tuple[str]): among ``'z'``, ``'w'``, ``'wp'``; the
            first is the input space (PGGAN: ``('z',)``).

    Codes by space: ``z`` ``[N, z_dim]``; ``w`` ``[N, w_dim]``; ``wp``
    ``[N, num_layers, w_dim]`` (one code per synthesis layer).

    Noise modes (style-based generators; others ignore the argument):
    ``'const'`` the stored per-layer noise buffers (genforce's
    ``randomize_noise=False``, NVIDIA's "const"), ``'random'`` fresh normal
    noise per call (training), ``'none'`` no noise.

    Methods:
        ``sample_z(n, generator=None) -> [n, z_dim]`` standard normal codes.
        ``mapping(z, truncation_psi=None, truncation_layers=None) -> dict``
            with ``w`` ``[N, w_dim]`` and ``wp`` ``[N, num_layers, w_dim]``
            (truncated as genforce does: ``w_avg + psi * (wp - w_avg)`` on
            layers ``< truncation_layers``). Generators without w return
            ``dict(w=None, wp=None)``.
        ``mean_wp(n=1) -> [n, L, w_dim]`` the average w on every layer
            (``truncate`` with psi 0), without gradient: where inversions
            and encoders start. ``device``: where the weights are.
        ``identity() -> dict`` plain data naming this generator: class,
            resolution and a sha256 of its weights (codes files record it).
        ``truncate(codes, truncation_psi=None, truncation_layers=None)
            -> [N, L, w_dim]``: w ``[N, w_dim]`` or wp codes to wp,
            truncated as ``mapping`` does; edits of w or wp therefore keep
            the truncation of the images they edit. Generators without w
            raise ValueError.
        ``synthesize(codes, space='wp', noise_mode='const') -> [N, 3, H, W]``;
            ``space='z'`` maps first (no truncation), ``'w'`` repeats w.
        ``forward(z, truncation_psi=None, truncation_layers=None,
            noise_mode='const') -> dict`` with ``image`` and, where they
            exist, ``w`` and ``wp``.
        ``layer_names() -> list[str]`` synthesis layers in order, as module
            paths of the generator (``'synthesis.layer3'``).
        ``forward_to(codes, layer, space='wp', noise_mode='const') -> dict``
            the state after ``layer``: ``feature`` (that layer's output, the
            next layer's input, ``[N, C, h, w]``) plus, for generators that
            carry more state (StyleGAN2's running skip image), further
            tensors under their own keys.
        ``forward_from(state, codes, layer, space='wp', noise_mode='const')
            -> [N, 3, H, W]`` continues from that state;
            ``forward_from(forward_to(c, l), c, l)`` equals ``synthesize(c)``.
    Official checkpoints load through converters
    (``gankd_checkpoint_converters``).
    """

    latent_spaces = ('z', )
    w_dim = None
    num_layers = 1

    def sample_z(self, n: int, generator: Optional[torch.Generator] = None):
        return torch.randn(n, self.z_dim, generator=generator)

    def mapping(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None) -> Dict[str, Tensor]:
        return dict(w=None, wp=None)

    def truncate(self, codes: Tensor, truncation_psi: Optional[float] = None,
                 truncation_layers: Optional[int] = None) -> Tensor:
        raise ValueError(f'{type(self).__name__} has no w space to truncate '
                         f"(latent spaces: {', '.join(self.latent_spaces)})")

    @property
    def device(self) -> torch.device:
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            return tensor.device
        return torch.device('cpu')

    @torch.no_grad()
    def mean_wp(self, n: int = 1) -> Tensor:
        # truncating any code fully gives w_avg on every layer, read without
        # knowing where a generator keeps it
        zeros = torch.zeros(1, self.w_dim or 0, device=self.device)
        wp = self.truncate(zeros, 0.0, self.num_layers)
        return wp.expand(n, -1, -1).clone()

    @torch.no_grad()
    def identity(self) -> dict:
        """``dict(type, resolution, sha256)``: the class, the output size
        and a hash over every weight and buffer (names, shapes, bytes on
        the CPU), so codes are only ever decoded by the generator that
        made them."""
        digest = hashlib.sha256()
        for name, tensor in sorted(self.state_dict().items()):
            digest.update(f'{name}{tuple(tensor.shape)}{tensor.dtype}'
                          .encode())
            digest.update(tensor.detach().cpu().contiguous().view(-1).view(
                torch.uint8).numpy().tobytes())
        return dict(type=type(self).__name__,
                    resolution=int(self.resolution),
                    sha256=digest.hexdigest())

    def layer_names(self) -> List[str]:
        raise NotImplementedError

    def layer_index(self, layer: str) -> int:
        """Position of ``layer`` in :meth:`layer_names`; an unknown name
        raises :class:`UnknownLayerError` listing the layers."""
        names = self.layer_names()
        if layer not in names:
            raise UnknownLayerError(
                f"unknown layer '{layer}' of {type(self).__name__}; layers: "
                f"{', '.join(names)}")
        return names.index(layer)

    @staticmethod
    def check_noise_mode(noise_mode: str) -> None:
        """Raise ValueError unless ``noise_mode`` is one of NOISE_MODES."""
        if noise_mode not in NOISE_MODES:
            raise ValueError(f'noise_mode must be one of {NOISE_MODES}, got '
                             f"'{noise_mode}'")

    def synthesize(self, codes: Tensor, space: str = 'wp',
                   noise_mode: str = 'const') -> Tensor:
        raise NotImplementedError

    def forward_to(self, codes: Tensor, layer: str, space: str = 'wp',
                   noise_mode: str = 'const') -> Dict[str, Tensor]:
        raise NotImplementedError

    def forward_from(self, state: Dict[str, Tensor], codes: Tensor,
                     layer: str, space: str = 'wp',
                     noise_mode: str = 'const') -> Tensor:
        raise NotImplementedError


class InverterInfoError(UserError):
    """Saved decoding info that does not describe this inverter."""


class BaseInverter(FrozenPartsMixin, ModeDispatchMixin, BaseModel):
    """Observations (plus an optional degradation) to latent codes.

    ``invert(images, degradation=None, indices=None) -> dict``: ``images``
    are the observations ``[B, 3, h, w]`` in ``[-1, 1]`` (the image itself
    for reconstruction; gray, low-resolution or masked images otherwise);
    ``degradation`` a module of ``gankd.models.degradations`` (None:
    identity). The loss compares ``degradation(output)`` with the
    observation; the objective is the sum over images of per-image losses,
    so a batch gives what single runs give. ``indices`` ``[B]`` are the
    images' stable positions in the whole input (default ``range(B)``);
    random initialisation of image i draws from
    ``image_generators(indices)[i]``. The result:

    * ``codes``: ``[B, z_dim]``, ``[B, w_dim]``, ``[B, L, w_dim]``, or a
      method's own (mGANprior: ``[B, N, ...]``), detached;
    * ``space``: the codes' latent space (``'z'``, ``'w'`` or ``'wp'``);
    * ``image``: the reconstruction ``[B, 3, H, W]`` in ``[-1, 1]``;
    * ``restored``: ``degradation.restore(image, observation)``, the
      task's output (the image itself without degradation);
    * ``loss`` ``[B]`` (final) and ``history`` ``[T, B]`` per iteration;
    * method extras (e.g. mGANprior's ``alpha``).

    ``decode(result) -> [B, 3, H, W]`` renders a result (or a moved one);
    ``move(result, boundary, distances) -> result`` moves the codes along
    a unit boundary ``[1, dim]`` (``[1, L, dim]`` per layer) by each
    distance ``[T]``: batch ``B * T``, image-major, with what ``decode``
    needs. Subclasses hold ``generator`` (frozen) and ``noise_mode``.

    Saved codes are data: ``decoding_info()`` is what ``decode`` and
    ``move`` depend on as plain values (``type`` and the constructor
    arguments named in ``decoding_fields``), and ``for_decoding(generator,
    info)`` rebuilds an inverter from exactly that, refusing anything else
    (no nested configs, no paths, nothing that loads or runs code).
    Inverters are run by ``tools/invert.py`` and
    ``tools/evaluate_inversion.py``; a Runner test loop (``predict``) is
    not wired yet.
    """

    #: constructor arguments that ``decode`` and ``move`` depend on.
    decoding_fields: Tuple[str, ...] = ('noise_mode', )

    def invert(self, images: Tensor, degradation=None,
               indices: Optional[Sequence[int]] = None) -> Dict[str, Tensor]:
        raise NotImplementedError

    def decoding_info(self) -> dict:
        """``dict(type=<class name>, **{field: value})`` for
        ``decoding_fields``: plain values only."""
        return dict(type=type(self).__name__,
                    **{field: getattr(self, field)
                       for field in self.decoding_fields})

    @classmethod
    def for_decoding(cls, generator: nn.Module,
                     info: dict) -> 'BaseInverter':
        """An inverter of this class for ``decode`` / ``move`` of saved
        codes, built from ``generator`` and the plain ``info`` of
        :meth:`decoding_info`.

        Raises:
            InverterInfoError: ``info`` names other fields than
                ``decoding_fields`` or holds a value that is not a plain
                string, number, bool or None.
        """
        fields = {k: v for k, v in info.items() if k != 'type'}
        if set(fields) != set(cls.decoding_fields):
            raise InverterInfoError(
                f'{cls.__name__} decodes saved codes from the fields '
                f"{', '.join(cls.decoding_fields)}; got "
                f"{', '.join(sorted(fields)) or 'none'}")
        for key, value in fields.items():
            if type(value) not in (str, int, float, bool, type(None)):
                raise InverterInfoError(
                    f'{cls.__name__} field {key!r}: a plain value is '
                    f'expected, got {type(value).__name__}')
        return cls(generator=generator, **fields)

    @staticmethod
    def image_generators(indices: Sequence[int],
                         seed: int = 0) -> List[torch.Generator]:
        """One random stream per image, fixed by ``(seed, index)``."""
        return [torch.Generator().manual_seed(seed * 1_000_003 + int(i))
                for i in indices]

    def decode(self, result: Dict[str, Tensor]) -> Tensor:
        """Single-code results: the generator's image of ``codes``."""
        return self.generator.synthesize(result['codes'], result['space'],
                                         self.noise_mode)

    def move(self, result: Dict[str, Tensor], boundary: Tensor,
             distances: Sequence[float]) -> Dict[str, Tensor]:
        """Single-code results: ``codes + d * boundary`` for each distance
        (a ``[1, dim]`` boundary moves every layer of wp codes)."""
        codes = result['codes']
        steps = torch.as_tensor(distances, dtype=codes.dtype)
        shape = (1, -1) + (1, ) * (codes.dim() - 1)
        moved = codes.unsqueeze(1) + steps.view(shape) * boundary.to(codes)
        return dict(codes=moved.flatten(0, 1), space=result['space'])


class BaseProbe(FrozenPartsMixin, BaseModule):
    """Semantic directions (or layer-wise scores) of a frozen generator.

    The generator and attribute predictor are frozen parts. Codes are those
    of the generator's spaces: ``z`` ``[N, z_dim]``, ``w`` ``[N, w_dim]``,
    ``wp`` ``[N, L, w_dim]``; a boundary is a unit normal ``[1, dim]`` (or
    ``[1, L, w_dim]``, one per layer).

    * ``run(work_dir, **options) -> dict``: the probe's whole job as
      ``tools/probe.py`` runs it (sample, score, fit, save the boundaries,
      write the report and plots under ``work_dir``); returns the summary.
    * ``fit(samples, ...) -> dict``: boundaries from scored samples.
    * ``edit(codes, boundary, strengths, mode='relative', layers=None)
      -> [N, S, ...]``: codes moved along a boundary, one per strength.
    * ``load_boundary(path) -> (Tensor, dict)``: a boundary file and its
      metadata (e.g. ``manipulate_layers``).
    * ``project(primal, conditions) -> Tensor``: the primal boundary with
      its components along the condition boundaries removed, unit norm.
    * ``codes_for_seeds(seeds, space) -> Tensor``: one code per seed.
    * ``to_wp(codes, space) -> [N, L, w_dim]``: the per-layer codes that
      ``render`` draws (truncated for z and w).
    * ``layer_strength(policy) -> [L]``: per-layer scale of wp edits
      (``'truncation'``: psi on truncated layers, so an edit of truncated
      codes equals one of the un-truncated w; ``'uniform'``: ones).
    * ``render(codes, space) -> [N, 3, H, W]`` images in ``[-1, 1]``, with
      the probe's truncation and noise.
    """

    def run(self, work_dir: str, **options) -> dict:
        raise NotImplementedError

    def fit(self, *args, **kwargs):
        raise NotImplementedError

    def edit(self, codes: Tensor, boundary: Tensor,
             strengths: Sequence[float], mode: str = 'relative',
             layers: Optional[Sequence[int]] = None) -> Tensor:
        raise NotImplementedError

    def load_boundary(self, path: str):
        raise NotImplementedError

    def project(self, primal: Tensor, conditions: Sequence[Tensor]):
        raise NotImplementedError

    def codes_for_seeds(self, seeds: Sequence[int], space: str) -> Tensor:
        raise NotImplementedError

    def to_wp(self, codes: Tensor, space: str) -> Tensor:
        raise NotImplementedError

    def layer_strength(self, policy: str = 'truncation') -> Tensor:
        raise NotImplementedError

    def render(self, codes: Tensor, space: str) -> Tensor:
        raise NotImplementedError


class RestorerInputError(UserError):
    """Restorer inputs that do not follow the kind's contract."""


class BaseRestorer(FrozenPartsMixin, ModeDispatchMixin, BaseModel):
    """(degraded image, reference image) -> restored image (``BaseModel``).

    Images are ``[N, 3, H, W]`` RGB in ``[-1, 1]``. ``inputs`` (after the
    data preprocessor, default ``gankd.RestorationDataPreprocessor``: the
    uint8 BGR batches of ``PackRestorationInputs`` to that range) is a dict
    with ``degraded`` ``[N, 3, H, W]`` and, for reference-based methods
    (``uses_reference = True``), ``reference`` ``[N, 3, H', W']``: another
    photo of the same person, never the ground truth. The ground truth
    rides on the data samples as ``gt_img`` ``[3, H, W]``.

    Subclasses set ``resolution`` (int, the image side ``H = W`` they
    take) and implement:

    * ``restore(degraded, reference=None) -> [N, 3, H, W]``: the method's
      output (not clamped); what tools (``tools/restore.py``) call.
    * ``loss(inputs, data_samples) -> dict``: named losses, keys that
      backprop containing ``loss``, prefixed by role (``gen.``, ``disc.``).
      The default ``train_step`` (mmengine's: one optimizer wrapper) runs
      it; adversarial methods override ``train_step`` with an
      ``OptimWrapperDict`` (``generator``, ``discriminator``).

    Given here:

    * ``predict(inputs, data_samples) -> list``: ``restore`` clamped to
      ``[-1, 1]`` as ``pred_img`` ``[3, H, W]`` on each data sample (new
      ``BaseDataElement``s when there are none), for the Runner's val and
      test loops and image-quality metrics (``ImageQualityMetric``).
    * ``_forward`` (mode ``'tensor'``): ``restore``'s output.
    * ``check_inputs(inputs) -> (degraded, reference)``: raises
      :class:`RestorerInputError` naming the field and the fix.
    * ``inference_config(cfg) -> cfg`` (classmethod): the model config
      without what only training needs (loss networks, a discriminator,
      checkpoints of earlier stages), so ``tools/restore.py`` builds the
      restorer from a checkpoint alone; the default returns ``cfg``.
    """

    #: whether ``restore`` needs a reference image.
    uses_reference: bool = True

    @classmethod
    def inference_config(cls, cfg: dict) -> dict:
        return cfg

    def __init__(self, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        preprocessor = dict(type='gankd.RestorationDataPreprocessor') \
            if data_preprocessor is None else dict(data_preprocessor)
        preprocessor.setdefault('type', 'gankd.RestorationDataPreprocessor')
        super().__init__(data_preprocessor=scope_config_types(preprocessor),
                         init_cfg=init_cfg)

    def restore(self, degraded: Tensor,
                reference: Optional[Tensor] = None) -> Tensor:
        raise NotImplementedError

    def check_inputs(self, inputs) -> Tuple[Tensor, Optional[Tensor]]:
        """``(degraded, reference)`` from ``inputs``, checked."""
        name = type(self).__name__
        if not isinstance(inputs, dict) or 'degraded' not in inputs:
            raise RestorerInputError(
                f'{name} takes inputs=dict(degraded=[N, 3, H, W], '
                f'reference=[N, 3, H, W]), got {type(inputs).__name__}')
        degraded, reference = inputs['degraded'], inputs.get('reference')
        for key, image in (('degraded', degraded), ('reference', reference)):
            if image is None:
                continue
            if not isinstance(image, Tensor) or image.dim() != 4 or \
                    image.shape[1] != 3 or not image.is_floating_point():
                desc = (f'{image.dtype} {list(image.shape)}'
                        if isinstance(image, Tensor) else
                        type(image).__name__)
                raise RestorerInputError(
                    f'{name}: {key} must be float [N, 3, H, W] in [-1, 1], '
                    f'got {desc}')
        if reference is None and self.uses_reference:
            raise RestorerInputError(
                f'{name} restores from a reference of the same person: '
                'give inputs["reference"] (ReferencePairDataset, or '
                'tools/restore.py --references)')
        if reference is not None and reference.shape[0] != degraded.shape[0]:
            raise RestorerInputError(
                f'{name}: {degraded.shape[0]} degraded images but '
                f'{reference.shape[0]} references; give one per image')
        return degraded, reference

    def _forward(self, inputs, data_samples=None) -> Tensor:
        return self.restore(*self.check_inputs(inputs))

    def predict(self, inputs, data_samples=None) -> list:
        from mmengine.structures import BaseDataElement
        restored = self._forward(inputs).clamp(-1, 1)
        if data_samples is None:
            data_samples = [BaseDataElement() for _ in range(len(restored))]
        for sample, image in zip(data_samples, restored):
            sample.pred_img = image.detach()
        return data_samples


KINDS = {
    'distiller': BaseDistiller,
    'assistant': BaseAssistant,
    'generator': BaseGenerator,
    'inverter': BaseInverter,
    'probe': BaseProbe,
    'restorer': BaseRestorer,
}


class KindMismatchError(UserError, TypeError):
    """A config names a component of another kind than the one expected."""


def kind_of(obj) -> Optional[str]:
    """The kind name of a class or instance, or None for other components."""
    cls = obj if isinstance(obj, type) else type(obj)
    for name, base in KINDS.items():
        if issubclass(cls, base):
            return name
    return None


def _article(word: str) -> str:
    """'an' before a kind name that starts with a vowel (assistant,
    inverter), else 'a'."""
    return 'an' if word[:1] in 'aeiou' else 'a'


def build_kind(cfg: dict, kind: str, default_args: Optional[dict] = None):
    """Build ``cfg`` from ``MODELS``, checking it is of ``kind``.

    Raises:
        KindMismatchError: before construction, naming the expected kind and
            the component's actual kind.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown kind '{kind}'; kinds: {', '.join(KINDS)}")
    obj_type = cfg['type']
    cls = obj_type if not isinstance(obj_type, str) else resolve_type(
        MODELS, obj_type, cfg.get('_scope_'))
    base = KINDS[kind]
    if not issubclass(cls, base):
        actual = kind_of(cls)
        actual = (f'{_article(actual)} {actual} ({KINDS[actual].__name__})'
                  if actual else 'not a gankd kind')
        raise KindMismatchError(
            f"expected {_article(kind)} {kind} ({base.__name__}), but "
            f"'{cfg['type']}' is {actual}. Use a {base.__name__} subclass "
            'here.')
    return MODELS.build(cfg, default_args=default_args)


def build_distiller(cfg, default_args=None) -> BaseDistiller:
    return build_kind(cfg, 'distiller', default_args)


def build_assistant(cfg, default_args=None) -> BaseAssistant:
    return build_kind(cfg, 'assistant', default_args)


def build_generator(cfg, default_args=None) -> BaseGenerator:
    return build_kind(cfg, 'generator', default_args)


def build_inverter(cfg, default_args=None) -> BaseInverter:
    return build_kind(cfg, 'inverter', default_args)


def build_probe(cfg, default_args=None) -> BaseProbe:
    return build_kind(cfg, 'probe', default_args)


def build_restorer(cfg, default_args=None) -> BaseRestorer:
    return build_kind(cfg, 'restorer', default_args)
