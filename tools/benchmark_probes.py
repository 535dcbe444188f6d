"""Time fitting one semantic boundary end to end (sampling, scoring, SVM);
see plugins/gankd_interfacegan/benchmark.py."""
from gankd_interfacegan.benchmark import main

if __name__ == '__main__':
    main()
