"""Thin wrapper: the same as `gankd invert`; see gankd/apis/invert.py."""
from gankd.apis.invert import main

if __name__ == '__main__':
    main()
