# Copyright (c) seavis_mm contributors. All rights reserved.
"""Checkpoints under torch's ``weights_only=True``: our own load everywhere
mmengine loads them, anything that could run code is refused, and broken
files fail with an error that says so."""
import builtins
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import Runner
from mmengine.runner.checkpoint import load_checkpoint

from seavis_mm.registry import MODELS
from seavis_mm.utils import UnsafeCheckpointError, safe_torch_load
from seavis_mm.utils.checkpoint import (CorruptCheckpointError,
                                        mmengine_checkpoint_globals)
from ._run import PYTHON, TEST, TINY_CFG, data_options, run_tool, tail


def allow_listed_names() -> set:
    names = set()
    for g in mmengine_checkpoint_globals():
        if isinstance(g, tuple):
            names.add(g[1])
        else:
            names.add(f'{g.__module__}.{g.__qualname__}')
    return names


def tiny_cfg(data_root: str, work_dir: str) -> Config:
    cfg = Config.fromfile(TINY_CFG)
    cfg.merge_from_dict(
        dict(o.split('=', 1) for o in data_options(data_root)))
    cfg.work_dir = work_dir
    return cfg


@pytest.mark.slow
def test_allow_list_covers_a_real_checkpoint(tiny_run):
    """What torch would refuse in a real checkpoint is exactly what we
    allow-list (keeps ``mmengine_checkpoint_globals`` honest)."""
    path = osp.join(tiny_run, 'iter_4.pth')
    ours = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()  # what plain torch refuses
    try:
        unsafe = set(
            torch.serialization.get_unsafe_globals_in_checkpoint(path))
    finally:
        torch.serialization.add_safe_globals(ours)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    # not vacuous: mmengine's message hub is in there
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in unsafe
    assert unsafe <= allow_listed_names(), unsafe - allow_listed_names()


@pytest.mark.slow
def test_safe_torch_load_real_checkpoint(tiny_run):
    ckpt = safe_torch_load(osp.join(tiny_run, 'iter_4.pth'))
    assert {'meta', 'state_dict', 'optimizer', 'message_hub',
            'param_schedulers'} <= set(ckpt)
    assert ckpt['meta']['iter'] == 4
    loss = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(loss, HistoryBuffer)
    # the statistics methods came back through the restricted getattr
    assert np.isfinite(loss.mean()) and loss.min() <= loss.max()
    assert ckpt['optimizer']['state'], 'AdamW moments missing'


@pytest.mark.slow
def test_mmengine_load_checkpoint(tiny_run, toyavis_root, tmp_path):
    cfg = tiny_cfg(toyavis_root, str(tmp_path))
    model = MODELS.build(cfg.model)
    path = osp.join(tiny_run, 'iter_2.pth')
    load_checkpoint(model, path, map_location='cpu', strict=True)
    saved = safe_torch_load(path)['state_dict']
    for name, value in model.state_dict().items():
        assert torch.equal(value, saved[name]), name


@pytest.mark.slow
def test_runner_resume(tiny_run, toyavis_root, tmp_path):
    runner = Runner.from_cfg(tiny_cfg(toyavis_root, str(tmp_path)))
    runner.resume(osp.join(tiny_run, 'iter_2.pth'))
    assert runner.iter == 2
    assert runner.optim_wrapper.optimizer.state_dict()['state']
    assert runner.message_hub.get_scalar('train/loss').current() > 0
    saved = safe_torch_load(osp.join(tiny_run, 'iter_2.pth'))['state_dict']
    name, value = next(iter(runner.model.state_dict().items()))
    assert torch.equal(value, saved[name])


# -- checkpoints that would run code --------------------------------------
class SystemPayload:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


class ExecPayload:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return builtins.exec, (f'open({self.marker!r}, "w").close()', )


class GetattrPayload:
    """``getattr`` is bound to a function that only hands out
    HistoryBuffer's statistics methods; anything else is refused."""

    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def __reduce__(self):
        return getattr, (self.obj, self.name)


def write_evil(path, payload, legacy=False):
    # shaped like a real checkpoint, the payload where mmengine looks
    torch.save({'meta': {'iter': 1}, 'state_dict': {'w': torch.ones(2)},
                'message_hub': payload},
               path, _use_new_zipfile_serialization=not legacy)


EVIL = {
    'os.system': (lambda m: SystemPayload(m), 'posix.system'),
    'builtins.exec': (lambda m: ExecPayload(m), 'exec'),
    'getattr(HistoryBuffer, __init__)':
    (lambda m: GetattrPayload(HistoryBuffer, '__init__'), 'getattr'),
    'getattr(ndarray, tofile)':
    (lambda m: GetattrPayload(np.ndarray, 'tofile'), 'getattr'),
}


@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
@pytest.mark.parametrize('kind', list(EVIL))
def test_code_running_checkpoint_is_refused(tmp_path, kind, legacy):
    marker = tmp_path / 'MARKER'
    make, refused_global = EVIL[kind]
    path = str(tmp_path / 'evil.pth')
    write_evil(path, make(str(marker)), legacy=legacy)

    with pytest.raises(UnsafeCheckpointError) as e:
        safe_torch_load(path)
    assert path in str(e.value) and refused_global in str(e.value)
    assert 'weights_only=False' not in str(e.value)  # never advise that
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(torch.nn.Linear(2, 2), path, map_location='cpu')
    assert not marker.exists()


@pytest.mark.slow
def test_tools_test_refuses_code_running_checkpoint(tmp_path, toyavis_root):
    marker = tmp_path / 'MARKER'
    path = str(tmp_path / 'evil.pth')
    write_evil(path, SystemPayload(str(marker)))
    proc = run_tool([
        PYTHON, TEST,
        TINY_CFG, path, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *data_options(toyavis_root)
    ], cwd=str(tmp_path))
    assert proc.returncode != 0
    assert 'UnsafeCheckpointError' in proc.stdout, tail(proc.stdout)
    assert 'posix.system' in proc.stdout
    assert not marker.exists()


# -- broken files ----------------------------------------------------------
@pytest.mark.parametrize('keep', [0.5, 0.0], ids=['half', 'empty'])
def test_truncated_checkpoint_clear_error(tmp_path, keep):
    whole = str(tmp_path / 'whole.pth')
    torch.save({'meta': {'iter': 2}, 'state_dict': {'w': torch.ones(1000)}},
               whole)
    with open(whole, 'rb') as f:
        data = f.read()
    path = str(tmp_path / 'iter_2.pth')
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * keep)])
    with pytest.raises(CorruptCheckpointError, match='truncated') as e:
        safe_torch_load(path)
    assert path in str(e.value)
    with pytest.raises(CorruptCheckpointError, match='truncated'):
        load_checkpoint(torch.nn.Linear(2, 2), path, map_location='cpu')


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_checkpoint(torch.nn.Linear(2, 2), str(tmp_path / 'nope.pth'))
