"""Thin wrapper: the same as `gankd probe`; see gankd/apis/probe.py."""
from gankd.apis.probe import main

if __name__ == '__main__':
    main()
