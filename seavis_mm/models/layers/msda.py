# Copyright (c) seavis_mm contributors. All rights reserved.
"""A faster CPU formulation of multi-scale deformable attention.

On a CPU, mmcv's ``MultiScaleDeformableAttention`` runs
``multi_scale_deformable_attn_pytorch``: one ``grid_sample`` per level into a
``[B*heads, C, queries, points]`` tensor, a ``stack`` of the levels, a
multiply by the attention weights and a sum. At R50 360p it was 59% of a
SeaVIS frame (docs/en/benchmarks.md), mostly in moving those intermediates.

:func:`multi_scale_deformable_attn_gather` computes the same sum without
them: every sampling point's four bilinear corners over every level and head
become one weighted bag of rows of the value tensor (corner weight = bilinear
weight x attention weight, 0 outside the map as ``padding_mode='zeros'``),
summed by ``F.embedding_bag`` (one fused gather-multiply-add kernel). In an
ONNX export, where ``embedding_bag`` becomes a slow loop, the same bags are
summed with a ``Gather`` and a ``MatMul``.

:func:`msda_implementation` swaps the implementation that mmcv's module
calls on a CPU, for the duration of a ``with`` block. mmcv's module has no
hook for it (its ``forward`` calls the module-level function), and copying
its 100-line ``forward`` to change one call would fork it, so the function is
swapped where mmcv looks it up. The swap is process-wide while the block
runs; both implementations give the same values (tested within 1e-5).
"""
import contextlib
from typing import Callable, Dict, Iterator, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def _static_shapes(value_spatial_shapes) -> List[Tuple[int, int]]:
    """``(h, w)`` per level as Python ints (the maps' sizes are static in
    a traced graph, as in mmcv's function)."""
    if isinstance(value_spatial_shapes, Tensor):
        return [(int(h), int(w)) for h, w in value_spatial_shapes.tolist()]
    return [(int(h), int(w)) for h, w in value_spatial_shapes]


def _corner_bags(value_spatial_shapes: List[Tuple[int, int]],
                 num_value: int, num_heads: int,
                 sampling_locations: Tensor,
                 attention_weights: Tensor) -> Tuple[Tensor, Tensor]:
    """Row indices into ``value.reshape(bs * num_value * num_heads, C)`` and
    their weights, ``[bs * num_queries * num_heads, levels * points * 4]``
    each: the four bilinear corners of every sampling point."""
    bs, num_queries, _, num_levels, num_points, _ = sampling_locations.shape
    device = sampling_locations.device
    dtype = sampling_locations.dtype
    sizes = torch.tensor([[w, h] for h, w in value_spatial_shapes],
                         dtype=dtype, device=device)  # [L, 2] as (x, y)
    starts, start = [], 0
    for h, w in value_spatial_shapes:
        starts.append(start)
        start += h * w
    starts = torch.tensor(starts, device=device).view(1, 1, 1, num_levels, 1)
    widths = sizes[:, 0].long().view(1, 1, 1, num_levels, 1)
    heights = sizes[:, 1].long().view(1, 1, 1, num_levels, 1)
    # grid_sample, align_corners=False: pixel = loc * size - 0.5
    pix = sampling_locations * sizes.view(1, 1, 1, num_levels, 1, 2) - 0.5
    pix0 = pix.floor()
    frac = pix - pix0
    x0 = pix0[..., 0].long()
    y0 = pix0[..., 1].long()
    fx, fy = frac[..., 0], frac[..., 1]
    batch = torch.arange(bs, device=device).view(bs, 1, 1, 1, 1)
    head = torch.arange(num_heads, device=device).view(1, 1, num_heads, 1, 1)
    rows, weights = [], []
    for dy in (0, 1):
        for dx in (0, 1):
            x, y = x0 + dx, y0 + dy
            inside = (x >= 0) & (x < widths) & (y >= 0) & (y < heights)
            wx = fx if dx else 1 - fx
            wy = fy if dy else 1 - fy
            weight = wx * wy * attention_weights * inside.to(dtype)
            pos = starts + y.clamp(min=0) * widths + x.clamp(min=0)
            pos = torch.where(inside, pos, torch.zeros_like(pos))
            rows.append((batch * num_value + pos) * num_heads + head)
            weights.append(weight)
    # [bs, Q, heads, L, P, 4] -> [bs * Q * heads, L * P * 4]
    rows = torch.stack(rows, -1).flatten(3).flatten(0, 2)
    weights = torch.stack(weights, -1).flatten(3).flatten(0, 2)
    return rows, weights


