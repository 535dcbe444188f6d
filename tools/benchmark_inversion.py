"""mGANprior's batched codes against a per-code loop (iterations/s, time to
a PSNR target); see plugins/gankd_mganprior/benchmark.py."""
from gankd_mganprior.benchmark import main

if __name__ == '__main__':
    main()
