"""Thin wrapper: the same as `gankd benchmark-distillation-speed`; see
gankd/apis/distillation_speed.py."""
from gankd.apis.distillation_speed import main

if __name__ == '__main__':
    main()
