# Copyright (c) seavis_mm contributors. All rights reserved.
import math
from typing import Optional

import torch
from mmengine.hooks import Hook

from seavis_mm.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN or infinite loss."""


@HOOKS.register_module()
class CheckFiniteLossHook(Hook):
    """Stop training at the first non-finite loss, naming the iteration and
    the loss term.

    mmdet's ``CheckInvalidLossHook`` only says "loss become infinite or NaN"
    every N iterations; this one checks every term of every iteration and
    runs before :class:`~mmengine.hooks.CheckpointHook` (priority
    ``ABOVE_NORMAL`` vs ``VERY_LOW``), so no checkpoint with NaN weights is
    written: the last checkpoint on disk stays the last good one.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, interval: int = 1) -> None:
        self.interval = interval

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if outputs is None or not self.every_n_train_iters(
                runner, self.interval):
            return
        bad = []
        for name, value in outputs.items():
            v = value.item() if isinstance(value, torch.Tensor) else value
            if isinstance(v, (int, float)) and not math.isfinite(v):
                bad.append(f'{name}={v}')
        if bad:
            raise NonFiniteLossError(
                f'Non-finite loss at iteration {runner.iter + 1}: '
                f'{", ".join(bad)}. Training stopped before a checkpoint '
                'with these weights was written; lower the learning rate or '
                'check the data, then resume from the last checkpoint in '
                f'{runner.work_dir} with --resume.')
