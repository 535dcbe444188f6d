"""DistributedDataParallel for models that train in phases.

DDP registers the parameters that require grad when it wraps a model, and
synchronises only those. A phased model (stage-by-stage KD, progressive
Residual KD) requires grad only for its first phase's parameters at that
moment, so later phases would train unsynchronised copies. The runner
therefore wraps it inside ``model.all_phases_trainable()``: the union of
every phase's parameters is registered once, then the current phase is
restored.

In a phase, the registered parameters of the other phases have
``requires_grad=False`` and receive no gradient. What DDP does with such
registered parameters (checked with torch 2.14, gloo):

* ``find_unused_parameters=False``: the reducer waits for gradients that
  never come; the second iteration fails with "Expected to have finished
  reduction in the prior iteration".
* ``find_unused_parameters=True``: after each forward DDP walks the
  autograd graph from the outputs and marks the parameters it does not
  reach as ready; a parameter unused on every process keeps its ``.grad``
  untouched (None), so SGD's weight decay and momentum skip it, as in one
  process. The buckets are still all-reduced whole (zeros where a
  parameter is frozen): the cost of an ordinary data-parallel step of all
  registered parameters.

So phased models get ``find_unused_parameters=True``: correct, and the
cheapest way with one wrapper for the whole run. (A new wrapper per phase
would all-reduce only that phase's parameters, at the price of a new
reducer and a broadcast of the whole model at every switch.) All processes
are always in the same phase (it is a function of the epoch), so a
parameter unused on one process is unused on all.
"""
import copy
from typing import Optional

from mmengine.registry import MODEL_WRAPPERS
from torch.nn.parallel import DistributedDataParallel

from gankd.errors import ConfigError

__all__ = ['is_phased', 'phased_wrapper_cfg']


def is_phased(model) -> bool:
    """Whether ``model`` trains different parameters in different phases."""
    return len(getattr(model, 'phases', None) or ()) > 1


def phased_wrapper_cfg(model_wrapper_cfg: Optional[dict]) -> dict:
    """``model_wrapper_cfg`` for a phased model: mmengine's defaults
    (``MMDistributedDataParallel``, ``broadcast_buffers=False``) with
    ``find_unused_parameters=True``.

    Raises:
        ConfigError: the config asks for ``find_unused_parameters=False``
            or a wrapper that is not a DistributedDataParallel.
    """
    cfg = copy.deepcopy(model_wrapper_cfg) or {}
    cfg.setdefault('type', 'MMDistributedDataParallel')
    wrapper = MODEL_WRAPPERS.get(cfg['type'])
    if not (isinstance(wrapper, type) and
            issubclass(wrapper, DistributedDataParallel)):
        raise ConfigError(
            f"model_wrapper_cfg.type: '{cfg['type']}' is not a "
            'DistributedDataParallel; a model trained in phases runs on '
            "several processes with type='MMDistributedDataParallel' "
            '(or remove model_wrapper_cfg).')
    if cfg.get('find_unused_parameters', True) is not True:
        raise ConfigError(
            'model_wrapper_cfg.find_unused_parameters: must be True for a '
            'model trained in phases (each phase leaves the others\' '
            'parameters without gradient); remove it.')
    cfg['find_unused_parameters'] = True
    cfg.setdefault('broadcast_buffers', False)
    return cfg
