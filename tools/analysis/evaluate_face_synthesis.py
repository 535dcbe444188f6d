"""Thin wrapper; see gankd/apis/evaluate_face_synthesis.py."""
from gankd.apis.evaluate_face_synthesis import main

if __name__ == '__main__':
    main()
