"""The checks of spec ``facefeat_gan.md`` section 6 as numbers, from a
trained identity-conditioned face generator (FaceFeat-GAN or its
single-stage baseline), held-out real faces with identity labels, and an
independent identity classifier (never used in training).

Reached through the generator's inference API only (``sample``,
``render``, ``extract``, ``generate_features``, ``feature_names``,
``bank``); nothing here imports a plugin. Every number is computed on the
CPU in inference mode from seeded draws: the same inputs give the same
report.
"""
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['mean_pairwise_l1', 'feature_frechet_distance',
           'evaluate_generator']


def mean_pairwise_l1(images: Tensor) -> float:
    """Mean over pairs ``i < j`` of the mean absolute difference of
    ``[N, ...]`` tensors (N >= 2)."""
    flat = images.flatten(1)
    n = flat.shape[0]
    d = torch.cdist(flat[None].double(), flat[None].double(), p=1)[0]
    return float(d.triu(1).sum() / (n * (n - 1) / 2) / flat.shape[1])


def feature_frechet_distance(a: Tensor, b: Tensor) -> float:
    """Fréchet distance between Gaussians fitted to features ``[N, D]``
    and ``[M, D]`` (D may be 1; N, M >= 2)."""
    from gankd.evaluation.frechet_distance import (feature_statistics,
                                                   frechet_distance)
    mu1, s1 = feature_statistics(a.double().view(a.shape[0], -1).numpy())
    mu2, s2 = feature_statistics(b.double().view(b.shape[0], -1).numpy())
    return frechet_distance(mu1, np.atleast_2d(s1), mu2, np.atleast_2d(s2))


def _stage1(generator, real: Dict[str, Tensor], identity: Tensor,
            labels: Tensor, fresh=None, seed: int = 0) -> dict:
    """Check 2: per-identity Fréchet distance of generated vs real
    features (mean over identities and features), and the pose range."""
    out = {}
    for name, model in (('trained', generator), ('init', fresh)):
        if model is None or getattr(model, 'feature_source',
                                    'generators') == 'noise':
            continue
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(identity.shape[0], model.z_dim, generator=g)
        fake = model.generate_features(z, identity)
        dists = []
        for k in real:
            for label in labels.unique():
                m = labels == label
                if int(m.sum()) >= 3:
                    dists.append(feature_frechet_distance(real[k][m],
                                                          fake[k][m]))
        out[f'stage1_feature_fd_{name}'] = float(np.mean(dists))
        if name == 'trained' and 'pose' in real:
            lo, hi = real['pose'].min(), real['pose'].max()
            span = float(hi - lo)
            out['pose_range_real'] = [float(lo), float(hi)]
            out['pose_range_generated'] = [float(fake['pose'].min()),
                                           float(fake['pose'].max())]
            out['pose_range_within_20pct'] = bool(
                abs(float(fake['pose'].min() - lo)) <= 0.2 * span
                and abs(float(fake['pose'].max() - hi)) <= 0.2 * span)
    if 'stage1_feature_fd_init' in out:
        out['stage1_fd_reduction'] = 1 - out['stage1_feature_fd_trained'] / \
            max(out['stage1_feature_fd_init'], 1e-12)
    return out


@torch.inference_mode()
def evaluate_generator(generator, evaluator, images: Tensor, labels: Tensor,
                       per_identity: int = 16, sweep_values=(-1.0, 1.0),
                       fresh=None, seed: int = 0) -> dict:
    """Spec section 6, checks 2-6 (7 compares the reports of runs).

    Args:
        generator: a trained face generator (eval mode) whose identity bank
            holds the training identities.
        evaluator: the independent identity classifier: ``logits(images)
            -> [N, I]`` and ``forward(images) -> [N, D]`` embeddings (a
            ``FaceIdentityEncoder`` of the evaluation classifier).
        images: held-out real faces ``[N, 3, R, R]`` in ``[-1, 1]``.
        labels: their identities ``[N]`` (bank indices).
        per_identity: generated faces per identity.
        sweep_values: pose feature values of the controllability check.
        fresh: the same generator freshly initialised (check 2's starting
            point); None skips the reduction.
        seed: seed of every draw.

    Returns:
        a flat dict of numbers and booleans (see README).
    """
    report = {}
    real = generator.extract(images)
    identity, features = real['identity'], real['features']
    report.update(_stage1(generator, features, identity, labels, fresh, seed))
    # check 3: reconstruction with own vs another image's features
    if generator.feature_source != 'noise':
        own = generator.render(identity, features)
        perm = torch.roll(torch.arange(images.shape[0]), 1)
        other = generator.render(identity,
                                 {k: v[perm] for k, v in features.items()})
        report['recon_l1_own_features'] = float((own - images).abs().mean())
        report['recon_l1_other_features'] = float(
            (other - images).abs().mean())
    # checks 4 and 5 on per_identity samples of each known identity
    known = generator.bank.known().nonzero().view(-1).tolist()
    fakes, fake_labels, diversity, real_diversity = [], [], [], []
    for i, index in enumerate(known):
        sample = generator.sample(index, per_identity, seed + 1000 * i)
        fakes.append(sample['image'])
        fake_labels += [index] * per_identity
        diversity.append(mean_pairwise_l1(sample['image']))
        mine = images[labels == index]
        if mine.shape[0] >= 2:
            real_diversity.append(mean_pairwise_l1(mine))
    fakes, fake_labels = torch.cat(fakes), torch.tensor(fake_labels)
    predicted = evaluator.logits(fakes).argmax(1)
    report['num_identities'] = len(known)
    report['chance'] = 1.0 / len(known)
    report['identity_accuracy'] = float((predicted == fake_labels)
                                        .float().mean())
    report['identity_accuracy_real'] = float(
        (evaluator.logits(images).argmax(1) == labels).float().mean())
    emb_fake = F.normalize(evaluator(fakes), dim=1)
    emb_real = F.normalize(evaluator(images), dim=1)
    cos = emb_fake @ emb_real.t()
    same = fake_labels[:, None] == labels[None]
    report['cosine_same_identity'] = float(cos[same].mean())
    report['cosine_other_identity'] = float(cos[~same].mean())
    report['diversity_generated'] = float(np.mean(diversity))
    report['diversity_real'] = float(np.mean(real_diversity)) \
        if real_diversity else float('nan')
    report['diversity_ratio'] = report['diversity_generated'] / \
        report['diversity_real']
    again = generator.sample(known[0], 2, seed)['image']
    report['deterministic'] = bool(torch.equal(
        again, generator.sample(known[0], 2, seed)['image']))
    # check 6: pose feature set to each value, the pose regressor reads it
    if 'pose' in generator.feature_names:
        base = generator.sample(known[0], per_identity, seed)
        reads = []
        for value in sweep_values:
            feats = dict(base['features'])
            feats['pose'] = torch.full_like(feats['pose'], float(value))
            image = generator.render(base['identity'], feats)
            reads.append(float(generator.extract(image)['features']['pose']
                               .mean()))
        report['pose_sweep_values'] = [float(v) for v in sweep_values]
        report['pose_sweep_readout'] = reads
        report['pose_sweep_monotone'] = bool(all(
            b > a for a, b in zip(reads, reads[1:])))
    return report
