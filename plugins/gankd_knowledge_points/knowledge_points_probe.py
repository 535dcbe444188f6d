"""KnowledgePointsProbe: knowledge points of a classifier layer over its
training checkpoints (Cheng et al., CVPR 2020; Zhang et al., TPAMI 2023)."""
import copy
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from gankd.kinds import BaseProbe
from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import load_training_checkpoint
from gankd_knowledge_points.errors import KnowledgePointsError
from gankd_knowledge_points.foreground import foreground_grid
from gankd_knowledge_points.image_filter import valid_images
from gankd_knowledge_points.knowledge_metrics import (baseline_entropy,
                                                      count_points,
                                                      knowledge_points,
                                                      quality_ratio,
                                                      stability)
from gankd_knowledge_points.layer_feature import LayerFeature
from gankd_knowledge_points.learning_speed import learning_speed
from gankd_knowledge_points.settings import (MaskConfig, PointsConfig,
                                             SigmaConfig, build_settings)
from gankd_knowledge_points.sigma_learner import learn_sigma

__all__ = ['KnowledgePointsProbe']


class KnowledgePointsProbe(BaseProbe):
    """Layer-wise knowledge scores of a frozen classifier (a ``BaseProbe``
    whose frozen part is a classifier, not a generator; the generator
    methods of the base class do not apply).

    For each image and checkpoint it learns sigma (the Gaussian noise each
    input cell tolerates at ``layer``), turns it into an entropy map, and
    counts knowledge points (cells far below the background entropy):
    N_fg, N_bg, lambda, rho and, with the weight distances of training,
    D_mean / D_std / D_var.

    Args:
        classifier: an mmpretrain-style classifier (config dict, types
            scoped like ``mmpretrain.ImageClassifier``, or a module). It is
            frozen: eval mode, no parameter requires grad.
        layer: module path of the diagnosed layer (default: the last
            backbone stage); the feature is that module's output.
        relu: rectify features before comparing them (code).
        sigma_cfg: :class:`SigmaConfig` fields.
        points_cfg: :class:`PointsConfig` fields.
        mask_cfg: :class:`MaskConfig` fields.
        checkpoint_prefix: key prefix of the classifier inside the
            checkpoints (``'student.'`` for a distiller's student); ``''``
            for a plain classifier's run.
    """

    def __init__(self, classifier: Union[dict, nn.Module],
                 layer: Optional[str] = None, relu: bool = True,
                 sigma_cfg: Optional[dict] = None,
                 points_cfg: Optional[dict] = None,
                 mask_cfg: Optional[dict] = None,
                 checkpoint_prefix: str = '', init_cfg=None) -> None:
        super().__init__(init_cfg)
        if not isinstance(classifier, nn.Module):
            classifier = MODELS.build(scope_config_types(
                copy.deepcopy(dict(classifier))))
        self.classifier = classifier
        self.freeze('classifier')
        self.feature = LayerFeature(self.classifier, layer)
        self.relu = bool(relu)
        self.sigma_cfg = build_settings(SigmaConfig, sigma_cfg, 'sigma_cfg')
        self.points_cfg = build_settings(PointsConfig, points_cfg,
                                         'points_cfg')
        self.mask_cfg = build_settings(MaskConfig, mask_cfg, 'mask_cfg')
        self.checkpoint_prefix = checkpoint_prefix

    @property
    def layer(self) -> str:
        return self.feature.layer

    def load_checkpoint(self, path: str) -> None:
        """Load the classifier's weights from a training checkpoint
        (weights-only reader, strict).

        Raises:
            KnowledgePointsError: keys or shapes that do not fit, naming
                the file.
        """
        state = load_training_checkpoint(path)
        state = state.get('state_dict', state)
        prefix = self.checkpoint_prefix
        if prefix:
            state = {k[len(prefix):]: v for k, v in state.items()
                     if k.startswith(prefix)}
        try:
            self.classifier.load_state_dict(state, strict=True)
        except RuntimeError as error:
            first = (str(error).splitlines()[1:2] or [str(error)])[0]
            if len(first) > 160:  # torch lists every key: keep a few
                first = f'{first[:150].rsplit(",", 1)[0]}, ...'
            raise KnowledgePointsError(
                f'{path}: does not fit {type(self.classifier).__name__}'
                f' ({first.strip()}); check the config and '
                'checkpoint_prefix') from None
        self.classifier.eval()

    def learn_sigma(self, inputs: Tensor,
                    indices: Optional[Sequence[int]] = None
                    ) -> Dict[str, Tensor]:
        """Sigma of each image at the current weights; see
        :func:`~gankd_knowledge_points.sigma_learner.learn_sigma`.
        ``inputs`` ``[B, C, H, W]`` are preprocessed images."""
        self.classifier.eval()
        return learn_sigma(self.feature, inputs, self.sigma_cfg, indices,
                           self.relu)

    def foreground(self, count: int, masks=None, image_size=None,
                   indices=None) -> Tensor:
        """``[count, G, G]`` bool foreground (mask settings of the probe)."""
        grid = self.sigma_cfg.grid
        if grid is None:
            if image_size is None or image_size[0] != image_size[1]:
                raise KnowledgePointsError(
                    'per-pixel sigma (grid=None) needs square images and '
                    'their image_size to place the foreground')
            grid = int(image_size[0])
        return foreground_grid(self.mask_cfg, grid, count, masks,
                               image_size, indices)

    def analyse(self, checkpoints: Sequence[Tuple[int, str]],
                inputs: Tensor, masks=None,
                indices: Optional[Sequence[int]] = None,
                distances: Optional[Sequence[float]] = None) -> dict:
        """The whole analysis of one network over its checkpoints.

        Candidates are taken in order, ``images_per_batch`` at a time, and
        run through the checkpoints from last to first (code); an image
        that fails a filter stops being optimised; the loop ends once
        ``max_images`` images are valid.

        Args:
            checkpoints: ``(epoch, path)`` pairs, increasing epochs.
            inputs: ``[N, C, H, W]`` preprocessed candidate images.
            masks: ``[H, W]`` masks per image (``mask_cfg.source`` dataset).
            indices: the candidates' ids (noise streams, messages).
            distances: d_e per epoch (``WeightDistanceHook``) for D.

        Returns:
            dict: ``epochs``, ``indices``, ``valid`` ``[N]`` (``kept``: the
            valid ids), ``fg`` ``[N, G, G]``, ``entropy`` ``[M, N, G, G]``
            (cell entropies, channel mean for per-channel sigma, NaN where
            not learned), ``sigma_f2`` and ``chosen_iter`` ``[M, N]``, and
            ``metrics`` (:meth:`summarise` of the kept images).
        """
        epochs = [int(e) for e, _ in checkpoints]
        if any(b <= a for a, b in zip(epochs, epochs[1:])):
            raise KnowledgePointsError(
                f'checkpoint epochs must increase, got {epochs}')
        n = len(inputs)
        indices = list(range(n)) if indices is None else list(indices)
        fg = self.foreground(n, masks, tuple(inputs.shape[-2:]), indices)
        g = fg.shape[-1]
        entropy = torch.full((len(epochs), n, g, g), float('nan'))
        sigma_f2 = torch.full((len(epochs), n), float('nan'))
        chosen = torch.full((len(epochs), n), -1, dtype=torch.long)
        cfg = self.points_cfg
        found, step = 0, self.sigma_cfg.images_per_batch
        for start in range(0, n, step):
            if cfg.max_images is not None and found >= cfg.max_images:
                break
            alive = list(range(start, min(start + step, n)))
            for m in reversed(range(len(epochs))):
                if not alive:
                    break
                self.load_checkpoint(checkpoints[m][1])
                out = self.learn_sigma(inputs[alive],
                                       [indices[i] for i in alive])
                ent = out['entropy'].mean(1)  # [B, G, G] per cell
                entropy[m, alive] = ent
                sigma_f2[m, alive] = out['sigma_f2']
                chosen[m, alive] = out['chosen_iter']
                alive = [i for i in alive if self._survives(
                    entropy[m, i], fg[i], epochs[m], sigma_f2[m, i])]
            found += len(alive)
        valid = valid_images(entropy, fg, epochs, sigma_f2, cfg)
        kept = torch.nonzero(valid).flatten().tolist()
        metrics = self.summarise(entropy[:, kept], fg[kept], epochs,
                                 distances) if kept else None
        return dict(epochs=epochs, indices=indices, valid=valid,
                    kept=[indices[i] for i in kept], fg=fg, entropy=entropy,
                    sigma_f2=sigma_f2, chosen_iter=chosen, metrics=metrics)

    def _survives(self, entropy: Tensor, fg: Tensor, epoch: int,
                  sigma_f2: Tensor) -> bool:
        one = valid_images(entropy[None, None], fg[None], [epoch],
                           sigma_f2.reshape(1, 1),
                           PointsConfig(**{**self.points_cfg.__dict__,
                                           'max_images': None}))
        return bool(one[0])

    def summarise(self, entropy: Tensor, fg: Tensor, epochs: Sequence[int],
                  distances: Optional[Sequence[float]] = None) -> dict:
        """Metrics of images already selected (e.g. those valid for both S
        and B, :func:`~gankd_knowledge_points.image_filter.common_images`).

        Args:
            entropy: ``[M, N, G, G]``; fg: ``[N, G, G]``; epochs: ``[M]``;
            distances: d_e per epoch, for the D metrics (else omitted).

        Returns:
            dict of plain values: ``baseline`` per checkpoint (``[M]``, or
            ``[M][N]`` per image), per-checkpoint means ``N_fg``, ``N_bg``,
            ``lambda`` ``[M]``, the quantity ``table`` at
            ``table_checkpoint``, ``rho`` (fg, bg, total), ``per_image``
            counts ``[M][N]`` and, with distances, ``speed`` (D_mean, D_std,
            D_var, D and peak epoch per image).
        """
        cfg = self.points_cfg
        base = baseline_entropy(entropy, fg, cfg.baseline)
        points = knowledge_points(entropy, base, cfg.threshold)
        counts = count_points(points, fg)
        ratio = quality_ratio(counts['fg'], counts['bg'])
        row = self._table_index(epochs)
        rho = stability(points, fg)
        out = dict(
            epochs=list(epochs), images=int(entropy.shape[1]),
            baseline=base.squeeze(1).tolist() if base.shape[1] == 1
            else base.tolist(),
            N_fg=counts['fg'].double().mean(1).tolist(),
            N_bg=counts['bg'].double().mean(1).tolist(),
            **{'lambda': ratio.mean(1).tolist()},
            table=dict(epoch=epochs[row],
                       N_fg=float(counts['fg'][row].double().mean()),
                       N_bg=float(counts['bg'][row].double().mean()),
                       **{'lambda': float(ratio[row].mean())}),
            rho={k: float(v.mean()) for k, v in rho.items()},
            per_image=dict(N_fg=counts['fg'].tolist(),
                           N_bg=counts['bg'].tolist()))
        if distances is not None:
            speed = learning_speed(counts['fg'].numpy(), epochs, distances,
                                   cfg.d_skip_initial, cfg.d_include_empty)
            out['speed'] = {k: v.tolist() if hasattr(v, 'tolist') else v
                            for k, v in speed.items()}
        return out

    def _table_index(self, epochs: Sequence[int]) -> int:
        wanted = self.points_cfg.table_checkpoint
        if wanted == 'last':
            return len(epochs) - 1
        if wanted not in epochs:
            raise KnowledgePointsError(
                f'points_cfg.table_checkpoint {wanted} is not in the '
                f'checkpoint list {list(epochs)}')
        return list(epochs).index(wanted)

    def run(self, work_dir: str, **options) -> dict:
        raise NotImplementedError(
            'KnowledgePointsProbe has no run() yet: call analyse() and '
            'summarise() (the command arrives with tools/knowledge_points.py)')
