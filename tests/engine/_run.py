# Copyright (c) seavis_mm contributors. All rights reserved.
"""Helpers of the engine tests: run the real tools as subprocesses on the
tiny config (tests/data_configs/seavis_tiny_toyavis.py)."""
import os
import os.path as osp
import socket
import subprocess
import sys
from typing import List, Optional

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
PYTHON = sys.executable
TINY_CFG = osp.join(REPO, 'tests', 'data_configs', 'seavis_tiny_toyavis.py')
FAULTS_CFG = osp.join(REPO, 'tests', 'data_configs', 'seavis_tiny_faults.py')
TRAIN = osp.join(REPO, 'tools', 'train.py')
TEST = osp.join(REPO, 'tools', 'test.py')


def data_options(data_root: str) -> List[str]:
    root = data_root.rstrip('/') + '/'
    return [
        f'{split}_dataloader.dataset.data_root={root}'
        for split in ('train', 'val', 'test')
    ]


def tool_env(pythonpath: Optional[str] = REPO) -> dict:
    """One thread per process (2 shared cores), the repository importable
    (tests.engine's fault hooks) unless ``pythonpath`` says otherwise."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env.pop('PYTHONPATH', None)
    if pythonpath:
        env['PYTHONPATH'] = pythonpath
    return env


def run_tool(cmd: List[str], cwd: str, timeout: float = 300,
             env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Run a command, output captured (stdout and stderr together)."""
    return subprocess.run(
        cmd, cwd=cwd, env=env or tool_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=timeout)


def train_cmd(config: str, work_dir: str, data_root: str,
              *options: str, resume: Optional[str] = None) -> List[str]:
    cmd = [PYTHON, TRAIN, config, '--work-dir', work_dir]
    if resume is not None:
        cmd += ['--resume'] if resume == 'auto' else ['--resume', resume]
    return cmd + ['--cfg-options', *data_options(data_root), *options]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tail(text: str, n: int = 3000) -> str:
    return text[-n:]
