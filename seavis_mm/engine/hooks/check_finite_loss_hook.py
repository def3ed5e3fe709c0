# Copyright (c) seavis_mm contributors. All rights reserved.
import math
from typing import Iterable, Optional, Tuple

import torch
from mmengine.hooks import Hook

from seavis_mm.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN or infinite loss."""


class NonFiniteWeightsError(NonFiniteLossError):
    """The weights became NaN or infinite (the loss may still have been
    finite: overflowing gradients), so they must not be checkpointed."""


def first_non_finite(
        named_tensors: Iterable[Tuple[str, torch.Tensor]]) -> Optional[str]:
    """The name of the first floating-point tensor holding a NaN or an
    infinity, or None when all are finite."""
    names, flags = [], []
    for name, tensor in named_tensors:
        if isinstance(tensor, torch.Tensor) and tensor.is_floating_point():
            names.append(name)
            flags.append(torch.isfinite(tensor).all())
    if not flags:
        return None
    # one device sync for all tensors, not one per tensor
    ok = torch.stack(flags).cpu()
    if bool(ok.all()):
        return None
    return names[int((~ok).nonzero()[0])]


@HOOKS.register_module()
class CheckFiniteLossHook(Hook):
    """Stop training at the first non-finite loss, naming the iteration and
    the loss term; never write a checkpoint with non-finite weights.

    mmdet's ``CheckInvalidLossHook`` only says "loss become infinite or NaN"
    every N iterations; this one checks every term of every iteration and
    runs before :class:`~mmengine.hooks.CheckpointHook` (priority
    ``ABOVE_NORMAL`` vs ``VERY_LOW``), so no checkpoint with NaN weights is
    written: the last checkpoint on disk stays the last good one.

    A finite loss can still leave NaN weights behind (gradients that
    overflow; ``clip_grad_norm_`` turns an infinite norm into NaN
    gradients). Such weights would fail the next iteration far from the
    cause (mmdet's Hungarian matcher: "matrix contains invalid numeric
    entries"), so with ``check_weights`` the parameters are checked after
    the step too, and every checkpoint's ``state_dict`` before it is saved.
    AMP's skipped steps (inf gradients, weights untouched) pass.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1.
        check_weights (bool): Also check the parameters after each checked
            step and the state dict of every checkpoint. Defaults to True.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, interval: int = 1, check_weights: bool = True) -> None:
        self.interval = interval
        self.check_weights = check_weights

    def _advice(self, runner) -> str:
        return ('Training stopped before a checkpoint with these weights was '
                'written; lower the learning rate or check the data, then '
                'resume from the last checkpoint in '
                f'{runner.work_dir} with --resume.')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        bad = []
        for name, value in (outputs or {}).items():
            v = value.item() if isinstance(value, torch.Tensor) \
                and value.numel() == 1 else value
            if isinstance(v, (int, float)) and not math.isfinite(v):
                bad.append(f'{name}={v}')
        if bad:
            raise NonFiniteLossError(
                f'Non-finite loss at iteration {runner.iter + 1}: '
                f'{", ".join(bad)}. {self._advice(runner)}')
        if self.check_weights:
            name = first_non_finite(runner.model.named_parameters())
            if name is not None:
                raise NonFiniteWeightsError(
                    f'Non-finite weights at iteration {runner.iter + 1}: '
                    f'parameter {name} holds NaN or inf although the loss '
                    'was finite (the gradients overflowed). '
                    f'{self._advice(runner)}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.check_weights:
            return
        name = first_non_finite(checkpoint.get('state_dict', {}).items())
        if name is not None:
            it = checkpoint.get('meta', {}).get('iter', runner.iter)
            raise NonFiniteWeightsError(
                f'Refusing to save the checkpoint of iteration {it}: '
                f'{name} holds NaN or inf. The last checkpoint in '
                f'{runner.work_dir} is the last good one.')
