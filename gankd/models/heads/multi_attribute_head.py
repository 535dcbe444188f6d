"""A head that predicts several binary, categorical and continuous attributes
with one linear layer, for mmpretrain's ``ImageClassifier``."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.structures import DataSample

from gankd.registry import MODELS

__all__ = ['MultiAttributeHead']

TYPES = ('binary', 'categorical', 'continuous')


def _as_spec(item, i: int) -> dict:
    """An attribute dict, or its config string ``'name:type[:classes]'``.

    Configs use the string form: gankd's config check reads every nested
    ``type`` key as a registry name, which an attribute's type is not.
    """
    if isinstance(item, str):
        parts = item.split(':')
        if len(parts) not in (2, 3):
            raise ValueError(f"attributes[{i}]={item!r}: write 'name:type' or "
                             "'name:categorical:num_classes'.")
        spec = dict(name=parts[0], type=parts[1])
        if len(parts) == 3:
            spec['num_classes'] = int(parts[2])
        return spec
    return dict(item)


@MODELS.register_module()
class MultiAttributeHead(BaseModule):
    """Multi-attribute prediction head (mmpretrain head API).

    One ``nn.Linear(in_channels, num_outputs)`` gives every output; attribute
    ``a`` owns the slice ``output_slices[name]`` of it: 1 logit (binary),
    ``num_classes`` logits (categorical) or 1 value (continuous).

    Loss, over the attributes ``a`` (``A`` of them) and the batch::

        loss = sum_a  w[type(a)] * L_a / A
        L_a  = mean BCE-with-logits        (binary, target 0/1)
               mean cross-entropy           (categorical, target class index)
               mean smooth-L1 or MSE        (continuous, target value)

    Targets that are NaN are missing labels and are left out of ``L_a``
    (an attribute without any label in the batch contributes 0).

    Args:
        attributes (Sequence[dict | str]): Same contract as SynthFaces'
            ``metainfo['attributes']``: ``name``, ``type`` in
            binary/categorical/continuous, ``num_classes`` for categorical;
            or, in configs, strings ``'name:type'`` /
            ``'name:categorical:num_classes'``.
        in_channels (int): Feature size ``C`` (after the neck).
        loss_weights (dict): Weight per type; missing types weigh 1.
        continuous_loss (str): ``'smooth_l1'`` or ``'mse'``.
        target_key (str): DataSample field with the targets, float
            ``(A,)``. Defaults to ``'gt_attrs'``.
        init_cfg (dict, optional): Defaults to a normal(0, 0.01) init of the
            linear layer.

    Shapes: ``feats`` is a tuple whose last item is ``(N, C)``;
    :meth:`forward` returns ``(N, num_outputs)``.
    """

    def __init__(self,
                 attributes: Sequence[Union[dict, str]],
                 in_channels: int,
                 loss_weights: Optional[Dict[str, float]] = None,
                 continuous_loss: str = 'smooth_l1',
                 target_key: str = 'gt_attrs',
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)):
        super().__init__(init_cfg=init_cfg)
        if continuous_loss not in ('smooth_l1', 'mse'):
            raise ValueError(f'continuous_loss={continuous_loss!r}: use '
                             "'smooth_l1' or 'mse'.")
        self.attributes = [_as_spec(a, i) for i, a in enumerate(attributes)]
        if not self.attributes:
            raise ValueError('attributes is empty: give the list of dicts of '
                             "the dataset's metainfo['attributes'].")
        self.output_slices: Dict[str, slice] = {}
        start = 0
        for i, attr in enumerate(self.attributes):
            kind = attr.get('type')
            if kind not in TYPES:
                raise ValueError(f'attributes[{i}] ({attr.get("name")}): '
                                 f'type={kind!r}, use one of {TYPES}.')
            if kind == 'categorical' and int(attr.get('num_classes', 0)) < 2:
                raise ValueError(f'attributes[{i}] ({attr["name"]}): a '
                                 'categorical attribute needs num_classes>=2.')
            width = int(attr['num_classes']) if kind == 'categorical' else 1
            self.output_slices[attr['name']] = slice(start, start + width)
            start += width
        self.num_outputs = start
        weights = dict(loss_weights or {})
        unknown = set(weights) - set(TYPES)
        if unknown:
            raise ValueError(f'loss_weights has unknown types {unknown}; '
                             f'use {TYPES}.')
        self.loss_weights = {t: float(weights.get(t, 1.0)) for t in TYPES}
        self.continuous_loss = continuous_loss
        self.target_key = target_key
        self.in_channels = int(in_channels)
        self.fc = nn.Linear(self.in_channels, self.num_outputs)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """The last stage's feature, ``(N, C)``."""
        return feats[-1]

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """All outputs, ``(N, num_outputs)``, in attribute order."""
        return self.fc(self.pre_logits(feats))

    def _targets(self, data_samples: List[DataSample],
                 like: torch.Tensor) -> torch.Tensor:
        values = [s.get(self.target_key) for s in data_samples]
        if any(v is None for v in values):
            raise KeyError(f'A data sample has no {self.target_key!r}: pack '
                           "it with dict(type='mmpretrain.PackInputs', "
                           f"algorithm_keys=['{self.target_key}']).")
        values = [v.detach().cpu().numpy() if torch.is_tensor(v) else v
                  for v in values]
        target = torch.as_tensor(np.stack(values).astype(np.float32))
        if target.shape != (like.shape[0], len(self.attributes)):
            raise ValueError(f'{self.target_key} has shape '
                             f'{tuple(target.shape)}; expected '
                             f'({like.shape[0]}, {len(self.attributes)}).')
        return target.to(like.device)

    def attribute_losses(self, outputs: torch.Tensor,
                         target: torch.Tensor) -> List[torch.Tensor]:
        """Per-attribute mean losses ``L_a`` (scalars), in attribute order.

        Args:
            outputs (Tensor): ``(N, num_outputs)``.
            target (Tensor): ``(N, A)``, NaN for a missing label.
        """
        losses = []
        for i, attr in enumerate(self.attributes):
            out = outputs[:, self.output_slices[attr['name']]]
            valid = ~torch.isnan(target[:, i])
            if not valid.any():  # keeps the graph connected, adds nothing
                losses.append(out.sum() * 0.0)
                continue
            out, t = out[valid], target[valid, i]
            if attr['type'] == 'binary':
                loss = F.binary_cross_entropy_with_logits(out[:, 0], t)
            elif attr['type'] == 'categorical':
                loss = F.cross_entropy(out, t.long())
            elif self.continuous_loss == 'mse':
                loss = F.mse_loss(out[:, 0], t)
            else:
                loss = F.smooth_l1_loss(out[:, 0], t)
            losses.append(loss)
        return losses

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """Weighted mean of the attribute losses.

        Returns:
            dict: ``{'loss': scalar}``.
        """
        outputs = self(feats)
        target = self._targets(data_samples, outputs)
        losses = self.attribute_losses(outputs, target)
        total = sum(self.loss_weights[a['type']] * loss
                    for a, loss in zip(self.attributes, losses))
        return dict(loss=total / len(self.attributes))

    def decode(self, outputs: torch.Tensor) -> torch.Tensor:
        """Outputs ``(N, num_outputs)`` -> predictions ``(N, A)``: 0/1 for
        binary (logit > 0), class index for categorical, value for
        continuous."""
        preds = []
        for attr in self.attributes:
            out = outputs[:, self.output_slices[attr['name']]]
            if attr['type'] == 'binary':
                preds.append((out[:, 0] > 0).to(outputs.dtype))
            elif attr['type'] == 'categorical':
                preds.append(out.argmax(dim=1).to(outputs.dtype))
            else:
                preds.append(out[:, 0])
        return torch.stack(preds, dim=1)

    def predict(self,
                feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None,
                **kwargs) -> List[DataSample]:
        """Set ``pred_attrs`` ``(A,)`` and ``pred_attr_scores``
        ``(num_outputs,)`` (binary logit, categorical logits, continuous
        value; slice with :attr:`output_slices`) on each data sample.

        ``pred_attr_scores`` is the raw linear output: a signed score per
        binary/continuous attribute, usable as an SVM label score.
        """
        outputs = self(feats).detach()
        preds = self.decode(outputs)
        if data_samples is None:
            data_samples = [None] * outputs.shape[0]
        results = []
        for sample, pred, score in zip(data_samples, preds, outputs):
            sample = DataSample() if sample is None else sample
            sample.set_field(pred, 'pred_attrs')
            sample.set_field(score, 'pred_attr_scores')
            results.append(sample)
        return results
