"""KnowledgePointsAnalysis: the probe over several networks, seeds, layers
and checkpoints, with per-checkpoint results cached as files, S-vs-B
comparisons on common images, and the outputs (``experiment_outputs``).

Equivalent to :meth:`KnowledgePointsProbe.analyse` per network and layer
(same kept images, same metrics: each image's noise stream is its own, so
batching and order do not change its sigma), but organised by checkpoint
so an interrupted run resumes: checkpoints go from last to first, each
learns sigma for the candidates still valid at the later ones and writes
``sigma_epoch_<e>.pt``; a file whose settings digest matches is reused.
Candidates beyond ``max_images`` valid ones are learned too (the code
stops earlier); keep ``num_candidates`` close to ``max_images``.
"""
import hashlib
import json
import os
from typing import List, Optional, Sequence

import torch

from gankd.utils.checkpoint import (load_training_checkpoint,
                                    save_checkpoint)
from gankd_knowledge_points.experiment_images import (candidate_images,
                                                      preprocess)
from gankd_knowledge_points.experiment_outputs import write_outputs
from gankd_knowledge_points.image_filter import common_images, valid_images
from gankd_knowledge_points.knowledge_points_probe import \
    KnowledgePointsProbe
from gankd_knowledge_points.learning_speed import load_weight_distance
from gankd_knowledge_points.settings import PointsConfig

__all__ = ['KnowledgePointsAnalysis']


