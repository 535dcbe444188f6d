"""Thin wrapper: the same as `gankd export-student`; see gankd/apis/export.py."""
from gankd.apis.export import main

if __name__ == '__main__':
    main()
