"""Turn the errors users cause into one line on stderr and exit status 1.

Set ``GANKD_DEBUG=1`` to see the traceback instead.
"""
import functools
import os
import sys

__all__ = ['UserError', 'user_errors', 'report_user_errors']


class UserError(ValueError):
    """Base of errors whose message names the bad input and the fix.

    Plugins subclass it (the core never imports them) so that every tool
    reports their errors in one line too.
    """


def user_errors() -> tuple:
    """Exception types whose message already says what is wrong and how to
    fix it; a traceback adds nothing for the user."""
    from gankd.apis.config import ConfigError
    from gankd.apis.generate import GenerationError
    from gankd.kinds import KindMismatchError
    from gankd.plugins import DuplicatePluginError, PluginLoadError
    from gankd.registry import UnknownComponentError
    from gankd.utils.checkpoint import CheckpointError
    from gankd.utils.converters import ConversionError
    from gankd.utils.model_index import ModelIndexError
    return (UserError, ConfigError, KindMismatchError, DuplicatePluginError,
            PluginLoadError, UnknownComponentError, CheckpointError,
            ConversionError, ModelIndexError, GenerationError)


def report_user_errors(main):
    """Decorate a command's ``main``: user errors exit 1 with one line."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        if os.environ.get('GANKD_DEBUG', '') not in ('', '0'):
            return main(*args, **kwargs)
        try:
            return main(*args, **kwargs)
        except user_errors() as error:
            print(f'error: {error}', file=sys.stderr)
            sys.exit(1)

    return wrapper
