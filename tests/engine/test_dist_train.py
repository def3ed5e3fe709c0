# Copyright (c) seavis_mm contributors. All rights reserved.
"""``tools/dist_train.sh CONFIG 2`` trains with two processes on the CPU
(gloo), as it would with two GPUs (nccl)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from ._run import (PYTHON, REPO, TINY_CFG, data_options, free_port, run_tool,
                   tail, tool_env)
from .._scripts import load_script


@pytest.mark.slow
def test_dist_train_two_cpu_processes(toyavis_root, tmp_path):
    work = str(tmp_path / 'work')
    env = tool_env()
    env.update(PYTHON=PYTHON, PORT=str(free_port()))
    proc = run_tool([
        'bash', osp.join(REPO, 'tools', 'dist_train.sh'), TINY_CFG, '2',
        '--work-dir', work, '--cfg-options', *data_options(toyavis_root),
        'train_cfg.max_iters=2'
    ], cwd=str(tmp_path), env=env)
    out = proc.stdout
    # torchrun exits 0 only when every rank did
    assert proc.returncode == 0, tail(out)
    # each rank switched to gloo before its logger existed, so both said so
    assert out.count('CUDA is not available: using the gloo backend') == 2
    assert 'Distributed training: True' in out and 'GPU number: 2' in out
    assert 'Iter(train) [2/2]' in out
    # rank 0 alone writes the checkpoint
    assert [osp.basename(p) for p in glob.glob(osp.join(work, '*.pth'))] \
        == ['iter_2.pth']


def _train_module():
    return load_script('tools/train.py', 'seavis_tools_train')


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
@pytest.mark.parametrize('env_cfg', [None, dict(dist_cfg=dict(timeout=60))])
def test_gloo_fallback_rewrites_config(env_cfg):
    train = _train_module()
    cfg = Config(dict(launcher='slurm'))  # slurm: no process group init
    if env_cfg is not None:
        cfg.env_cfg = env_cfg
    train.use_gloo_without_cuda(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None  # DDP of a CPU module
    cfg = Config(dict(launcher='none'))
    train.use_gloo_without_cuda(cfg)
    assert 'env_cfg' not in cfg and 'model_wrapper_cfg' not in cfg


def test_close_process_group_destroys_the_group(tmp_path):
    """tools/train.py and tools/test.py end by destroying the process group
    (a gloo rank that exits with it alive can abort in its teardown); with
    no group it does nothing."""
    import torch.distributed as torch_dist

    from seavis_mm.utils import close_process_group
    close_process_group()  # no group: nothing to do
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    assert torch_dist.is_initialized()
    close_process_group()
    assert not torch_dist.is_initialized()
