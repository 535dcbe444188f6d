"""``gankd benchmark-generators`` / ``tools/benchmark_generators.py``:
generator forward and GAN training speed on this machine.

For each row: generator forward img/s (``torch.inference_mode``, noise
``const``, batch ``B``), FLOPs per generated image, training img/s of one
full regularisation cycle of ``UnconditionalGAN.train_step`` (D step, lazy
R1, G step, EMA; ``r1_interval`` iterations) and the FLOPs per trained
image, with the share of the machine's matmul peak each speed implies.
FLOPs are counted with ``torch.utils.flop_counter``'s formulas (2 x the
multiply-adds of convolutions and matrix products, backward included:
:func:`gankd.utils.complexity.count_call_flops`), so a
share of peak says how well the convolutions run, not how much work
elementwise layers add.

Rows: the three genforce fixture architectures (the settings of
``../shared/fixtures/genforce/README.md``, random weights), the SynthFaces
configs, and, forward only, the official 1024x1024 architectures.
"""
import argparse
import copy
import platform
import statistics
import time
from dataclasses import dataclass
from typing import List, Optional

from mmengine.config import Config

from gankd.config import load_config
from gankd.errors import report_user_errors

__all__ = ['Row', 'ROWS', 'measure_row', 'run', 'main']

#: matmul 2048^2, 2 threads, fp32 (ENVIRONMENT.md)
PEAK_GFLOPS = 199.0


def _fixture_gan(generator: dict, discriminator: dict, **recipe) -> dict:
    return dict(type='UnconditionalGAN', generator=generator,
                discriminator=discriminator, **recipe)


_Z64 = dict(z_space_dim=64, w_space_dim=64, mapping_layers=8,
            mapping_fmaps=64)
FIXTURE_MODELS = {
    'pggan_32 (fixture)': _fixture_gan(
        dict(type='PGGANGenerator', resolution=32, z_space_dim=64,
             fmaps_base=512, fmaps_max=64),
        dict(type='PGGANDiscriminator', resolution=32,
             minibatch_std_group_size=16, fmaps_base=512, fmaps_max=64),
        style_mixing_prob=0.0),
    'stylegan_128 (fixture)': _fixture_gan(
        dict(type='StyleGANGenerator', resolution=128, fmaps_base=512,
             fmaps_max=32, **_Z64),
        dict(type='StyleGANDiscriminator', resolution=128, fmaps_base=512,
             fmaps_max=32)),
    'stylegan2_64 (fixture)': _fixture_gan(
        dict(type='StyleGAN2Generator', resolution=64, fmaps_base=1024,
             fmaps_max=32, fused_modulate=False, **_Z64),
        dict(type='StyleGAN2Discriminator', resolution=64, fmaps_base=1024,
             fmaps_max=32)),
    # the official formulation: per-sample weights in one grouped conv
    'stylegan2_64 (fixture), fused_modulate=True': _fixture_gan(
        dict(type='StyleGAN2Generator', resolution=64, fmaps_base=1024,
             fmaps_max=32, fused_modulate=True, **_Z64),
        dict(type='StyleGAN2Discriminator', resolution=64, fmaps_base=1024,
             fmaps_max=32)),
}


@dataclass
class Row:
    """A model to time: a config path, or a model dict (``FIXTURE_MODELS``);
    ``train=False`` times the generator forward only."""
    name: str
    config: Optional[str] = None
    model: Optional[dict] = None
    train: bool = True
    batch: int = 32


ROWS = [
    *(Row(name, model=model) for name, model in FIXTURE_MODELS.items()),
    Row('StyleGAN2 SynthFaces 32',
        'configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py'),
    Row('StyleGAN2 SynthFaces 64',
        'configs/stylegan2/stylegan2-c64_1xb32_synthfaces64.py'),
    Row('PGGAN SynthFaces 32',
        'configs/pggan/pggan-c64_1xb32_synthfaces32.py'),
    Row('PGGAN 1024 (official widths)',
        'configs/pggan/pggan_8xb4_celebahq1024.py', train=False, batch=1),
    Row('StyleGAN 1024 (official widths)',
        'configs/stylegan/stylegan_8xb4_ffhq1024.py', train=False, batch=1),
    Row('StyleGAN2 1024 (official widths)',
        'configs/stylegan2/stylegan2_8xb4_ffhq1024.py', train=False, batch=1),
]


#: optimizers of rows given as a model dict (StyleGAN2's Adam)
DEFAULT_OPTIM = dict(
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.0, 0.99))),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99))))


def _row_config(row: Row) -> Config:
    """The row's config (read once): ``model`` and ``optim_wrapper``."""
    if row.config:
        return load_config(row.config)
    return Config(dict(model=row.model, optim_wrapper=DEFAULT_OPTIM))


