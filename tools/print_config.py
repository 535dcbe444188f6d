"""Thin wrapper: the same as `gankd print-config`; see gankd/apis/print_config.py."""
from gankd.apis.print_config import main

if __name__ == '__main__':
    main()