class KnowledgePointsAnalysis:
    """Args:
        layers: module paths diagnosed in every network.
        images: candidate images (:func:`candidate_images` fields).
        probe: ``relu``, ``sigma_cfg``, ``points_cfg``, ``mask_cfg``.
        compare: pairs ``(a, b)`` of network names (S, B) compared per seed
            and layer on the images valid for both.
        grid_images: images per entropy-map grid.
    """

    def __init__(self, layers: Sequence[str], images: dict,
                 probe: Optional[dict] = None, compare: Sequence = (),
                 grid_images: int = 8) -> None:
        self.layers = list(layers)
        self.images_cfg = dict(images)
        self.probe_cfg = dict(probe or {})
        self.compare = [tuple(p) for p in compare]
        self.grid_images = int(grid_images)

    def run(self, out_dir: str, runs: List[dict],
            progress: bool = True) -> dict:
        """Analyse ``runs`` and write the outputs under ``out_dir``.

        Args:
            runs: per (network, seed): ``name``, ``seed``, ``classifier``
                (config dict), ``checkpoint_prefix``, ``checkpoints``
                (``[(epoch, path)]``, increasing) and ``distances``
                (layer -> ``weight_distance.json`` path or None).

        Returns:
            ``{'learned': sigma files written now, 'results': ...,
            'comparisons': ...}``.
        """
        images = candidate_images(self.images_cfg)
        todo = len(runs) * len(self.layers)
        results, learned = [], 0
        for run in runs:
            for layer in self.layers:
                done = len(results) + 1
                if progress:
                    print(f"knowledge-points: sigma of {run['name']} seed "
                          f"{run['seed']} at {layer} ({done}/{todo})",
                          flush=True)
                result, count = self._analyse(out_dir, run, layer, images,
                                              progress)
                results.append(result)
                learned += count
        comparisons = self._compare(results)
        write_outputs(out_dir, results, comparisons, images,
                      self.grid_images)
        return dict(learned=learned, results=results,
                    comparisons=comparisons)

    # -- one network, one layer -------------------------------------------
    def _probe(self, run: dict, layer: str) -> KnowledgePointsProbe:
        cfg = self.probe_cfg
        return KnowledgePointsProbe(
            run['classifier'], layer=layer, relu=cfg.get('relu', True),
            sigma_cfg=cfg.get('sigma_cfg'), points_cfg=cfg.get('points_cfg'),
            mask_cfg=cfg.get('mask_cfg'),
            checkpoint_prefix=run.get('checkpoint_prefix', ''))

    def _digest(self, probe, path: str, indices) -> str:
        key = dict(sigma=probe.sigma_cfg.__dict__, relu=probe.relu,
                   layer=probe.layer, checkpoint=os.path.abspath(path),
                   size=os.path.getsize(path), images=self.images_cfg,
                   indices=list(indices))
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str)
                              .encode()).hexdigest()[:16]

    def _analyse(self, out_dir, run, layer, images, progress):
        probe = self._probe(run, layer)
        inputs = preprocess(probe.classifier, images['rgb'])
        indices = images['indices']
        n = len(indices)
        fg = probe.foreground(n, list(torch.from_numpy(images['masks'])),
                              tuple(inputs.shape[-2:]), indices)
        folder = os.path.join(out_dir, run['name'], f"seed{run['seed']}",
                              layer)
        os.makedirs(folder, exist_ok=True)
        epochs = [int(e) for e, _ in run['checkpoints']]
        g = fg.shape[-1]
        entropy = torch.full((len(epochs), n, g, g), float('nan'))
        sigma_f2 = torch.full((len(epochs), n), float('nan'))
        chosen = torch.full((len(epochs), n), -1, dtype=torch.long)
        survive_cfg = PointsConfig(**{**probe.points_cfg.__dict__,
                                      'max_images': None})
        alive = torch.ones(n, dtype=torch.bool)
        learned = 0
        for m in reversed(range(len(epochs))):
            epoch, path = run['checkpoints'][m]
            cache = os.path.join(folder, f'sigma_epoch_{epoch}.pt')
            digest = self._digest(probe, path, indices)
            part = self._load(cache, digest)
            if part is None or not torch.equal(part['alive'], alive):
                part = self._learn(probe, path, inputs, alive, indices, g)
                part.update(alive=alive.clone(), digest=digest)
                save_checkpoint(part, cache)
                learned += 1
            entropy[m], sigma_f2[m] = part['entropy'], part['sigma_f2']
            chosen[m] = part['chosen_iter']
            alive &= valid_images(entropy[m:m + 1], fg, [epoch],
                                  sigma_f2[m:m + 1], survive_cfg)
        valid = valid_images(entropy, fg, epochs, sigma_f2, probe.points_cfg)
        kept = torch.nonzero(valid).flatten().tolist()
        distances = None
        if run['distances'].get(layer):
            distances = load_weight_distance(run['distances'][layer])
        metrics = probe.summarise(entropy[:, kept], fg[kept], epochs,
                                  distances) if kept else None
        return dict(name=run['name'], seed=run['seed'], layer=layer,
                    folder=folder, epochs=epochs, entropy=entropy, fg=fg,
                    sigma_f2=sigma_f2, chosen_iter=chosen, valid=valid,
                    kept=kept, distances=distances, metrics=metrics,
                    probe=probe), learned

    @staticmethod
    def _load(cache: str, digest: str) -> Optional[dict]:
        if not os.path.isfile(cache):
            return None
        part = load_training_checkpoint(cache)
        return part if part.get('digest') == digest else None

    @staticmethod
    def _learn(probe, path, inputs, alive, indices, g) -> dict:
        """Sigma of the ``alive`` images at one checkpoint; NaN elsewhere."""
        n = len(indices)
        entropy = torch.full((n, g, g), float('nan'))
        sigma_f2 = torch.full((n, ), float('nan'))
        chosen = torch.full((n, ), -1, dtype=torch.long)
        rows = torch.nonzero(alive).flatten().tolist()
        if rows:
            probe.load_checkpoint(path)
            out = probe.learn_sigma(inputs[rows], [indices[i] for i in rows])
            entropy[rows] = out['entropy'].mean(1)  # channel mean per cell
            sigma_f2[rows] = out['sigma_f2']
            chosen[rows] = out['chosen_iter']
        return dict(entropy=entropy, sigma_f2=sigma_f2, chosen_iter=chosen)

    # -- S vs B -------------------------------------------------------------
    def _compare(self, results: List[dict]) -> List[dict]:
        """Per pair, seed and layer: both networks' metrics on the images
        valid for both (sorted ids), over the checkpoints of each."""
        index = {(r['name'], r['seed'], r['layer']): r for r in results}
        out = []
        for a, b in self.compare:
            for (name, seed, layer), ra in index.items():
                rb = index.get((b, seed, layer))
                if name != a or rb is None:
                    continue
                common = common_images(ra['valid'], rb['valid'])
                entry = dict(pair=[a, b], seed=seed, layer=layer,
                             images=common)
                for key, r in (('a', ra), ('b', rb)):
                    entry[key] = r['probe'].summarise(
                        r['entropy'][:, common], r['fg'][common],
                        r['epochs'], r['distances']) if common else None
                out.append(entry)
        return out
