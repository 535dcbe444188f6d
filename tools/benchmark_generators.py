"""Generator forward and GAN training speed on this machine; see
gankd/apis/generator_benchmark.py. Usage::

    python tools/benchmark_generators.py [--out TABLE.md] [--only NAME ...]
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from gankd.apis.generator_benchmark import main  # noqa: E402

if __name__ == '__main__':
    main()
