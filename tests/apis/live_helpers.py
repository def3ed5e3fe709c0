# Copyright (c) seavis_mm contributors. All rights reserved.
"""Helpers of the live tests: a publisher (Debian's ffmpeg, real time, on
127.0.0.1 only), free ports, and the demo as a subprocess."""
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import time
from typing import List, Optional

import pytest

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
DEMO = osp.join(ROOT, 'demo', 'stream_demo.py')


def need_program(name: str) -> str:
    """The program's path; skips the test without it (fails in CI, whose
    tools/install.sh installs it)."""
    path = shutil.which(name)
    if path is None:
        msg = f'{name} is not installed (tools/install.sh installs it)'
        if os.environ.get('CI'):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def publish(path: str, url: str, realtime: bool = True,
            extra: Optional[List[str]] = None) -> subprocess.Popen:
    """Publish a file as MPEG-TS to ``url`` (``-re``: at its real rate;
    with ``?listen=1`` ffmpeg waits for the reader to connect)."""
    cmd = [need_program('ffmpeg'), '-hide_banner', '-loglevel', 'error',
           '-nostdin']
    if realtime:
        cmd.append('-re')
    cmd += ['-i', path, '-c', 'copy'] + (extra or []) + ['-f', 'mpegts', url]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)


def wait_listening(port: int, timeout: float = 10.0) -> None:
    """Wait until something listens on TCP ``port`` (read from
    /proc/net/tcp: connecting would take the one connection ffmpeg
    serves)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open('/proc/net/tcp') as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == '0A' and int(local.split(':')[1], 16) == port:
                    return
        time.sleep(0.05)
    raise TimeoutError(f'nothing listens on 127.0.0.1:{port}')


def demo_process(args: List[str], **kwargs) -> subprocess.Popen:
    """``demo/stream_demo.py ARGS`` in a new interpreter (real signals)."""
    # tests/apis too: the fake model's config imports stream_fakes
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, HERE]),
               OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return subprocess.Popen([sys.executable, DEMO] + args, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)
