"""Per-epoch path length of chosen weights, normalised by their initial
norm (knowledge points' learning speed, spec kd_knowledge_points §2.1)."""
import difflib
import json
import os
from typing import List, Optional, Sequence

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from gankd.errors import ConfigError
from gankd.registry import HOOKS
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['WeightDistanceHook']

STATE_KEY = 'weight_distance'


@HOOKS.register_module()
class WeightDistanceHook(Hook):
    """d_e = sum over the iterations of epoch e of ``||w_after - w_before||``
    divided by ``||w_0||``, w the chosen parameters flattened into one
    vector and w_0 their value when training starts (after init and
    ``load_from``).

    After every epoch it writes ``filename`` in the work dir (atomically):
    ``{"params": [...], "initial_norm": float, "distance": [d_1, ...],
    "path_length": [P(1), ...]}``, P(c) = d_1 + ... + d_c the path length
    to the checkpoint after c epochs. Its state (initial norm, finished
    epochs, the running sum of an unfinished epoch) is saved in every
    checkpoint, so ``--resume`` continues the same record; resuming from a
    checkpoint without it is refused.

    Args:
        layer: module path whose ``weight`` is followed (the diagnosed
            layer, e.g. ``'backbone.layer4.1.conv2'``).
        params: parameter names or module paths (all their parameters),
            instead of ``layer``.
        all_params: follow every parameter that requires grad when
            training starts.
        filename: the record's file name in the work dir.
    """

    priority = 'NORMAL'

    def __init__(self, layer: Optional[str] = None,
                 params: Optional[Sequence[str]] = None,
                 all_params: bool = False,
                 filename: str = 'weight_distance.json') -> None:
        if sum([layer is not None, params is not None, all_params]) != 1:
            raise ConfigError('WeightDistanceHook: give exactly one of '
                              'layer, params and all_params=True')
        self.layer, self.params, self.all_params = layer, params, all_params
        self.filename = filename
        self._names: List[str] = []
        self._tensors: List[torch.Tensor] = []
        self._before: List[torch.Tensor] = []
        self._loaded: Optional[dict] = None
        self._state: Optional[dict] = None

    # -- choosing the parameters ---------------------------------------
    def _select(self, model) -> List[str]:
        named = dict(model.named_parameters())
        if self.all_params:
            return [n for n, p in named.items() if p.requires_grad]
        wanted = ([f'{self.layer}.weight'] if self.layer is not None
                  else list(self.params))
        names = []
        for name in wanted:
            if name in named:
                names.append(name)
                continue
            inside = [n for n in named if n.startswith(name + '.')]
            if not inside:
                close = difflib.get_close_matches(name, list(named), n=3)
                raise ConfigError(
                    f'WeightDistanceHook: {name!r} is neither a parameter '
                    f'nor a module with parameters of '
                    f'{type(model).__name__}'
                    + (f"; did you mean {', '.join(close)}?" if close else
                       ''))
            names.extend(inside)
        return names

    @torch.no_grad()
    def _flat(self) -> torch.Tensor:
        return torch.cat([t.detach().reshape(-1).double()
                          for t in self._tensors])

    # -- hooks ------------------------------------------------------------
    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._names = self._select(model)
        named = dict(model.named_parameters())
        self._tensors = [named[n] for n in self._names]
        if runner.iter > 0:  # resumed
            if self._loaded is None:
                raise ConfigError(
                    'WeightDistanceHook: the resumed checkpoint has no '
                    'weight-distance state (saved without this hook); the '
                    'initial norm is lost. Start the run again with the '
                    'hook.')
            if self._loaded['params'] != self._names:
                raise ConfigError(
                    'WeightDistanceHook: the resumed checkpoint followed '
                    f"other parameters ({len(self._loaded['params'])}); use "
                    'the same layer/params as the interrupted run.')
            self._state = self._loaded
        else:
            norm = float(self._flat().norm())
            if norm == 0:
                raise ConfigError(
                    'WeightDistanceHook: the followed parameters are all '
                    'zero at the start; their norm cannot normalise.')
            self._state = dict(params=self._names, initial_norm=norm,
                               distance=[], running=0.0)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._before = [t.detach().clone() for t in self._tensors]

    @torch.no_grad()
    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        step = torch.cat([(t.detach() - b).reshape(-1).double()
                          for t, b in zip(self._tensors, self._before)])
        self._state['running'] += float(step.norm())
        self._before = []

    def after_train_epoch(self, runner) -> None:
        state = self._state
        state['distance'].append(state['running'] / state['initial_norm'])
        state['running'] = 0.0
        if is_main_process():
            self._write(os.path.join(runner.work_dir, self.filename))

    def _write(self, path: str) -> None:
        state = self._state
        lengths, total = [], 0.0
        for d in state['distance']:
            total += d
            lengths.append(total)
        record = dict(params=state['params'],
                      initial_norm=state['initial_norm'],
                      distance=state['distance'], path_length=lengths)
        atomic_write_bytes(json.dumps(record, indent=1).encode(), path)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._state is not None:
            checkpoint[STATE_KEY] = dict(
                params=list(self._state['params']),
                initial_norm=float(self._state['initial_norm']),
                distance=[float(d) for d in self._state['distance']],
                running=float(self._state['running']))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # also called for load_from; before_train uses it only on resume
        state = checkpoint.get(STATE_KEY)
        self._loaded = None if state is None else dict(
            params=list(state['params']),
            initial_norm=float(state['initial_norm']),
            distance=[float(d) for d in state['distance']],
            running=float(state['running']))
