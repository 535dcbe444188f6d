"""One progress line on stderr for long batched work: redrawn in place on
a terminal, printed about every 10% (and at the end) in a log file."""
import sys

__all__ = ['ProgressLine']


class ProgressLine:
    """``ProgressLine('generate', total, unit='images')``; call
    :meth:`update` with the number of items just done.

    Args:
        label (str): what is being done (``'probe: sampling'``).
        total (int): items in all.
        unit (str): what the items are.
        enabled (bool): False prints nothing (library use, tests).
        min_total (int): print nothing for work of at most this many items
            (one batch is not worth a line).
    """

    def __init__(self, label: str, total: int, unit: str = 'images',
                 enabled: bool = True, min_total: int = 0) -> None:
        self.label, self.total, self.unit = label, int(total), unit
        self.enabled = enabled and self.total > min_total
        self.done = 0
        self.tty = sys.stderr.isatty()
        self._step = max(1, -(-self.total // 10))  # ceil(total / 10)
        self._next = self._step

    def update(self, count: int) -> None:
        if self.done >= self.total:
            return  # the final line is printed once
        self.done = min(self.total, self.done + int(count))
        if not self.enabled:
            return
        last = self.done >= self.total
        if not (self.tty or last or self.done >= self._next):
            return
        while self._next <= self.done:
            self._next += self._step
        prefix = '\r' if self.tty else ''
        end = '\n' if last or not self.tty else ''
        print(f'{prefix}{self.label}: {self.done}/{self.total} {self.unit}',
              end=end, file=sys.stderr, flush=True)
