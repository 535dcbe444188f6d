"""Errors of the knowledge-points probe (one line naming the input and the
fix)."""
from gankd.errors import UserError

__all__ = ['KnowledgePointsError']


class KnowledgePointsError(UserError):
    """A layer, mask, checkpoint list or setting that cannot work as
    given; the message names it and says what would."""
