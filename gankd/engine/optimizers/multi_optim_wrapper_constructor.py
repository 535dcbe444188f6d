"""One optimizer wrapper per named submodule (GANs: generator and
discriminator), as an :class:`~mmengine.optim.OptimWrapperDict`."""
import copy
from typing import Optional

from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from torch import nn

from gankd.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['MultiOptimWrapperConstructor', 'lazy_regularization_optimizer']


def lazy_regularization_optimizer(optimizer_cfg: dict, interval: int) -> dict:
    """StyleGAN2's Adam adjustment for lazy regularisation.

    With a regulariser applied as an extra optimizer step every ``interval``
    iterations, a network takes ``interval + 1`` steps per ``interval``
    minibatches; StyleGAN2 keeps the effective learning rate and moment
    decay per minibatch unchanged with ``lr * c`` and ``betas ** c``,
    ``c = interval / (interval + 1)``.

    Args:
        optimizer_cfg: an Adam or AdamW config (``betas`` default to
            torch's ``(0.9, 0.999)``).
        interval: the regulariser's interval (R1 for D, path length for G).

    Returns:
        a new config with ``lr`` and ``betas`` adjusted.
    """
    kind = str(optimizer_cfg.get('type', ''))
    if 'Adam' not in kind:
        raise ValueError(f'lazy_reg_interval adjusts Adam; got {kind!r}')
    if int(interval) < 1:
        raise ValueError(f'lazy_reg_interval must be >= 1, got {interval}')
    ratio = interval / (interval + 1)
    cfg = copy.deepcopy(dict(optimizer_cfg))
    cfg['lr'] = cfg['lr'] * ratio
    beta1, beta2 = cfg.get('betas', (0.9, 0.999))
    cfg['betas'] = (beta1**ratio, beta2**ratio)
    return cfg


def _unwrap(module: nn.Module) -> nn.Module:
    while is_model_wrapper(module):  # DDP around the model or a submodule
        module = module.module
    return module


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Builds an :class:`~mmengine.optim.OptimWrapperDict` with one wrapper
    per submodule named in the config::

        optim_wrapper = dict(
            constructor='MultiOptimWrapperConstructor',
            generator=dict(optimizer=dict(type='Adam', lr=0.0025,
                                          betas=(0.0, 0.99)),
                           lazy_reg_interval=4),
            discriminator=dict(optimizer=dict(type='Adam', lr=0.0025,
                                              betas=(0.0, 0.99)),
                               lazy_reg_interval=16))

    Each entry is an ordinary single-optimizer wrapper config (``type``,
    ``optimizer``, ``clip_grad``, ``paramwise_cfg``, even its own
    ``constructor``) built by mmengine's constructor on that submodule
    alone. ``lazy_reg_interval`` applies
    :func:`lazy_regularization_optimizer`. Submodules not named (the EMA
    generator) get no optimizer.

    Args:
        optim_wrapper_cfg (dict): submodule name -> wrapper config.
        paramwise_cfg (dict, optional): not accepted here; give it inside
            an entry.
    """

    def __init__(self, optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        if paramwise_cfg is not None:
            raise ValueError(
                'MultiOptimWrapperConstructor: put paramwise_cfg inside the '
                "entry of the submodule it is for (e.g. generator=dict("
                'optimizer=..., paramwise_cfg=...)).')
        if not optim_wrapper_cfg:
            raise ValueError('MultiOptimWrapperConstructor: no submodule '
                             'entries (e.g. generator=dict(optimizer=...))')
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise ValueError(
                    f'MultiOptimWrapperConstructor: optim_wrapper.{name} '
                    'must be a dict with an optimizer (one entry per '
                    'submodule, e.g. generator=dict(optimizer=dict('
                    "type='Adam', lr=0.002)))")
        self.optim_wrapper_cfg = copy.deepcopy(dict(optim_wrapper_cfg))

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        model = _unwrap(model)
        wrappers, owners = {}, {}
        for name, cfg in self.optim_wrapper_cfg.items():
            module = getattr(model, name, None)
            if not isinstance(module, nn.Module):
                children = ', '.join(n for n, _ in model.named_children())
                raise ValueError(
                    f"optim_wrapper.{name}: the model has no submodule "
                    f"'{name}' (it has: {children}).")
            module = _unwrap(module)
            for param in module.parameters():
                if id(param) in owners:
                    raise ValueError(
                        f'optim_wrapper: {name} and {owners[id(param)]} '
                        'share parameters; each parameter needs exactly '
                        'one optimizer.')
                owners[id(param)] = name
            cfg = copy.deepcopy(cfg)
            interval = cfg.pop('lazy_reg_interval', None)
            if interval is not None:
                cfg['optimizer'] = lazy_regularization_optimizer(
                    cfg['optimizer'], interval)
            constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
                dict(type=cfg.pop('constructor',
                                  'DefaultOptimWrapperConstructor'),
                     paramwise_cfg=cfg.pop('paramwise_cfg', None),
                     optim_wrapper_cfg=cfg))
            wrappers[name] = constructor(module)
        return OptimWrapperDict(**wrappers)
