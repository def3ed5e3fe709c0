# Copyright (c) seavis_mm contributors. All rights reserved.
"""Distributed runs on a machine without CUDA (tools/train.py, tools/test.py
and their dist_*.sh)."""
import datetime

from mmengine.config import Config
from mmengine.logging import print_log


def use_gloo_without_cuda(cfg: Config) -> None:
    """NCCL needs GPUs: on a machine without CUDA, run the distributed job
    on gloo (the CPU) instead of failing at init.

    mmengine 0.10.7 does not support this on its own: its pytorch launcher
    calls ``torch.cuda.set_device`` whatever the backend (an AttributeError
    on CPU-only torch), and it wraps the model in DDP with
    ``device_ids=[LOCAL_RANK]``, which DDP refuses for a CPU module. So
    here, for ``--launcher pytorch`` (torchrun's env:// variables), the
    process group is initialised on gloo before the Runner (which then
    skips its own init) and the wrapper gets ``device_ids=None``.
    """
    import torch
    import torch.distributed as torch_dist

    if cfg.launcher == 'none' or torch.cuda.is_available():
        return
    if cfg.get('env_cfg') is None:
        cfg.env_cfg = dict()
    if cfg.env_cfg.get('dist_cfg') is None:
        cfg.env_cfg.dist_cfg = dict()
    dist_cfg = cfg.env_cfg.dist_cfg
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
        print_log('CUDA is not available: using the gloo backend',
                  logger='current')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    if cfg.launcher == 'pytorch' and not torch_dist.is_initialized():
        kwargs = {}
        if dist_cfg.get('timeout') is not None:
            kwargs['timeout'] = datetime.timedelta(
                seconds=dist_cfg['timeout'])
        torch_dist.init_process_group(backend=dist_cfg['backend'], **kwargs)


def close_process_group() -> None:
    """Destroy the default process group, if one was initialised, at the
    end of a run (tools/train.py, tools/test.py).

    mmengine leaves it to the process's exit. On gloo, a rank that exits
    with the group alive can abort in the C++ teardown of its threads
    ("terminate called without an active exception", exit -6) after its
    work is done, and torchrun then reports the whole job as failed (seen
    once in CI's two-process test). Destroying the group alone still let
    it happen on a loaded machine (CI, 2026-12-06): a rank that finished
    first tore its threads down while the other's were still talking to
    it. So every rank waits at a barrier first, and the ranks leave
    together.
    """
    import torch.distributed as torch_dist

    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
