"""What a model separation derived, and what each part costs."""
from dataclasses import dataclass, field
from typing import Dict, Tuple

__all__ = ['SplitReport']

_PARTS = ('given', 'student', 'assistant', 'connectors', 'head', 'total')


@dataclass
class SplitReport:
    """What :func:`split_model` derived, and what it costs.

    Attributes:
        student (dict): Backbone config of S.
        assistant (dict): Backbone config of A.
        channels (dict): ``'given'|'student'|'assistant'`` ->
            ``(stem_channels, base_channels)``.
        target_channels (int): ``C_T``, the connectors' output channels.
        divisor (int): Channels are multiples of it.
        input_size (int): Side of the image the FLOPs are counted on.
        parts (dict): ``'given'``, ``'student'``, ``'assistant'``,
            ``'connectors'``, ``'head'``, ``'total'`` -> ``(params, FLOPs)``;
            ``total`` is the whole derived classifier.
    """
    student: dict
    assistant: dict
    channels: Dict[str, Tuple[int, int]]
    target_channels: int
    divisor: int
    input_size: int
    parts: Dict[str, Tuple[int, int]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """FLOPs of the derived classifier / FLOPs of the given one."""
        return self.parts['total'][1] / self.parts['given'][1]

    @property
    def fits(self) -> bool:
        """Whether the derived classifier costs at most the given one."""
        return self.parts['total'][1] <= self.parts['given'][1]

    def width(self, name: str) -> float:
        """Realised width multiplier (base channels over the given's)."""
        return self.channels[name][1] / self.channels['given'][1]

    def table(self) -> str:
        """A Markdown table of params and FLOPs per part."""
        given_params, given_flops = self.parts['given']
        labels = {
            'given': 'given model',
            'student': f'student S (width {self.width("student"):.3g})',
            'assistant':
            f'assistant A (width {self.width("assistant"):.3g})',
            'connectors':
            f'connectors (1x1 conv+BN -> {self.target_channels})',
            'head': f'head (GAP + linear, {self.target_channels} in)',
            'total': 'total S + A + connectors + head',
        }
        lines = [
            f'FLOPs: torch.utils.flop_counter (2 x multiply-adds), one '
            f'{self.input_size}x{self.input_size} image; channels multiples '
            f'of {self.divisor}.', '',
            '| part | stem/base channels | params | MFLOPs | FLOPs vs given |',
            '|---|---|---:|---:|---:|'
        ]
        for name in _PARTS:
            params, flops = self.parts[name]
            channels = ('/'.join(map(str, self.channels[name]))
                        if name in self.channels else '-')
            lines.append(f'| {labels[name]} | {channels} | {params:,} | '
                         f'{flops / 1e6:.3f} | {flops / given_flops:.1%} |')
        verdict = 'fits' if self.fits else 'EXCEEDS'
        lines += ['', f'ratio total/given = {self.ratio:.4f} ({verdict} the '
                  f'budget); params total/given = '
                  f'{self.parts["total"][0] / given_params:.4f}']
        return '\n'.join(lines)
