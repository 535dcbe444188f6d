"""Start-up time of ``gankd`` commands, median of interleaved runs.

Each command runs as ``python -m gankd.cli ...`` in a fresh interpreter with
``PYTHONPATH=ROOT:ROOT/plugins``, so two checkouts (before / after a change)
can be compared on one machine at one time: runs alternate between roots
and commands, so load on a shared machine hits both alike. Usage::

    python tools/analysis/startup_times.py ROOT [ROOT ...] [--runs 5]

Prints a markdown table: one row per command, one column per root, the
median wall time in seconds and whether ``torch`` / ``mmpretrain`` were
imported (``python -X importtime`` is the tool to see why).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ['--help'],
    ['train', '--help'],
    ['test', '--help'],
    ['print-config', '--help'],
    ['plugins', '--help'],
    ['export-student', '--help'],
    ['benchmark', '--help'],
    ['convert-checkpoint', '--help'],
    ['generate', '--help'],
    ['benchmark-generators', '--help'],
    ['probe', '--help'],
    ['edit', '--help'],
    ['invert', '--help'],
    ['evaluate-inversion', '--help'],
    ['plugins', '--no-load'],
    ['plugins'],
]

# Runs the command, then reports on stderr which heavy modules it imported.
RUNNER = ('import sys, runpy\n'
          'sys.argv = ["gankd"] + sys.argv[1:]\n'
          'try:\n'
          '    runpy.run_module("gankd.cli", run_name="__main__")\n'
          'except SystemExit:\n'
          '    pass\n'
          'print("HEAVY=" + ",".join(m for m in ("torch", "mmpretrain") '
          'if m in sys.modules), file=sys.stderr)\n')


def run_once(root: str, command: list) -> tuple:
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([root, os.path.join(root,
                                                              'plugins')]))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, '-c', RUNNER, *command],
                            cwd=root, env=env, capture_output=True,
                            text=True)
    elapsed = time.perf_counter() - start
    heavy = [line[len('HEAVY='):] for line in result.stderr.splitlines()
             if line.startswith('HEAVY=')]
    return elapsed, (heavy[-1] if heavy else '?')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('roots', nargs='+', help='checkouts to compare')
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    roots = [os.path.abspath(root) for root in args.roots]
    times = {(r, i): [] for r in roots for i in range(len(COMMANDS))}
    heavy = {}
    for _ in range(args.runs):
        for i, command in enumerate(COMMANDS):
            for root in roots:
                elapsed, imported = run_once(root, command)
                times[(root, i)].append(elapsed)
                heavy[(root, i)] = imported
    print('| command | ' + ' | '.join(roots) + ' |')
    print('|---|' + '---|' * len(roots))
    for i, command in enumerate(COMMANDS):
        cells = []
        for root in roots:
            median = statistics.median(times[(root, i)])
            imported = heavy[(root, i)]
            cells.append(f'{median:.2f} s' +
                         (f' ({imported})' if imported else ''))
        print(f"| `gankd {' '.join(command)}` | " + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
