"""A trained classifier as an attribute predictor: GAN images -> one signed
score per named semantic (InterFaceGAN labels, HiGAN re-scoring)."""
import hashlib
from typing import Dict, List, Optional, Sequence, Union

import torch
from torch import Tensor

from gankd.models.heads import MultiAttributeHead
from gankd.registry import DATASETS, MODELS, scope_config_types
from .frozen_classifier import FrozenClassifier
from .semantic_specs import (OutputGroup, SemanticSpecError, parse_semantics,
                             read_scores)

__all__ = ['AttributeScorer']

_GROUP_KIND = dict(binary='logit', categorical='softmax', continuous='value')


def _dataset_metainfo(cfg) -> dict:
    """``metainfo`` of the classifier's evaluation dataset: its config's
    explicit ``metainfo``/``classes`` over what the dataset itself reports
    (built lazily, without reading data; a dataset that cannot be built
    falls back to its class's ``METAINFO``)."""
    for split in ('test', 'val', 'train'):
        dataset = (cfg.get(f'{split}_dataloader') or {}).get('dataset')
        if not dataset:
            continue
        dataset = dataset.to_dict() if hasattr(dataset, 'to_dict') else \
            dict(dataset)
        explicit = dict(dataset.get('metainfo') or {})
        if dataset.get('classes') is not None:
            explicit.setdefault('classes', dataset['classes'])
        try:
            built = dict(DATASETS.build(scope_config_types(
                dict(dataset, lazy_init=True))).metainfo)
        except Exception:  # missing data files, unknown type: names only
            try:
                built = dict(getattr(DATASETS.get(dataset.get('type')),
                                     'METAINFO', None) or {})
            except Exception:
                built = {}
        return {**built, **explicit}
    return {}


@MODELS.register_module()
class AttributeScorer(FrozenClassifier):
    """Images ``[N, 3, H, W]`` in ``[-1, 1]`` RGB -> scores ``[N, S]``.

    One signed float32 score per semantic; positive = attribute present,
    so :attr:`thresholds` are all 0 ("predicted present" = score > 0).
    Loading, freezing, resizing and normalisation are
    :class:`FrozenClassifier`'s; scoring runs in inference mode.

    Spec strings, for a ``gankd.MultiAttributeHead`` classifier:

    * ``'smile'``: a binary attribute's logit, or a continuous attribute's
      value (its sign: threshold 0);
    * ``'hair_color=blond'`` / ``'hair_color=2'``: the softmax log-odds
      ``log p_k - log(1 - p_k)`` of one class of a categorical attribute
      (class names from the head's attribute dicts or the config dataset's
      ``metainfo['attributes']``);
    * a leading ``'-'`` negates (``'-yaw'``).

    For any other mmpretrain classifier: ``'class=3'`` or ``'class=<name>'``
    (names from the dataset's ``classes``): softmax log-odds, or the logit
    itself for a multi-label (sigmoid) head.

    Args:
        config (str): classifier config (``gankd::...`` allowed).
        checkpoint (str, optional): its trained weights (None: random,
            tests only).
        semantics (dict | list | str, optional): ``{name: spec}``, a list
            of specs (each named by itself), or None: every binary and
            continuous attribute of a MultiAttributeHead, every class of
            another classifier.
        input_size (int, optional): side the classifier expects; default
            the ``img_size`` of its config's dataset.

    Raises:
        SemanticSpecError: an unknown attribute or class, in one line
            listing the available ones.
    """

    untrained_output = 'scores'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 semantics: Union[None, str, Sequence[str],
                                  Dict[str, str]] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__(config, checkpoint=checkpoint,
                         input_size=input_size)
        self._metainfo = None
        head = getattr(self.classifier, 'head', None)
        if head is None:
            raise SemanticSpecError(f'AttributeScorer: {config} builds a '
                                    'classifier without head; give one with '
                                    'a classification head.')
        self.is_attribute_head = isinstance(head, MultiAttributeHead)
        groups = (self._attribute_groups(head) if self.is_attribute_head
                  else [self._class_group(head)])
        self.names, self.readouts = parse_semantics(
            semantics, groups, self._class_names,
            lambda: self._default_specs(groups))
        self.thresholds = (0.0,) * len(self.names)
        if self.cache_key is not None:
            specs = repr([(r.start, r.width, r.index, r.softmax, r.sign)
                          for r in self.readouts])
            self.cache_key = (f'scorer:{self.cache_key}:'
                              f'{hashlib.sha256(specs.encode()).hexdigest()[:8]}')

    @staticmethod
    def _attribute_groups(head) -> List[OutputGroup]:
        return [OutputGroup(a['name'], _GROUP_KIND[a['type']],
                            head.output_slices[a['name']].start,
                            head.output_slices[a['name']].stop
                            - head.output_slices[a['name']].start,
                            a['type'] == 'categorical')
                for a in head.attributes]

    def _class_group(self, head) -> OutputGroup:
        from mmpretrain.models.heads import MultiLabelClsHead
        width = getattr(head, 'num_classes', None)
        if not width:  # e.g. a bare ClsHead: count the outputs once
            probe = torch.zeros(1, 3, self.input_size, self.input_size)
            width = self._outputs(probe).shape[1]
        kind = 'logit' if isinstance(head, MultiLabelClsHead) else 'softmax'
        self._width = int(width)
        return OutputGroup('class', kind, 0, int(width), True)

    def _class_names(self, group: str) -> Optional[Sequence[str]]:
        if self._metainfo is None:
            self._metainfo = _dataset_metainfo(self.classifier_cfg)
        if not self.is_attribute_head:
            # Names that do not match the outputs (a bare ClsHead's
            # features) would silently pick the wrong column.
            names = self._metainfo.get('classes')
            return names if names and len(names) == self._width else None
        for attr in [*self.classifier.head.attributes,
                     *self._metainfo.get('attributes', ())]:
            if attr.get('name') == group and attr.get('classes'):
                return tuple(attr['classes'])
        return None

    def _default_specs(self, groups: Sequence[OutputGroup]):
        if self.is_attribute_head:
            return [g.name for g in groups if not g.indexed]
        names = (self._class_names('class')
                 or [f'class={k}' for k in range(self._width)])
        return {str(name): f'class={k}' for k, name in enumerate(names)}

    def _outputs(self, inputs: Tensor) -> Tensor:
        """Raw head outputs ``[N, O]`` of normalised inputs."""
        with torch.inference_mode():
            return self.classifier.head(self.classifier.extract_feat(inputs))

    def forward(self, images: Tensor) -> Tensor:
        """Scores ``[N, S]`` (float32, columns in :attr:`names` order) of
        images ``[N, 3, H, W]`` in ``[-1, 1]`` RGB."""
        with torch.inference_mode():
            return read_scores(self._outputs(self.preprocess(images)),
                               self.readouts)
