# Copyright (c) seavis_mm contributors. All rights reserved.
"""The gather and per-level formulations of multi-scale deformable attention
equal mmcv's ``multi_scale_deformable_attn_pytorch`` (values and gradients),
inside a real pixel decoder too, and export to ONNX."""
import pytest
import torch
from mmcv.ops import multi_scale_deform_attn as mmcv_msda

from seavis_mm.models.layers import (msda_implementation,
                                     multi_scale_deformable_attn_gather,
                                     multi_scale_deformable_attn_levels)

IMPLS = dict(gather=multi_scale_deformable_attn_gather,
             levels=multi_scale_deformable_attn_levels)


def _inputs(seed=0, bs=2, heads=4, dims=8, queries=37, points=3,
            shapes=((7, 9), (4, 5), (2, 3))):
    g = torch.Generator().manual_seed(seed)
    spatial = torch.tensor(shapes, dtype=torch.long)
    num_value = int(spatial.prod(1).sum())
    value = torch.randn(bs, num_value, heads, dims, generator=g)
    # locations beyond [0, 1] too: corners outside the map count as 0
    loc = torch.rand(bs, queries, heads, len(shapes), points, 2,
                     generator=g) * 1.4 - 0.2
    weights = torch.rand(bs, queries, heads, len(shapes), points,
                         generator=g)
    weights = weights / weights.sum((-1, -2), keepdim=True)
    return value, spatial, loc, weights


@pytest.mark.parametrize('impl', sorted(IMPLS))
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_impl_equals_mmcv(seed, impl):
    fn = IMPLS[impl]
    value, spatial, loc, weights = _inputs(seed)
    ref = mmcv_msda.multi_scale_deformable_attn_pytorch(
        value, spatial, loc, weights)
    out = fn(value, spatial, loc, weights)
    assert out.shape == ref.shape
    assert torch.allclose(out, ref, atol=1e-5, rtol=0)
    # on the grid lines (floor edge cases) and at the borders 0 and 1
    grid = (loc.clamp(0, 1) * 40).round() / 40
    ref = mmcv_msda.multi_scale_deformable_attn_pytorch(
        value, spatial, grid, weights)
    out = fn(value, spatial, grid, weights)
    assert torch.allclose(out, ref, atol=1e-5, rtol=0)


def test_context_swaps_and_restores():
    orig = mmcv_msda.multi_scale_deformable_attn_pytorch
    for name, fn in IMPLS.items():
        with msda_implementation(name):
            assert mmcv_msda.multi_scale_deformable_attn_pytorch is fn
    assert mmcv_msda.multi_scale_deformable_attn_pytorch is orig
    with msda_implementation('mmcv'):
        assert mmcv_msda.multi_scale_deformable_attn_pytorch is orig
    with pytest.raises(ValueError, match='msda_impl'):
        with msda_implementation('cuda-magic'):
            pass


@pytest.mark.parametrize('impl', sorted(IMPLS))
def test_pixel_decoder_same_with_impl(impl):
    """mmcv's module, run through mmdet's pixel decoder, gives the same
    features with either implementation."""
    from mmcv.ops import MultiScaleDeformableAttention
    torch.manual_seed(0)
    attn = MultiScaleDeformableAttention(
        embed_dims=32, num_heads=4, num_levels=3, num_points=4,
        batch_first=True).eval()
    # non-trivial offsets (mmcv initialises them to a fixed pattern)
    torch.nn.init.normal_(attn.sampling_offsets.weight, std=0.5)
    shapes = torch.tensor([[8, 10], [4, 5], [2, 3]])
    n = int(shapes.prod(1).sum())
    query = torch.randn(1, n, 32)
    ref_pts = torch.rand(1, n, 3, 2)
    start = torch.cat([shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]])
    kwargs = dict(query=query, value=query, reference_points=ref_pts,
                  spatial_shapes=shapes, level_start_index=start)
    with torch.no_grad():
        ref = attn(**kwargs)
        with msda_implementation(impl):
            out = attn(**kwargs)
    assert torch.allclose(out, ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize('impl', sorted(IMPLS))
def test_impl_exports_to_onnx(tmp_path, impl):
    ort = pytest.importorskip('onnxruntime')
    value, spatial, loc, weights = _inputs(3, bs=1)

    class Wrap(torch.nn.Module):

        def forward(self, v, l, w):
            return IMPLS[impl](v, spatial, l, w)

    path = str(tmp_path / 'msda.onnx')
    torch.onnx.export(Wrap(), (value, loc, weights), path,
                      input_names=['v', 'l', 'w'], opset_version=17,
                      dynamo=False)
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    out = sess.run(None, dict(v=value.numpy(), l=loc.numpy(),
                              w=weights.numpy()))[0]
    ref = mmcv_msda.multi_scale_deformable_attn_pytorch(
        value, spatial, loc, weights)
    assert abs(torch.from_numpy(out) - ref).max() < 1e-5


@pytest.mark.parametrize('impl', sorted(IMPLS))
@pytest.mark.parametrize('seed', [0, 1])
def test_gradients_equal_mmcv(seed, impl):
    """SeaVIS trains with the gather formulation by default: the gradients
    for the values, the sampling locations and the attention weights are
    those of mmcv's path (and the per-level formulation's too)."""
    value, spatial, loc, weights = _inputs(seed)
    grads = []
    for fn in (mmcv_msda.multi_scale_deformable_attn_pytorch, IMPLS[impl]):
        leaves = [t.clone().requires_grad_() for t in (value, loc, weights)]
        out = fn(leaves[0], spatial, leaves[1], leaves[2])
        # a loss that weighs every output differently
        (out * torch.arange(out.numel()).view_as(out).sin()).sum().backward()
        grads.append([t.grad for t in leaves])
    for ref, got, name in zip(*grads, ('value', 'locations', 'weights')):
        assert torch.allclose(got, ref, atol=2e-5, rtol=0), name


def test_seavis_defaults_to_gather():
    from tests.models._tiny import build_tiny
    assert build_tiny().msda_impl == 'gather'
