"""Thin wrapper: the same as `gankd synthesize`; see
gankd/apis/synthesize.py."""
from gankd.apis.synthesize import main

if __name__ == '__main__':
    main()
