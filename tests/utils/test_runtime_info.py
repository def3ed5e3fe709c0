# Copyright (c) seavis_mm contributors. All rights reserved.
"""seavis_mm.utils.runtime_info: memory, CPU name, BLAS cap, JSON."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from seavis_mm.utils.runtime_info import (cpu_features, cpu_name,
                                          dump_json, peak_rss_mb,
                                          rss_mb)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


_RSS_SCRIPT = """
import json
import numpy as np
from seavis_mm.utils.runtime_info import peak_rss_mb, rss_mb
before = rss_mb()
block = np.ones(64 * 2**20 // 8)  # 64 MB, touched
after = rss_mb()
print(json.dumps([before, after, peak_rss_mb()]))
"""


def test_rss_tracks_an_allocation():
    # a fresh interpreter: in the test process, memory other tests freed
    # (or a garbage collection during the measurement) moves RSS too
    out = subprocess.run([sys.executable, '-c', _RSS_SCRIPT],
                         cwd=ROOT,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    before, after, peak = json.loads(out.stdout.strip().splitlines()[-1])
    assert after - before > 40
    assert peak >= after
    now = rss_mb()
    assert now > 0 and peak_rss_mb() >= now


def test_cpu_name_and_dump_json(tmp_path):
    assert isinstance(cpu_name(), str) and cpu_name()
    path = str(tmp_path / 'a' / 'b' / 'r.json')
    dump_json(dict(x=1.5), path)
    with open(path) as f:
        assert json.load(f) == dict(x=1.5)


def test_cpu_features_match_torch_and_cpuinfo():
    import torch
    feats = cpu_features()
    assert feats['torch_capability'] == \
        torch.backends.cpu.get_cpu_capability()
    flags = set()
    if os.path.exists('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            flags = set(next((line.split(':', 1)[1].split() for line in f
                              if line.startswith('flags')), []))
    for flag in ('avx2', 'avx512f', 'avx512_vnni', 'avx512_bf16'):
        assert feats[flag] is (flag in flags)
    # torch dispatches to AVX-512 kernels only where the CPU has them
    if feats['torch_capability'] == 'AVX512':
        assert feats['avx512f']


def _blas_pools_after(code: str) -> list:
    """Run ``code`` in a fresh interpreter with numpy's default BLAS pool
    (no thread variables) and return the BLAS pool sizes afterwards."""
    env = {
        k: v
        for k, v in os.environ.items() if not k.endswith('_NUM_THREADS')
    }
    script = code + ('\nfrom threadpoolctl import threadpool_info\n'
                     "print([p['num_threads'] for p in threadpool_info() "
                     "if p['user_api'] == 'blas'])")
    out = subprocess.run([sys.executable, '-c', script],
                         cwd=ROOT,
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2,
                    reason='one core: the BLAS pool is 1 anyway')
def test_inferencer_caps_numpy_blas_threads(tmp_path):
    default = _blas_pools_after('import numpy')
    if not default:
        pytest.skip('numpy loaded no BLAS that threadpoolctl knows')
    assert max(default) > 1  # else the test below proves nothing
    cfg = str(tmp_path / 'fake.py')
    make = ('import warnings; warnings.simplefilter("ignore")\n'
            'import sys; sys.path.insert(0, "tests/apis")\n'
            'from stream_fakes import write_config\n'
            'from seavis_mm.apis import OnlineAVISInferencer\n'
            f'cfg = write_config({cfg!r})\n')
    assert max(_blas_pools_after(
        make + 'OnlineAVISInferencer(cfg)')) == 1
    # None leaves the pools (numpy's, scipy's, ...) as they were
    assert max(_blas_pools_after(
        make + 'OnlineAVISInferencer(cfg, blas_threads=None)')) == max(default)
