# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where an ONNX Runtime frame goes, by operator type: ONNX Runtime's own
profiler (``SessionOptions.enable_profiling``) over a few runs of a
exported file on random inputs of its shapes, summed per op type and per
node. Read with ``tools/analysis_tools/profile_onnx.py``."""
import collections
import json
import os
from typing import Dict, List

import numpy as np


def _feeds(session, seed: int = 0) -> Dict[str, np.ndarray]:
    """Random inputs of the session's shapes (booleans all True, so that
    a state's "valid" flags mark a full history)."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        if 'bool' in i.type:
            feeds[i.name] = np.ones(shape, np.bool_)
        elif 'int' in i.type:
            feeds[i.name] = np.zeros(shape, np.int64)
        else:
            feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
    return feeds


def profile_onnx(path: str, threads: int = 2, runs: int = 2,
                 warmup: int = 1, top: int = 15) -> dict:
    """Kernel time per op type and the slowest nodes, per run (mean over
    ``runs`` after ``warmup``).

    Returns:
        dict: ``total_ms``, ``op_types`` (``[[op, ms, share], ...]``
        slowest first), ``nodes`` (``[[name, op, ms], ...]``, ``top`` of
        them), ``threads``, ``runs``.
    """
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_profiling = True
    sess = ort.InferenceSession(path, opts,
                                providers=['CPUExecutionProvider'])
    feeds = _feeds(sess)
    for _ in range(warmup + runs):
        sess.run(None, feeds)
    trace = sess.end_profiling()
    try:
        with open(trace) as f:
            events = json.load(f)
    finally:
        os.remove(trace)
    kernels = [
        e for e in events if e.get('cat') == 'Node'
        and e.get('name', '').endswith('_kernel_time')
    ]
    # the trace holds every run in order: keep the last `runs` of them
    per_run = len(kernels) // (warmup + runs)
    kernels = kernels[per_run * warmup:]
    by_op: Dict[str, float] = collections.Counter()
    by_node: Dict[tuple, float] = collections.Counter()
    for e in kernels:
        ms = e['dur'] / 1e3 / runs
        op = e['args'].get('op_name', '?')
        by_op[op] += ms
        by_node[(e['name'][:-len('_kernel_time')], op)] += ms
    total = sum(by_op.values())
    ops: List[list] = [[op, ms, ms / total if total else 0.0]
                       for op, ms in by_op.most_common()]
    nodes = [[name, op, ms]
             for (name, op), ms in by_node.most_common(top)]
    return dict(file=path, threads=threads, runs=runs, total_ms=total,
                op_types=ops, nodes=nodes)


def format_profile(res: dict, top: int = 15) -> str:
    lines = [f'{res["file"]}: {res["total_ms"]:.1f} ms of kernels per run '
             f'({res["threads"]} threads, mean of {res["runs"]} runs)',
             f'{"op type":<28}{"ms":>10}{"share":>8}', '-' * 46]
    for op, ms, share in res['op_types'][:top]:
        lines.append(f'{op:<28}{ms:>10.1f}{100 * share:>7.1f}%')
    lines += ['', 'slowest nodes:']
    for name, op, ms in res['nodes']:
        lines.append(f'{ms:>10.1f}  {op:<18} {name}')
    return '\n'.join(lines)


__all__ = ['profile_onnx', 'format_profile']
