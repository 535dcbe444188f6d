"""torch's decorators, importing torch when the function runs, not when it
is defined: command modules stay cheap to import, so ``gankd <cmd> --help``
does not load torch (seconds) to print a usage line."""
import functools
from typing import Callable

__all__ = ['inference_mode']


def inference_mode(func: Callable) -> Callable:
    """``@inference_mode`` == ``@torch.inference_mode()`` for a plain
    function (not a generator): the call runs under
    ``torch.inference_mode()``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import torch
        with torch.inference_mode():
            return func(*args, **kwargs)

    return wrapper
