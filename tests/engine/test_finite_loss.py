# Copyright (c) seavis_mm contributors. All rights reserved.
"""A non-finite loss (or weights) stops training, naming the iteration and
the term, before a checkpoint of the bad weights is written."""
import math
import os.path as osp
from types import SimpleNamespace

import pytest
import torch

from seavis_mm.engine.hooks import CheckFiniteLossHook, NonFiniteLossError
from seavis_mm.engine.hooks.check_finite_loss_hook import (
    NonFiniteWeightsError, first_non_finite)
from seavis_mm.utils import safe_torch_load
from ._run import FAULTS_CFG, run_tool, tail, train_cmd


def fake_runner(iteration: int, model=None):
    """What the hook reads: ``iter`` (0-based, before the loop's increment),
    ``work_dir`` and ``model``."""
    return SimpleNamespace(
        iter=iteration, work_dir='/work/dir', model=model
        or torch.nn.Linear(2, 2))


def losses(**terms):
    return {k: torch.tensor(v) for k, v in terms.items()}


def test_finite_losses_pass():
    hook = CheckFiniteLossHook()
    hook.after_train_iter(
        fake_runner(0), 0, outputs=losses(loss=1.5, loss_dice=0.5))
    hook.after_train_iter(fake_runner(1), 1, outputs={'loss': 2.0, 'acc': 1})
    hook.after_train_iter(fake_runner(2), 2, outputs=None)


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_non_finite_loss_names_iteration_and_term(bad):
    hook = CheckFiniteLossHook()
    with pytest.raises(NonFiniteLossError) as e:
        hook.after_train_iter(
            fake_runner(6), 6, outputs=losses(loss_cls=0.3, loss_dice=bad))
    msg = str(e.value)
    assert 'iteration 7' in msg and f'loss_dice={bad}' in msg
    assert 'loss_cls' not in msg and '/work/dir' in msg


def test_interval_skips_iterations():
    hook = CheckFiniteLossHook(interval=2)
    hook.after_train_iter(fake_runner(0), 0, outputs=losses(loss=math.nan))
    with pytest.raises(NonFiniteLossError, match='iteration 2'):
        hook.after_train_iter(
            fake_runner(1), 1, outputs=losses(loss=math.nan))


def test_nan_weights_with_finite_loss():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
    with torch.no_grad():
        model[1].bias.fill_(math.inf)
    with pytest.raises(NonFiniteWeightsError, match=r'1\.bias'):
        CheckFiniteLossHook().after_train_iter(
            fake_runner(0, model), 0, outputs=losses(loss=1.0))
    # opt-out: AMP-style runs that want only the loss check
    CheckFiniteLossHook(check_weights=False).after_train_iter(
        fake_runner(0, model), 0, outputs=losses(loss=1.0))


def test_no_checkpoint_with_non_finite_weights():
    hook = CheckFiniteLossHook()
    good = {'meta': {'iter': 4}, 'state_dict': {'w': torch.ones(3),
                                                'n': torch.tensor(2)}}
    hook.before_save_checkpoint(fake_runner(3), good)
    bad = {'meta': {'iter': 4},
           'state_dict': {'w': torch.ones(3),
                          'v': torch.tensor([1., math.nan])}}
    with pytest.raises(NonFiniteWeightsError, match='iteration 4: v'):
        hook.before_save_checkpoint(fake_runner(3), bad)


def test_first_non_finite():
    assert first_non_finite([]) is None
    assert first_non_finite([('i', torch.tensor([1, 2]))]) is None
    assert first_non_finite([('a', torch.zeros(2)),
                             ('b', torch.tensor([0., -math.inf])),
                             ('c', torch.tensor(math.nan))]) == 'b'


@pytest.mark.slow
def test_nan_loss_stops_real_run(toyavis_root, tmp_path):
    """The real model, a NaN put into ``loss_dice`` at iteration 3:
    training stops there with NonFiniteLossError, checkpoints 1 and 2 are on
    disk and intact, checkpoint 3 is not written."""
    work = str(tmp_path / 'work')
    proc = run_tool(
        train_cmd(FAULTS_CFG, work, toyavis_root,
                  'custom_hooks.2.at_iter=3',
                  'default_hooks.checkpoint.interval=1'), str(tmp_path))
    out = proc.stdout
    assert proc.returncode != 0, tail(out)
    assert 'NonFiniteLossError: Non-finite loss at iteration 3' in out, \
        tail(out)
    assert 'loss_dice=nan' in out
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    assert not osp.exists(osp.join(work, 'iter_3.pth'))
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('iter_2.pth')
    state = safe_torch_load(osp.join(work, 'iter_2.pth'))['state_dict']
    assert first_non_finite(state.items()) is None
