"""Thin wrapper: the same as `gankd edit`; see gankd/apis/edit.py."""
from gankd.apis.edit import main

if __name__ == '__main__':
    main()
