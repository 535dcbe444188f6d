"""Thin wrapper: the same as `gankd generate`; see gankd/apis/generate.py."""
from gankd.apis.generate import main

if __name__ == '__main__':
    main()
