"""Bind a distiller's teacher cache to the train dataset, and publish the
rows each epoch wrote."""
import random

import numpy as np
import torch
from mmengine.dataset import BaseDataset, pseudo_collate
from mmengine.dist import (barrier, broadcast_object_list, get_rank,
                           get_world_size)
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from gankd.errors import UserError
from gankd.registry import HOOKS

__all__ = ['TeacherCacheHook']


class _RandomState:
    """Restores Python's, numpy's and torch's global generators on exit,
    so a look at a sample draws nothing the training run would draw."""

    def __enter__(self):
        self.state = (random.getstate(), np.random.get_state(),
                      torch.get_rng_state())

    def __exit__(self, *exc):
        random.setstate(self.state[0])
        np.random.set_state(self.state[1])
        torch.set_rng_state(self.state[2])
        return False


@HOOKS.register_module()
class TeacherCacheHook(Hook):
    """Opens ``model.teacher_cache`` for the train dataset before training
    (rank 0 builds or rebuilds the files, the other ranks then open them),
    syncs it after every epoch (every rank flags the rows it wrote, then
    all pick up each other's; the log says how many were read and
    computed) and closes it at the end.

    ``gankd train`` adds it when the model has ``teacher_cache``; a model
    without one is left alone.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if getattr(model, 'teacher_cache_cfg', None) is None:
            return
        dataset = runner.train_dataloader.dataset
        dataset_cfg = runner.cfg.get('train_dataloader', {}).get('dataset')
        if not isinstance(dataset, BaseDataset) or not dataset_cfg or \
                'pipeline' not in dataset_cfg:
            raise UserError(
                'teacher_cache: train_dataloader.dataset must be one dataset '
                f'with its pipeline in the config, not a '
                f'{type(dataset).__name__}; the cache keys the samples of '
                'one dataset.')
        dataset_cfg = dataset_cfg.to_dict() if hasattr(
            dataset_cfg, 'to_dict') else dict(dataset_cfg)
        with _RandomState():
            item = dataset[0]
        probe = model.data_preprocessor(pseudo_collate([item]),
                                        False)['inputs']
        rank, world = get_rank(), get_world_size()
        failure = [None]
        if rank == 0:
            try:
                model.bind_teacher_cache(dataset_cfg, len(dataset), probe)
            except UserError as error:
                if world == 1:
                    raise
                failure = [str(error)]
        if world > 1:
            # Rank 0 has built the files, or says why not (so that the
            # other ranks stop with it instead of waiting for it).
            broadcast_object_list(failure)
            if failure[0] is not None:
                raise UserError(failure[0])
        if rank != 0:
            model.bind_teacher_cache(dataset_cfg, len(dataset), probe,
                                     create=False)
        store = model.cached_teacher.store
        filled = ', '.join(f'{name} {store.filled_fraction(name):.0%}'
                           for name in store.names)
        runner.logger.info(
            f'teacher cache {store.directory}: {store.state}; '
            f'{store.rows} rows '
            f'({len(dataset)} samples x '
            f'{model.cached_teacher.augmentation.num_variants} augmentation '
            f"variants), {store.key['dtype']}; filled: {filled}")

    def after_train_epoch(self, runner) -> None:
        model = self._model(runner)
        if getattr(model, 'cached_teacher', None) is None:
            return
        # Every rank publishes before any refreshes, so that the next epoch
        # reads the rows the other ranks computed in this one.
        model.cached_teacher.sync(barrier if get_world_size() > 1 else None)
        stats = model.cached_teacher.take_stats()
        runner.logger.info(
            f"teacher cache: {stats['hits']} rows read, {stats['misses']} "
            'computed this epoch')

    def after_train(self, runner) -> None:
        model = self._model(runner)
        if getattr(model, 'cached_teacher', None) is not None:
            model.close_teacher_cache()

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model
