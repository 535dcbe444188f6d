"""Errors of the probe plugins (one line naming the input and the fix)."""
from gankd.errors import UserError

__all__ = ['ProbeError']


class ProbeError(UserError):
    """A probe config or call that cannot work as given."""
