"""Speed of the batched sigma learner against the per-image reference loop
(docs/benchmarks/knowledge_points.md).

Both learn sigma for the same images at one layer of the SynthShapes
network of configs/knowledge_points (random weights: speed does not depend
on them), with the same settings and noise streams (their sigma agree:
tests/plugins/gankd_knowledge_points/test_sigma_learner.py). The two
contenders run in alternating rounds in this process, so load on the
machine hits both alike; reported: images*iterations per second of each
(median over rounds), the median of the per-round ratios, and the FLOP/s
of the batched learner (torch.utils.flop_counter over one iteration) as a
share of the machine's peak (--peak-gflops, ENVIRONMENT.md: ~200 on 2
cores).

    python tools/analysis/benchmark_sigma_learner.py --rounds 3
"""
import argparse
import statistics
import time

import torch


def build_feature(layer: str):
    from gankd.config import load_config
    from gankd.registry import MODELS, scope_config_types
    from gankd_knowledge_points.layer_feature import LayerFeature
    cfg = load_config('configs/_base_/models/resnet18-3stage-w8_cifar.py')
    net = MODELS.build(scope_config_types(cfg.model.to_dict())).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return LayerFeature(net, layer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--layer', default='backbone.layer3')
    parser.add_argument('--images', type=int, default=8)
    parser.add_argument('--iterations', type=int, default=10)
    parser.add_argument('--noise-batch', type=int, default=16)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--peak-gflops', type=float, default=200.0)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from torch.utils.flop_counter import FlopCounterMode

    from gankd_knowledge_points.reference_sigma_loop import reference_sigma
    from gankd_knowledge_points.settings import SigmaConfig
    from gankd_knowledge_points.sigma_learner import learn_sigma
    feature = build_feature(args.layer)
    images = torch.randn(args.images, 3, 32, 32,
                         generator=torch.Generator().manual_seed(0))
    cfg = SigmaConfig(iterations=args.iterations,
                      noise_batch=args.noise_batch,
                      images_per_batch=args.images, escalation_iter=None)
    work = args.images * args.iterations

    def batched():
        learn_sigma(feature, images, cfg)

    def loop():
        for i, image in enumerate(images):
            reference_sigma(feature, image, cfg, i)

    with FlopCounterMode(display=False) as counter:
        learn_sigma(feature, images, SigmaConfig(
            iterations=1, noise_batch=args.noise_batch,
            images_per_batch=args.images, escalation_iter=None))
    flops_per_iteration = counter.get_total_flops()  # + s_f^2 forward
    speeds = {'batched': [], 'loop': []}
    batched(), loop()  # warm-up
    for _ in range(args.rounds):
        for name, fn in (('batched', batched), ('loop', loop)):
            start = time.perf_counter()
            fn()
            speeds[name].append(work / (time.perf_counter() - start))
    ratio = statistics.median(b / l for b, l in zip(speeds['batched'],
                                                    speeds['loop']))
    batched_speed = statistics.median(speeds['batched'])
    gflops = flops_per_iteration * batched_speed / args.images / 1e9
    print(f'layer {args.layer}, {args.images} images x {args.iterations} '
          f'iterations, K={args.noise_batch}, {torch.get_num_threads()} '
          f'threads, {args.rounds} rounds')
    print('| contender | images*iterations/s (median) |')
    print('|---|---|')
    for name, values in speeds.items():
        print(f'| {name} | {statistics.median(values):.1f} |')
    print(f'median ratio batched/loop: {ratio:.2f}')
    print(f'batched: {flops_per_iteration / args.images / 1e6:.1f} MFLOP '
          f'per image-iteration (incl. the s_f^2 forward once), '
          f'{gflops:.1f} GFLOP/s = {100 * gflops / args.peak_gflops:.1f}% '
          f'of {args.peak_gflops:.0f} GFLOP/s')


if __name__ == '__main__':
    main()
