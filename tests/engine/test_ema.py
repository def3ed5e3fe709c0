# Copyright (c) seavis_mm contributors. All rights reserved.
"""The weight-average variant (configs/seavis/seavis_r18_toyavis_ema.py):
its checkpoints publish the averaged weights under ``state_dict``, which is
what tools/test.py, the inferencer and mmengine's loader read, keep the live
weights for --resume, and load under ``weights_only=True``."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from seavis_mm.utils import safe_torch_load
from ._run import REPO
from .test_checkpoint import tiny_cfg

EMA_CFG = osp.join(REPO, 'configs', 'seavis', 'seavis_r18_toyavis_ema.py')


def ema_tiny_cfg(data_root: str, work_dir: str) -> Config:
    cfg = tiny_cfg(data_root, work_dir)
    cfg.custom_hooks = Config.fromfile(EMA_CFG).custom_hooks
    return cfg


def expected_average(states: list, momentum: float, gamma: float) -> dict:
    """mmdet's ExpMomentumEMA, written out: the average starts at the
    weights after the first iteration; after iteration ``n`` (the hook's
    ``steps == n - 1``) it moves towards the weights by
    ``(1 - m) exp(-n / gamma) + m``."""
    avg = {k: v.clone().double() for k, v in states[0].items()}
    for steps, state in enumerate(states[1:], start=1):
        rate = (1 - momentum) * math.exp(-(1 + steps) / gamma) + momentum
        for k in avg:
            avg[k] = avg[k] * (1 - rate) + state[k].double() * rate
    return avg


@pytest.mark.slow
def test_checkpoint_publishes_the_average(toyavis_root, tmp_path):
    cfg = ema_tiny_cfg(toyavis_root, str(tmp_path))
    # the base runtime's hooks are kept, the average added after them
    base = Config.fromfile(osp.join(REPO, 'configs', '_base_',
                                    'default_runtime.py')).custom_hooks
    assert cfg.custom_hooks[:len(base)] == base
    hook = [h for h in cfg.custom_hooks if h['type'] == 'EMAHook'][0]
    runner = Runner.from_cfg(cfg)
    # the live weights after every iteration, to average by hand
    states = []

    class Record(Hook):

        def after_train_iter(self, runner, **kwargs):
            states.append({
                k: v.detach().clone()
                for k, v in runner.model.named_parameters()
            })

    runner.register_hook(Record(), priority='LOWEST')
    runner.train()
    saved = safe_torch_load(osp.join(str(tmp_path), 'iter_4.pth'))
    assert 'ema_state_dict' in saved
    want = expected_average(states, hook['momentum'], hook['gamma'])
    live = states[-1]
    differs = 0
    for name, value in want.items():
        published = saved['state_dict'][name].double()
        torch.testing.assert_close(published, value, rtol=1e-5, atol=1e-6,
                                   msg=name)
        # the live weights are kept beside the average, for --resume
        torch.testing.assert_close(
            saved['ema_state_dict']['module.' + name].double(),
            live[name].double(), msg=name)
        differs += not torch.equal(published.float(), live[name])
    # not vacuous: the average is not the last weights
    assert differs > len(want) // 2

    # a run resumed from iteration 2 ends with the same average and the
    # same live weights as the uninterrupted run: --resume swaps the live
    # weights back into the model and the average into the hook
    # (mmengine's EMAHook.after_load_checkpoint)
    cfg = ema_tiny_cfg(toyavis_root, str(tmp_path / 'resumed'))
    cfg.resume = True
    cfg.load_from = osp.join(str(tmp_path), 'iter_2.pth')
    Runner.from_cfg(cfg).train()
    again = safe_torch_load(str(tmp_path / 'resumed' / 'iter_4.pth'))
    for key in ('state_dict', 'ema_state_dict'):
        for name, value in saved[key].items():
            assert torch.equal(again[key][name], value), (key, name)
