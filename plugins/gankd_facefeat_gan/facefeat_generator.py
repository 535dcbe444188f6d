"""FaceFeat-GAN's generator: identity -> generated features -> image."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from torch import Tensor, nn

from gankd.kinds import BaseGenerator, FrozenPartsMixin
from gankd.models.gans.sampling import seeded_latents
from gankd.registry import MODELS, scope_config_types
from .identity_bank import IdentityBank

__all__ = ['FaceFeatGenerator']

FEATURE_SOURCES = ('generators', 'noise')


class FaceFeatGenerator(FrozenPartsMixin, BaseGenerator):
    """Two-stage identity-preserving face generator (a Generator kind).

    Parts: ``identity_encoder`` E_id (frozen, images -> unit ``[N, d_id]``),
    ``extractors`` E (frozen, images -> raw outputs, from which each
    feature ``k`` selects ``d_k`` columns), ``feature_generators`` G_k
    (``z_k``, ``f_id`` -> ``[N, d_k]``; stage 1), ``renderer`` R
    (``[f_id, f_1..f_K]`` -> wp -> image ``[N, 3, R, R]``; stage 2) and an
    identity ``bank`` (mean embeddings of the training identities).

    ``z`` ``[N, z_dim]`` is the concatenation of the ``z_k`` in feature
    order. With ``feature_source='noise'`` there are no G_k: ``z_k`` has
    ``d_k`` values and is the feature itself (the single-stage baseline:
    noise straight into the renderer).

    Inference API (no gradients):

    * :meth:`sample` ``(identity, num, seed) -> dict``: ``num`` new faces
      of one person; row ``i`` uses ``z`` seeded with ``seed + i``.
    * :meth:`render` ``(identity, features) -> [N, 3, R, R]``.
    * :meth:`extract` ``(images) -> dict(identity=[N, d_id],
      features={name: [N, d_k]})`` (differentiable; training uses it).

    ``identity`` arguments: an int (a training identity in the bank), a
    ``[d_id]`` or ``[N, d_id]`` embedding, or a face ``[3, H, W]`` /
    ``[N, 3, H, W]`` in ``[-1, 1]`` (encoded by E_id).

    Generator kind: ``forward(z)`` renders bank identity ``i % I`` for
    row ``i`` (``identity=`` overrides); spaces ``z`` and ``wp`` (the
    renderer's style codes); layers are the renderer's decoder layers.

    Args:
        identity_encoder (dict): E_id config (``FaceIdentityEncoder``).
        extractors (dict): ``{name: config}`` of frozen extractors
            (``FaceAttributeExtractor``).
        features (list[dict]): per feature: ``name``, ``extractor`` (a key
            of ``extractors``), ``outputs`` (attribute names it selects),
            ``loss_weight`` (in L_feat, default 1), optional ``generator``
            (overrides of ``feature_generator``).
        renderer (dict): ``FeatureRenderer`` config without ``input_dim``.
        feature_generator (dict): common ``FeatureGenerator`` arguments
            (``z_dim``, ``hidden``, ``num_layers``, ``conditional``).
        feature_source (str): ``'generators'`` (two-stage) or ``'noise'``
            (single-stage baseline).
        num_identities (int): size of the identity bank.
        init_cfg (dict, optional): mmengine init config.
    """

    latent_spaces = ('z', 'wp')

    def __init__(self, identity_encoder: dict, extractors: dict,
                 features: Sequence[dict], renderer: dict,
                 feature_generator: Optional[dict] = None,
                 feature_source: str = 'generators',
                 num_identities: int = 512,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if feature_source not in FEATURE_SOURCES:
            raise ValueError(f'feature_source must be one of '
                             f'{FEATURE_SOURCES}, got {feature_source!r}')
        self.feature_source = feature_source
        self.identity_encoder = MODELS.build(
            scope_config_types(dict(identity_encoder)))
        self.identity_dim = int(self.identity_encoder.embed_dim)
        self.extractors = nn.ModuleDict({
            name: MODELS.build(scope_config_types(dict(cfg)))
            for name, cfg in dict(extractors).items()})
        self.feature_specs = self._check_features(features)
        self.feature_names = [s['name'] for s in self.feature_specs]
        self.feature_dims = {s['name']: s['dim'] for s in self.feature_specs}
        self.feature_generators = nn.ModuleDict()
        z_dims = []
        for spec in self.feature_specs:
            if feature_source == 'noise':
                z_dims.append(spec['dim'])
                continue
            cfg = dict(type='FeatureGenerator',
                       **dict(feature_generator or {}))
            cfg.update(spec.get('generator') or {})
            cfg.update(feature_dim=spec['dim'], identity_dim=self.identity_dim)
            g = MODELS.build(scope_config_types(cfg))
            self.feature_generators[spec['name']] = g
            z_dims.append(g.z_dim)
        self.z_dims = z_dims
        self.z_dim = sum(z_dims)
        self.renderer = MODELS.build(scope_config_types(dict(
            dict(type='FeatureRenderer'), **dict(renderer),
            input_dim=self.identity_dim + sum(self.feature_dims.values()))))
        self.resolution = self.renderer.resolution
        self.w_dim, self.num_layers = self.renderer.w_dim, \
            self.renderer.num_codes
        self.bank = IdentityBank(num_identities, self.identity_dim)
        self.freeze('identity_encoder', 'extractors')

    def _check_features(self, features) -> List[dict]:
        specs, seen = [], set()
        for raw in features:
            spec = dict(raw)
            name, source = spec.get('name'), spec.get('extractor')
            if not name or name in seen:
                raise ValueError(f'features: each needs a unique name, got '
                                 f'{name!r}')
            if source not in self.extractors:
                raise ValueError(f"feature '{name}': extractor {source!r} is "
                                 f"not one of {list(self.extractors)}")
            spec['outputs'] = list(spec.get('outputs') or ())
            spec['dim'] = self.extractors[source].width(spec['outputs'])
            spec.setdefault('loss_weight', 1.0)
            seen.add(name)
            specs.append(spec)
        if not specs:
            raise ValueError('features: give at least one feature')
        return specs

    # -- parts ----------------------------------------------------------------

    def extract(self, images: Tensor) -> Dict[str, object]:
        """Real features of ``[N, 3, H, W]`` images in ``[-1, 1]``:
        ``identity`` ``[N, d_id]`` (unit norm) and ``features`` ``{name:
        [N, d_k]}``. Differentiable w.r.t. the images."""
        outputs = {name: net(images) for name, net in self.extractors.items()}
        features = {s['name']: self.extractors[s['extractor']].select(
            outputs[s['extractor']], s['outputs']) for s in self.feature_specs}
        return dict(identity=self.identity_encoder(images), features=features)

    def split_z(self, z: Tensor) -> Dict[str, Tensor]:
        """``[N, z_dim]`` -> ``{name: z_k}``."""
        return dict(zip(self.feature_names, z.split(self.z_dims, dim=1)))

    def generate_features(self, z: Tensor,
                          identity: Tensor) -> Dict[str, Tensor]:
        """Stage 1: ``{name: [N, d_k]}`` from ``z`` and ``f_id`` ``[N,
        d_id]`` (the noise itself for ``feature_source='noise'``)."""
        parts = self.split_z(z)
        if self.feature_source == 'noise':
            return parts
        return {name: self.feature_generators[name](parts[name], identity)
                for name in self.feature_names}

    def styles(self, identity: Tensor, features: Dict[str, Tensor]) -> Tensor:
        """Renderer codes ``wp`` ``[N, L, w_dim]``."""
        missing = [n for n in self.feature_names if n not in features]
        if missing:
            raise KeyError(f'render: features {missing} missing; need '
                           f'{self.feature_names}')
        return self.renderer.styles(self.renderer.concat(
            identity, [features[n] for n in self.feature_names]))

    def render_features(self, identity: Tensor, features: Dict[str, Tensor],
                        noise_mode: str = 'const') -> Tensor:
        """Stage 2 (differentiable): images ``[N, 3, R, R]``."""
        return self.renderer.synthesize(self.styles(identity, features),
                                        noise_mode)

    def identities(self, identity, num: Optional[int] = None) -> Tensor:
        """Any accepted ``identity`` argument -> ``[N, d_id]`` (``num``
        rows when one identity is given)."""
        device = self.device
        if isinstance(identity, int) or (torch.is_tensor(identity)
                                         and identity.dim() == 0
                                         and not identity.is_floating_point()):
            emb = self.bank.embeddings(torch.tensor([int(identity)]))
        elif torch.is_tensor(identity) and identity.dim() in (3, 4):
            images = identity[None] if identity.dim() == 3 else identity
            emb = self.identity_encoder(images.to(device).float())
        elif torch.is_tensor(identity) and identity.dim() in (1, 2):
            emb = identity.to(device).float().view(-1, self.identity_dim)
        else:
            raise TypeError('identity: an int, an embedding [d_id] / [N, '
                            'd_id] or images [3, H, W] / [N, 3, H, W]')
        emb = emb.to(device)
        if num is not None and emb.shape[0] == 1:
            emb = emb.expand(num, -1)
        return emb

    # -- inference API --------------------------------------------------------

    @torch.no_grad()
    def sample(self, identity: Union[int, Tensor], num: int = 1,
               seed: int = 0, noise_mode: str = 'const') -> Dict[str, object]:
        """``num`` faces of one identity: ``image`` ``[num, 3, R, R]``,
        ``features`` ``{name: [num, d_k]}``, ``identity`` ``[num, d_id]``,
        ``z`` ``[num, z_dim]`` (row ``i`` seeded with ``seed + i``)."""
        f_id = self.identities(identity, num)
        z = seeded_latents(self.z_dim, range(seed, seed + num), self.device)
        features = self.generate_features(z, f_id)
        image = self.render_features(f_id, features, noise_mode)
        return dict(image=image, features=features, identity=f_id, z=z)

    @torch.no_grad()
    def render(self, identity: Union[int, Tensor],
               features: Dict[str, Tensor],
               noise_mode: str = 'const') -> Tensor:
        """Images ``[N, 3, R, R]`` of ``identity`` with given ``features``
        ``{name: [N, d_k]}`` (e.g. a generated sample with one feature
        replaced: attribute control)."""
        n = next(iter(features.values())).shape[0]
        return self.render_features(self.identities(identity, n),
                                    features, noise_mode)

    # -- Generator kind -------------------------------------------------------

    def _bank_rows(self, n: int) -> Tensor:
        known = self.bank.known().nonzero().view(-1)
        if known.numel() == 0:
            raise ValueError('FaceFeatGenerator: the identity bank is empty '
                             '(an untrained model): pass identity=...')
        return self.bank.embeddings(known[torch.arange(n) % known.numel()])

    def mapping(self, z: Tensor, truncation_psi=None, truncation_layers=None,
                identity=None) -> Dict[str, Tensor]:
        """``dict(w=None, wp=[N, L, w_dim])`` (no truncation: no w)."""
        f_id = self._bank_rows(z.shape[0]) if identity is None \
            else self.identities(identity, z.shape[0])
        return dict(w=None, wp=self.styles(
            f_id, self.generate_features(z, f_id)))

    def forward(self, z: Tensor, truncation_psi=None, truncation_layers=None,
                noise_mode: str = 'const', identity=None) -> Dict[str, Tensor]:
        self.check_noise_mode(noise_mode)
        wp = self.mapping(z, identity=identity)['wp']
        return dict(image=self.renderer.synthesize(wp, noise_mode), wp=wp)

    def synthesize(self, codes: Tensor, space: str = 'wp',
                   noise_mode: str = 'const') -> Tensor:
        self.check_noise_mode(noise_mode)
        if space == 'z':
            codes = self.mapping(codes)['wp']
        elif space != 'wp':
            raise ValueError(f"space must be 'z' or 'wp', got '{space}'")
        return self.renderer.synthesize(codes, noise_mode)

    def layer_names(self) -> List[str]:
        return [f'renderer.{n}' for n in self.renderer.layer_names()]

    def _decoder_layer(self, layer: str) -> str:
        self.layer_index(layer)  # raises UnknownLayerError
        return layer[len('renderer.decoder.'):]

    def forward_to(self, codes: Tensor, layer: str, space: str = 'wp',
                   noise_mode: str = 'const') -> Dict[str, Tensor]:
        wp = self.mapping(codes)['wp'] if space == 'z' else codes
        return self.renderer.decoder.forward_to(
            wp, self._decoder_layer(layer), 'wp', noise_mode)

    def forward_from(self, state: Dict[str, Tensor], codes: Tensor,
                     layer: str, space: str = 'wp',
                     noise_mode: str = 'const') -> Tensor:
        wp = self.mapping(codes)['wp'] if space == 'z' else codes
        image = self.renderer.decoder.forward_from(
            state, wp, self._decoder_layer(layer), 'wp', noise_mode)
        return image.clamp(-1, 1) if self.renderer.clamp else image
