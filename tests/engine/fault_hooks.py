# Copyright (c) seavis_mm contributors. All rights reserved.
"""Test-only hooks that inject faults into a real training run.

Imported by ``tests/data_configs/seavis_tiny_faults.py`` through
``custom_imports`` (the subprocess gets the repository root on PYTHONPATH).
"""
import os
import time
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from seavis_mm.registry import HOOKS


@HOOKS.register_module(force=True)
class InjectNaNLossHook(Hook):
    """Multiply the loss term ``term`` by NaN at the 1-based iteration
    ``at_iter`` (the real model computes everything else). ``at_iter=None``
    disables it."""

    priority = 'VERY_HIGH'

    def __init__(self, at_iter: Optional[int] = None,
                 term: str = 'loss_dice') -> None:
        self.at_iter = at_iter
        self.term = term

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.at_iter is None or runner.iter + 1 != self.at_iter:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        real_loss = model.loss
        term = self.term

        def poisoned_loss(*args, **kwargs):
            losses = real_loss(*args, **kwargs)
            if term not in losses:
                raise KeyError(f'InjectNaNLossHook: no loss term {term!r} '
                               f'in {sorted(losses)}')
            losses[term] = losses[term] * float('nan')
            return losses

        # an instance attribute shadows the method for this iteration only
        model.loss = poisoned_loss

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        model.__dict__.pop('loss', None)


@HOOKS.register_module(force=True)
class PauseAfterIterHook(Hook):
    """After the 1-based iteration ``at_iter`` and its checkpoint (priority
    LOWEST: after CheckpointHook), write ``ready_file`` and sleep, so that a
    test can SIGKILL the process at a known point. Disabled when ``at_iter``
    is None."""

    priority = 'LOWEST'

    def __init__(self, at_iter: Optional[int] = None,
                 ready_file: Optional[str] = None,
                 sleep_s: float = 600.) -> None:
        self.at_iter = at_iter
        self.ready_file = ready_file
        self.sleep_s = sleep_s

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.at_iter is None or runner.iter + 1 != self.at_iter:
            return
        with open(self.ready_file + '.tmp', 'w') as f:
            f.write(str(os.getpid()))
        os.replace(self.ready_file + '.tmp', self.ready_file)
        time.sleep(self.sleep_s)
