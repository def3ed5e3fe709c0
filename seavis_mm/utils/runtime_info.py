# Copyright (c) seavis_mm contributors. All rights reserved.
"""Process facts and knobs shared by the streaming API and the benchmarks:
resident memory, the CPU's name, numpy's BLAS thread pool, JSON reports."""
import json
import os
import os.path as osp
import platform
import resource
from typing import Optional


def _proc_status_mb(field: str) -> Optional[float]:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024.0  # kB -> MB
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    value = _proc_status_mb('VmHWM')
    if value is None:
        ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # kB on Linux, bytes on macOS
        value = ru / 1024.0 if platform.system() != 'Darwin' else ru / 2**20
    return value


def rss_mb() -> float:
    """Current resident set size of this process in MB."""
    value = _proc_status_mb('VmRSS')
    if value is None:  # not Linux: the peak is the best we have
        value = peak_rss_mb()
    return value


def cpu_name() -> str:
    """The CPU model (``/proc/cpuinfo``), else what ``platform`` says."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def limit_blas_threads(num: Optional[int]) -> Optional[int]:
    """Cap numpy's BLAS pool (the log-mel front end's matmul) at ``num``
    threads for the rest of the process; ``None`` or 0 leaves it alone.

    OpenBLAS threads spin for a while after each call; on a small CPU they
    take the cores from torch's next ops (measured on 2 cores, docs/en/
    benchmarks.md: the frame after the log-mel front end ran 2x slower, the
    front end itself 10x). threadpoolctl is the library that knows every
    BLAS / OpenMP runtime numpy may have loaded, so it does the capping.

    Returns:
        int | None: the largest BLAS pool size in force afterwards (None:
        threadpoolctl missing or no BLAS pool found).
    """
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None
    if num:
        # kept alive for the whole process on purpose: the cap must outlive
        # this call
        limit_blas_threads.limiter = threadpool_limits(
            limits=num, user_api='blas')
    pools = [p['num_threads'] for p in threadpool_info()
             if p['user_api'] == 'blas']
    return max(pools) if pools else None


def dump_json(obj: dict, path: str) -> None:
    """Write ``obj`` as indented JSON, creating the folder, and say where."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2)
    print(f'wrote {path}')
