"""Thin wrapper: the same as `gankd evaluate-inversion`; see
gankd/apis/inversion_eval.py."""
from gankd.apis.inversion_eval import main

if __name__ == '__main__':
    main()
