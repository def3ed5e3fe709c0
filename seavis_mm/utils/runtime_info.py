# Copyright (c) seavis_mm contributors. All rights reserved.
"""Process facts and knobs shared by the streaming API and the benchmarks:
resident memory, the CPU's name and vector instructions, numpy's BLAS thread
pool, JSON reports."""
import json
import os
import os.path as osp
import platform
import resource
from typing import Dict, Optional, Union


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


def _cpuinfo() -> Dict[str, str]:
    """The first CPU's fields in ``/proc/cpuinfo`` (empty where there is
    none): ``'model name'``, ``'cpu family'``, ``'model'``, ``'flags'``..."""
    fields: Dict[str, str] = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, sep, value = line.partition(':')
                if not sep:
                    continue
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def cpu_name() -> str:
    """The CPU model (``/proc/cpuinfo``), else what ``platform`` says."""
    return _cpuinfo().get('model name') or platform.processor() or \
        platform.machine()


# /proc/cpuinfo flags that change which kernels run: AVX-512 for torch's and
# oneDNN's fp32 kernels, VNNI for ONNX Runtime's int8 ones (without it they
# add pairs of uint8 x int8 products in 16 bits, hence the 7-bit weights of
# seavis_mm.deployment.quantize), bf16 for reduced-precision matmuls.
_ISA_FLAGS = ('avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16',
              'amx_int8')


def cpu_features() -> Dict[str, Union[str, bool, None]]:
    """What a CPU benchmark figure depends on beyond the model name: the
    vector instruction level torch dispatches to and the int8 / bf16
    extensions, so that figures from different hosts are not compared as
    like with like (two hosts of this project, both named "AMD EPYC", ran
    the same int8 R50 frame at 918 and 444 ms: AVX2 against AVX-512 with
    VNNI).

    Returns:
        dict: ``torch_capability`` (``torch.backends.cpu.get_cpu_capability``,
        e.g. ``'AVX2'``, ``'AVX512'``; None if unknown), one bool per flag of
        ``_ISA_FLAGS`` (all False where ``/proc/cpuinfo`` is missing), and
        ``family_model`` (``'family/model'`` on x86 Linux, else None).
    """
    import torch
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except (AttributeError, RuntimeError):
        capability = None
    info = _cpuinfo()
    flags = set(info.get('flags', '').split())
    family, model = info.get('cpu family'), info.get('model')
    features: Dict[str, Union[str, bool, None]] = dict(
        torch_capability=capability)
    features.update({flag: flag in flags for flag in _ISA_FLAGS})
    features['family_model'] = f'{family}/{model}' if family else None
    return features


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