def _build(cfg: Config, train: bool):
    from gankd.registry import MODELS
    if not train:  # forward only: no discriminator, no EMA copy
        from gankd.kinds import build_generator
        from gankd.registry import scope_config_types
        return None, build_generator(scope_config_types(
            copy.deepcopy(cfg.model.generator.to_dict())))
    model = MODELS.build(cfg.model)
    return model, model.generator


def _optim(cfg: Config, model):
    from gankd.engine.optimizers import MultiOptimWrapperConstructor
    optim_cfg = {k: v for k, v in dict(cfg.optim_wrapper).items()
                 if k != 'constructor'}
    return MultiOptimWrapperConstructor(optim_cfg)(model)


def _median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_row(row: Row, repeats: int = 3) -> dict:
    """Speeds and FLOPs of one row (see the module docstring)."""
    import torch

    from gankd.utils.complexity import count_call_flops
    cfg = _row_config(row)
    model, generator = _build(cfg, row.train)
    generator.eval()
    z = torch.randn(row.batch, generator.z_dim,
                    generator=torch.Generator().manual_seed(0))

    def forward(codes=z):
        with torch.inference_mode():
            generator(codes, noise_mode='const')

    result = dict(name=row.name, resolution=generator.resolution,
                  g_params=sum(p.numel() for p in generator.parameters()),
                  batch=row.batch)
    result['fwd_img_s'] = row.batch / _median_seconds(forward, repeats)
    with torch.no_grad():  # dispatch modes do not see inference-mode ops
        result['fwd_flops'] = count_call_flops(
            lambda: generator(z[:1], noise_mode='const'))
    if model is None:
        return result
    model.train()
    optim = _optim(cfg, model)
    size = generator.resolution
    batch = dict(inputs=torch.randint(
        0, 256, (row.batch, 3, size, size), dtype=torch.uint8,
        generator=torch.Generator().manual_seed(1)))
    cycle = max(model.r1_interval, 1)

    def train_cycle():
        for _ in range(cycle):
            model.train_step(batch, optim)

    result['train_img_s'] = row.batch * cycle / _median_seconds(
        train_cycle, max(1, repeats - 1))
    result['train_flops'] = count_call_flops(train_cycle) / (row.batch * cycle)
    result['cycle'] = cycle
    return result


def _fmt_rate(value: float) -> str:
    return f'{value:,.0f}' if value >= 10 else f'{value:.2f}'


def table(results: List[dict]) -> str:
    lines = [
        '| model | res | G params | batch | G forward img/s | GFLOPs/img '
        '(forward) | share of peak | train img/s | GFLOPs/img (train) '
        '| share of peak |',
        '|---|---|---|---|---|---|---|---|---|---|',
    ]
    for r in results:
        fwd_share = r['fwd_img_s'] * r['fwd_flops'] / 1e9 / PEAK_GFLOPS
        cells = [r['name'], str(r['resolution']),
                 f"{r['g_params'] / 1e6:.2f} M", str(r['batch']),
                 _fmt_rate(r['fwd_img_s']), f"{r['fwd_flops'] / 1e9:.3g}",
                 f'{fwd_share:.0%}']
        if 'train_img_s' in r:
            share = r['train_img_s'] * r['train_flops'] / 1e9 / PEAK_GFLOPS
            cells += [_fmt_rate(r['train_img_s']),
                      f"{r['train_flops'] / 1e9:.3g}", f'{share:.0%}']
        else:
            cells += ['-', '-', '-']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def run(rows: List[Row], out: Optional[str], repeats: int = 3) -> str:
    import torch

    from gankd.utils.checkpoint import atomic_write_bytes
    threads = torch.get_num_threads()
    results = []
    for row in rows:
        start = time.perf_counter()
        results.append(measure_row(row, repeats))
        print(f'{row.name}: {time.perf_counter() - start:.0f} s', flush=True)
    text = (f'torch {torch.__version__}, {threads} threads, '
            f'{platform.processor() or platform.machine()}; matmul peak '
            f'{PEAK_GFLOPS:.0f} GFLOP/s.\n\n' + table(results) + '\n')
    if out:
        atomic_write_bytes(text.encode(), out)
    return text


@report_user_errors
def main(argv=None, prog: Optional[str] = None) -> None:
    parser = argparse.ArgumentParser(
        prog=prog, description='Generator forward and GAN training speed.')
    parser.add_argument('--out', help='write the Markdown table here')
    parser.add_argument('--only', nargs='+', metavar='NAME',
                        help='rows whose name contains one of these')
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed runs per row (default: 3)')
    args = parser.parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out})
    rows = [r for r in ROWS if not args.only or any(
        key.lower() in r.name.lower() for key in args.only)]
    print(run(rows, args.out, args.repeats))
