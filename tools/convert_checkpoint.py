"""Thin wrapper: the same as `gankd convert-checkpoint`; see
gankd/apis/convert.py."""
from gankd.apis.convert import main

if __name__ == '__main__':
    main()
