"""ENTED's restoration network: encoders, quantizer, residual, refiner and
decoder assembled (spec 2.2); the restorer adds losses and training."""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from .gated_residual import GatedResidual
from .latent_refiner import LatentRefiner
from .nted_encoder import NTEDEncoder
from .texture_decoder import TextureDecoder
from .vector_quantizer import VectorQuantizer

__all__ = ['ENTEDNetwork']


def _int_keys(mapping):
    return {int(k): v for k, v in (mapping or {}).items()}


class ENTEDNetwork(nn.Module):
    """Degraded face (+ reference) -> restored face; arguments as
    :class:`~gankd_ented.ented_restorer.ENTEDRestorer`'s of the same
    names."""

    def __init__(self, resolution: int, semantic_size: int,
                 lq_encoder: dict, ref_encoder: dict, decoder: dict,
                 quantizer: Optional[dict] = None, residual: str = 'gated',
                 latent_refiner: Optional[dict] = None, stage: str = 'B',
                 reference: str = 'use') -> None:
        super().__init__()
        if stage not in ('A', 'B') or reference not in ('use', 'zero'):
            raise ValueError(f"stage={stage!r} (use 'A' or 'B'), reference="
                             f"{reference!r} (use 'use' or 'zero')")
        self.stage, self.reference = stage, reference
        self.uses_reference = stage == 'B'
        sem_channels = _int_keys(lq_encoder['channels'])[semantic_size]
        self.lq_encoder = NTEDEncoder(resolution, semantic_size,
                                      _int_keys(lq_encoder['channels']))
        self.quantizer = None if quantizer is None else VectorQuantizer(
            sem_channels, **quantizer)
        self.residual = GatedResidual(sem_channels, residual)
        labels = _int_keys(ref_encoder.get('num_labels'))
        kernels = _int_keys(ref_encoder.get('match_kernels'))
        self.ref_encoder = NTEDEncoder(
            resolution, semantic_size, _int_keys(ref_encoder['channels']),
            labels, kernels, ref_encoder.get('num_extractions', 2))
        # the decoder distributes two textures per labelled size
        if ref_encoder.get('num_extractions', 2) != 2:
            raise ValueError('ref_encoder.num_extractions: the decoder has '
                             'two convs per size; use 2')
        dec = dict(decoder)
        self.decoder = TextureDecoder(
            resolution, semantic_size, _int_keys(dec.pop('channels')),
            dec.pop('w_dim'), labels, kernels, **dec)
        ref_channels = _int_keys(ref_encoder['channels'])
        self.latent_refiner = LatentRefiner(
            sem_channels, ref_channels[semantic_size], decoder['w_dim'],
            self.decoder.num_styles, **dict(latent_refiner or {}))

    def forward(self, degraded: Tensor,
                reference: Optional[Tensor] = None) -> Dict[str, object]:
        """Everything one forward gives: ``image``, ``vq_loss``,
        ``indices`` (codebook, or None), ``extractions`` and ``logits``
        (attention maps A_e and distribution logits, for the loss and for
        visualisation)."""
        semantic = self.lq_encoder(degraded)['features']
        vq_loss, indices, decoded = degraded.new_zeros(()), None, semantic
        if self.quantizer is not None:
            quantized = self.quantizer(semantic)
            vq_loss, indices = quantized['loss'], quantized['indices']
            decoded = quantized['quantized']
            # Stage A learns the dictionary: a residual there would let the
            # auto-encoder go around the codes.
            if self.stage == 'B':
                decoded = self.residual(decoded, semantic)
        textures = tokens = None
        extractions = []
        if self.stage == 'B' and reference is not None:
            encoded = self.ref_encoder(reference)
            textures, tokens = encoded['textures'], encoded['features']
            extractions = encoded['extractions']
            if self.reference == 'zero':
                textures = [torch.zeros_like(t) for t in textures]
                tokens = torch.zeros_like(tokens)
        codes = self.latent_refiner(semantic, tokens)
        out = self.decoder(decoded, codes, textures)
        return dict(image=out['image'], logits=out['logits'],
                    extractions=extractions, vq_loss=vq_loss,
                    indices=indices)
