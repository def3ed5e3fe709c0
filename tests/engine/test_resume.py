# Copyright (c) seavis_mm contributors. All rights reserved.
"""A run SIGKILLed after its iteration-2 checkpoint and resumed with
``--resume`` ends with exactly the weights of an uninterrupted run."""
import os
import os.path as osp
import signal
import subprocess
import time

import pytest
import torch

from seavis_mm.utils import safe_torch_load
from ._run import FAULTS_CFG, run_tool, tail, tool_env, train_cmd


def wait_for(path: str, proc: subprocess.Popen, timeout: float) -> None:
    start = time.monotonic()
    while not osp.exists(path):
        if proc.poll() is not None:
            out = proc.stdout.read()
            raise AssertionError(f'run ended (rc {proc.returncode}) before '
                                 f'{path} appeared:\n{tail(out)}')
        if time.monotonic() - start > timeout:
            proc.kill()
            raise AssertionError(f'{path} did not appear in {timeout} s')
        time.sleep(0.2)


def assert_same_tensors(a: dict, b: dict, what: str) -> None:
    assert a.keys() == b.keys(), what
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f'{what}: {len(differ)} of {len(a)} differ, ' \
        f'e.g. {differ[:3]}'


@pytest.mark.slow
def test_sigkill_then_resume_is_bitwise_exact(toyavis_root, tmp_path):
    # 1. the reference: 4 iterations without interruption
    full = str(tmp_path / 'full')
    proc = run_tool(train_cmd(FAULTS_CFG, full, toyavis_root), str(tmp_path))
    assert proc.returncode == 0, tail(proc.stdout)

    # 2. the same run, SIGKILLed once iteration 2's checkpoint is on disk
    # (a test hook holds it there; nothing else differs)
    cut = str(tmp_path / 'cut')
    ready = str(tmp_path / 'paused_after_iter_2')
    killed = subprocess.Popen(
        train_cmd(FAULTS_CFG, cut, toyavis_root, 'custom_hooks.3.at_iter=2',
                  f'custom_hooks.3.ready_file={ready}'),
        cwd=str(tmp_path), env=tool_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(ready, killed, timeout=240)
    finally:
        os.kill(killed.pid, signal.SIGKILL)
        killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert osp.isfile(osp.join(cut, 'iter_2.pth'))
    assert not osp.exists(osp.join(cut, 'iter_4.pth'))

    # 3. resume from the latest checkpoint of the work dir
    proc = run_tool(
        train_cmd(FAULTS_CFG, cut, toyavis_root, resume='auto'),
        str(tmp_path))
    assert proc.returncode == 0, tail(proc.stdout)
    assert 'resumed epoch: 0, iter: 2' in proc.stdout, tail(proc.stdout)

    ref = safe_torch_load(osp.join(full, 'iter_4.pth'))
    got = safe_torch_load(osp.join(cut, 'iter_4.pth'))
    assert ref['meta']['iter'] == got['meta']['iter'] == 4
    assert_same_tensors(ref['state_dict'], got['state_dict'], 'weights')
    for slot in ('exp_avg', 'exp_avg_sq'):
        assert_same_tensors(
            {k: s[slot] for k, s in ref['optimizer']['state'].items()},
            {k: s[slot] for k, s in got['optimizer']['state'].items()},
            f'AdamW {slot}')
