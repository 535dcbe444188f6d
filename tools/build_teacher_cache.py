"""Thin wrapper: the same as `gankd build-teacher-cache`; see
gankd/apis/build_teacher_cache.py."""
from gankd.apis.build_teacher_cache import main

if __name__ == '__main__':
    main()
