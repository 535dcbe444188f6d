"""Thin wrapper: the same as `gankd test`; see gankd/apis/test.py."""
from gankd.apis.test import main

if __name__ == '__main__':
    main()
