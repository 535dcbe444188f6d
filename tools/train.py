"""Thin wrapper: the same as `gankd train`; see gankd/apis/train.py."""
from gankd.apis.train import main

if __name__ == '__main__':
    main()
