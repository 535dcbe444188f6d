"""The ``gankd`` command: ``gankd <command> [args]``.

Each command is the same function as its ``tools/`` script, so the two never
drift: ``gankd train`` is ``tools/train.py``, and so on.

Start-up is cheap: this module imports only the command it runs, and every
command module imports torch, mmpretrain and the registries' modules inside
the functions that use them, so ``gankd --help`` and ``gankd <command>
--help`` never load them (``tests/apis/test_startup.py``).
"""
import importlib
import sys
from typing import List, Optional

__all__ = ['COMMANDS', 'main']

#: command -> (module under gankd.apis, one-line help)
COMMANDS = {
    'train': ('train', 'train a model from a config'),
    'test': ('test', 'evaluate a checkpoint'),
    'plugins': ('list_plugins', 'list installed plugins and components'),
    'print-config': ('print_config', 'print a config after merging'),
    'export-student': ('export', 'write a distilled student for mmpretrain'),
    'benchmark': ('benchmark', 'run the distillation benchmark'),
    'benchmark-distillation-speed': ('distillation_speed', 'time '
                                     'distillation steps with and without '
                                     'the teacher cache'),
    'build-teacher-cache': ('build_teacher_cache', 'fill a distiller\'s '
                            'teacher-output cache before training'),
    'convert-checkpoint': ('convert', 'convert an official generator '
                           'checkpoint'),
    'generate': ('generate', 'sample grids, interpolations, truncation '
                 'sweeps'),
    'benchmark-generators': ('generator_benchmark', 'time generator '
                             'forward and GAN training'),
    'probe': ('probe', 'fit semantic boundaries of a generator and report'),
    'edit': ('edit', 'edit codes along a semantic boundary (image grid)'),
    'invert': ('invert', 'invert images into latent codes (reconstruction, '
               'restoration)'),
    'restore': ('restore', 'restore degraded faces with a reference of '
                'the same person'),
    'synthesize': ('synthesize', 'new faces of given people, attribute '
                   'sweeps (FaceFeat-GAN)'),
    'evaluate-inversion': ('inversion_eval', 'PSNR / SSIM of inverters on '
                           'held-out images, per task'),
    'knowledge-points': ('knowledge_points', 'train T, B, S and analyse '
                         'their knowledge points (CVPR 2020)'),
}


def _usage() -> str:
    lines = ['usage: gankd <command> [args]  (gankd <command> -h for help)',
             '', 'commands:']
    width = max(map(len, COMMANDS)) + 2  # the longest name keeps a gap
    lines += [f'  {name:<{width}}{text}'
              for name, (_, text) in COMMANDS.items()]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(_usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"gankd: unknown command '{command}'\n\n{_usage()}",
              file=sys.stderr)
        return 2
    module = importlib.import_module(f'gankd.apis.{COMMANDS[command][0]}')
    module.main(rest, prog=f'gankd {command}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
