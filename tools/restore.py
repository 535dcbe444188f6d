"""Thin wrapper: the same as `gankd restore`; see gankd/apis/restore.py."""
from gankd.apis.restore import main

if __name__ == '__main__':
    main()
