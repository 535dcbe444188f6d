"""Thin wrapper: the same as `gankd knowledge-points`; see
gankd/apis/knowledge_points.py."""
from gankd.apis.knowledge_points import main

if __name__ == '__main__':
    main()