def multi_scale_deformable_attn_gather(
        value: Tensor, value_spatial_shapes, sampling_locations: Tensor,
        attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention as weighted bags of value rows;
    the arguments and result of mmcv's
    ``multi_scale_deformable_attn_pytorch``.

    Args:
        value (Tensor): ``(bs, num_keys, num_heads, C)``.
        value_spatial_shapes (Tensor | list): ``(num_levels, 2)`` as
            ``(h, w)``.
        sampling_locations (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points, 2)`` as ``(x, y)`` in [0, 1].
        attention_weights (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points)``.

    Returns:
        Tensor: ``(bs, num_queries, num_heads * C)``.
    """
    bs, num_value, num_heads, channels = value.shape
    num_queries = sampling_locations.shape[1]
    shapes = _static_shapes(value_spatial_shapes)
    rows, weights = _corner_bags(shapes, num_value, num_heads,
                                 sampling_locations, attention_weights)
    table = value.reshape(bs * num_value * num_heads, channels)
    if torch.onnx.is_in_onnx_export():
        # ONNX: embedding_bag exports as a Loop; Gather + MatMul is one op
        # each in any runtime
        gathered = table[rows]  # [N, K, C]
        out = torch.matmul(weights.unsqueeze(1), gathered).squeeze(1)
    else:
        out = F.embedding_bag(
            rows, table, per_sample_weights=weights, mode='sum')
    return out.view(bs, num_queries, num_heads * channels)


def multi_scale_deformable_attn_levels(
        value: Tensor, value_spatial_shapes, sampling_locations: Tensor,
        attention_weights: Tensor) -> Tensor:
    """mmcv's ``grid_sample`` formulation with the levels summed as they
    are sampled; the arguments and result of
    ``multi_scale_deformable_attn_pytorch``.

    mmcv's function stacks every level's samples into one
    ``[bs * heads, C, queries, levels * points]`` tensor before weighting
    and summing them. Here each level's samples are weighted, summed over
    the points and added to the output at once, so that tensor (a
    ``Concat`` in an ONNX graph, 7% of an exported R50 frame in ONNX
    Runtime) is never written. Same sum, another order of additions.
    """
    bs, _, num_heads, channels = value.shape
    _, num_queries, _, num_levels, num_points, _ = sampling_locations.shape
    shapes = _static_shapes(value_spatial_shapes)
    value_list = value.split([h * w for h, w in shapes], dim=1)
    grids = 2 * sampling_locations - 1
    # [bs, Q, heads, L, P] -> [bs * heads, 1, Q, L, P]
    weights = attention_weights.transpose(1, 2).reshape(
        bs * num_heads, 1, num_queries, num_levels, num_points)
    out = None
    for level, (h, w) in enumerate(shapes):
        value_l = value_list[level].flatten(2).transpose(1, 2).reshape(
            bs * num_heads, channels, h, w)
        grid_l = grids[:, :, :, level].transpose(1, 2).flatten(0, 1)
        # [bs * heads, C, Q, P]
        sampled = F.grid_sample(
            value_l, grid_l, mode='bilinear', padding_mode='zeros',
            align_corners=False)
        part = (sampled * weights[..., level, :]).sum(-1)
        out = part if out is None else out + part
    return out.view(bs, num_heads * channels,
                    num_queries).transpose(1, 2).contiguous()


MSDA_IMPLS: Dict[str, Callable] = {
    'gather': multi_scale_deformable_attn_gather,
    'levels': multi_scale_deformable_attn_levels,
}


@contextlib.contextmanager
def msda_implementation(name: str) -> Iterator[None]:
    """Run mmcv's ``MultiScaleDeformableAttention`` on the CPU with the
    implementation ``name`` inside the block.

    Args:
        name (str): ``'mmcv'`` (mmcv's ``grid_sample`` path, nothing
            changes) or a key of :data:`MSDA_IMPLS` (``'gather'``,
            ``'levels'``).
    """
    if name == 'mmcv':
        yield
        return
    if name not in MSDA_IMPLS:
        raise ValueError(f"msda_impl must be 'mmcv' or one of "
                         f'{sorted(MSDA_IMPLS)}, got {name!r}')
    from mmcv.ops import multi_scale_deform_attn as mmcv_msda
    orig = mmcv_msda.multi_scale_deformable_attn_pytorch
    mmcv_msda.multi_scale_deformable_attn_pytorch = MSDA_IMPLS[name]
    try:
        yield
    finally:
        mmcv_msda.multi_scale_deformable_attn_pytorch = orig
