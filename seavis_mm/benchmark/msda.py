# Copyright (c) seavis_mm contributors. All rights reserved.
"""Multi-scale deformable attention alone: mmcv's CPU path against every
formulation of :data:`~seavis_mm.models.layers.MSDA_IMPLS` (gather, levels;
:mod:`seavis_mm.models.layers.msda`), interleaved in
one run at a pixel decoder's shapes, in eager PyTorch and (optionally)
exported to ONNX Runtime."""
import os.path as osp
import tempfile
from typing import Dict, List, Sequence, Tuple

import torch

from seavis_mm.models.layers import MSDA_IMPLS
from .timing import clocks, summarize


def encoder_shapes(shape: Tuple[int, int], strides: Sequence[int] = (32, 16,
                                                                     8)
                   ) -> List[Tuple[int, int]]:
    """Feature-map sizes of the pixel decoder's encoder levels for a frame
    of ``shape`` (padded to 32)."""
    h, w = (-(-shape[0] // 32) * 32, -(-shape[1] // 32) * 32)
    return [(h // s, w // s) for s in strides]


def msda_inputs(levels: List[Tuple[int, int]], heads: int = 8,
                dims: int = 32, points: int = 4, seed: int = 0,
                spread: float = 2.0):
    """Value / locations / weights as in the pixel decoder's encoder: every
    token queries, from its own position (tokens in level-then-raster
    order), its points a few pixels (``spread``, std, in each level's
    pixels) around it."""
    g = torch.Generator().manual_seed(seed)
    num = sum(h * w for h, w in levels)
    value = torch.randn(1, num, heads, dims, generator=g)
    centres = []
    for h, w in levels:
        ys, xs = torch.meshgrid(
            (torch.arange(h) + 0.5) / h, (torch.arange(w) + 0.5) / w,
            indexing='ij')
        centres.append(torch.stack([xs, ys], -1).reshape(-1, 2))
    ref = torch.cat(centres).view(1, num, 1, 1, 1, 2)
    size = torch.tensor([[w, h] for h, w in levels],
                        dtype=torch.float32).view(1, 1, 1, len(levels), 1, 2)
    offsets = torch.randn(1, num, heads, len(levels), points, 2,
                          generator=g) * spread / size
    loc = ref + offsets
    weights = torch.rand(1, num, heads, len(levels), points, generator=g)
    weights = weights / weights.sum((-1, -2), keepdim=True)
    return value, torch.tensor(levels), loc, weights


def _impls() -> Dict[str, object]:
    from mmcv.ops.multi_scale_deform_attn import \
        multi_scale_deformable_attn_pytorch
    return dict(mmcv=multi_scale_deformable_attn_pytorch, **MSDA_IMPLS)


class _Call(torch.nn.Module):
    """One implementation as a module (what the exporter takes)."""

    def __init__(self, fn, spatial: torch.Tensor) -> None:
        super().__init__()
        self.fn, self.spatial = fn, spatial

    def forward(self, value, loc, weights):
        return self.fn(value, self.spatial, loc, weights)


def _ort_runners(impls: Dict[str, object], inputs, threads: int):
    from seavis_mm.deployment.backends import open_session
    from seavis_mm.deployment.onnx_export import export_module
    value, spatial, loc, weights = inputs
    tmp = tempfile.mkdtemp(prefix='seavis_msda_')
    runners = {}
    for name, fn in impls.items():
        path = osp.join(tmp, f'{name}.onnx')
        export_module(_Call(fn, spatial), (value, loc, weights), path,
                      ['v', 'l', 'w'], None)
        sess = open_session(path, threads)
        feeds = dict(v=value.numpy(), l=loc.numpy(), w=weights.numpy())
        runners[f'onnxruntime/{name}'] = \
            lambda sess=sess, feeds=feeds: sess.run(None, feeds)[0]
    return runners


def bench_msda(shape: Tuple[int, int], repeats: int, threads: int,
               onnx: bool = False) -> dict:
    """Per-call ms of every implementation, interleaved (rotating order),
    and the largest difference from mmcv's.

    Args:
        shape (tuple): Frame size (the encoder's three levels follow).
        repeats (int): Timed calls per implementation (after one warm-up).
        threads (int): ONNX Runtime threads (torch's are set by the tool).
        onnx (bool): Also time every formulation exported to ONNX Runtime.
    """
    levels = encoder_shapes(shape)
    inputs = msda_inputs(levels)
    impls = _impls()
    runners = {
        f'pytorch/{name}': (lambda fn=fn: fn(*inputs))
        for name, fn in impls.items()
    }
    if onnx:
        runners.update(_ort_runners(impls, inputs, threads))
    ref = runners['pytorch/mmcv']()
    diff = {}
    times: Dict[str, list] = {name: [] for name in runners}
    names = list(runners)
    with torch.no_grad():
        for name in names:  # warm-up, and the check
            out = torch.as_tensor(runners[name]())
            diff[name] = float((out - ref).abs().max())
        for r in range(repeats):
            for name in names[r % len(names):] + names[:r % len(names)]:
                t0 = clocks()
                runners[name]()
                times[name].append((clocks() - t0) * 1e3)
    out = dict(msda_levels=[list(lv) for lv in levels],
               msda_queries=int(inputs[0].shape[1]),
               msda_max_abs_diff_vs_mmcv=diff)
    for idx, key in ((0, 'msda_ms'), (1, 'msda_cpu_ms')):
        out[key] = {
            name: summarize([t[idx] for t in ts])
            for name, ts in times.items()
        }
    base = out['msda_ms']['pytorch/mmcv']['p50']
    out['msda_speedup_vs_mmcv_p50'] = {
        name: base / s['p50']
        for name, s in out['msda_ms'].items()
    }
    return out


def format_msda(res: dict) -> str:
    """The comparison as text."""
    lines = [f'Multi-scale deformable attention, levels {res["msda_levels"]}'
             f', {res["msda_queries"]} queries (one encoder layer)',
             f'{"implementation":<24}{"p50 ms":>9}{"mean ms":>9}'
             f'{"cpu p50":>9}{"speed-up":>10}{"max |diff|":>12}']
    for name, s in res['msda_ms'].items():
        lines.append(
            f'{name:<24}{s["p50"]:>9.2f}{s["mean"]:>9.2f}'
            f'{res["msda_cpu_ms"][name]["p50"]:>9.2f}'
            f'{res["msda_speedup_vs_mmcv_p50"][name]:>9.2f}x'
            f'{res["msda_max_abs_diff_vs_mmcv"][name]:>12.1e}')
    return '\n'.join(lines)

