"""Errors users cause, and how every command reports them: one line on
stderr, exit status 1.

Every gankd error whose message names the bad input and the fix derives
from :class:`UserError` (plugins subclass it too), so a command needs only
:func:`report_user_errors` to turn them into one line. Set ``GANKD_DEBUG=1``
to see the traceback instead.

This module is core: it imports nothing of gankd, so datasets, models,
plugins and commands all use it.
"""
import functools
import os
import sys

__all__ = ['UserError', 'ConfigError', 'DEBUG_ENV', 'debug_enabled',
           'report_user_errors']

DEBUG_ENV = 'GANKD_DEBUG'


class UserError(ValueError):
    """Base of errors whose message names the bad input and the fix.

    Subclasses may add a second builtin base (``KeyError``, ``TypeError``,
    ``RuntimeError``) where callers catch that.
    """


class ConfigError(UserError):
    """A config cannot be used; the message lists each problem on a line."""


def debug_enabled() -> bool:
    """Whether ``GANKD_DEBUG`` asks for tracebacks."""
    return os.environ.get(DEBUG_ENV, '') not in ('', '0')


def report_user_errors(main):
    """Decorate a command's ``main``: user errors exit 1 with one line."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        if debug_enabled():
            return main(*args, **kwargs)
        try:
            return main(*args, **kwargs)
        except UserError as error:
            print(f'error: {error}', file=sys.stderr)
            sys.exit(1)

    return wrapper
