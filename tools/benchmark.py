"""Thin wrapper: the same as `gankd benchmark`; see gankd/apis/benchmark.py."""
from gankd.apis.benchmark import main

if __name__ == '__main__':
    main()
