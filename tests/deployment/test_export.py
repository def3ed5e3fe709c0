# Copyright (c) seavis_mm contributors. All rights reserved.
"""ONNX export of the per-frame network: the exported graph, run by ONNX
Runtime with the stream state carried frame to frame, gives PyTorch's
outputs and states; the export follows whatever outputs and state the model
has; a part that cannot be exported is named."""
from operator import attrgetter

import pytest
import torch
from torch import nn

from seavis_mm.deployment import (ExportError, ONNXRuntimeBackend,
                                  export_onnx, read_signature)
from seavis_mm.deployment.inputs import compare_backends, example_frames
from ..models._tiny import tiny_cfg

pytest.importorskip('onnxruntime')
TOL = 1e-3


def _model(history='ring', msda_impl=None, config='seavis_r18_toyavis.py'):
    from seavis_mm.registry import MODELS
    from seavis_mm.utils import register_all_modules
    register_all_modules()
    cfg = tiny_cfg(config)
    cfg.model.backbone.init_cfg = None
    cfg.model.neck.history = history
    if msda_impl:
        cfg.model.msda_impl = msda_impl
    torch.manual_seed(0)
    return MODELS.build(cfg.model).eval(), cfg


@pytest.mark.parametrize('msda_impl', ['mmcv', 'gather'])
def test_onnx_matches_pytorch_with_state_carried(tmp_path, msda_impl):
    model, cfg = _model(msda_impl=msda_impl)
    frames = list(example_frames(model, cfg, (64, 96), 4))
    path = str(tmp_path / 'frame.onnx')
    sig = export_onnx(model, path, frames[0][0], frames[0][1])
    state = model.init_state()
    assert state, 'the toy config has a CCAF neck: the state is not empty'
    assert sig.input_names == ['img', 'audio'] + [
        f'state.{k}' for k in state
    ]
    assert {'cls_logits', 'mask_logits', 'embeds', 'anchor'} <= set(
        sig.output_keys)
    assert sig.output_names[-len(state):] == [
        f'new_state.{k}' for k in state
    ]
    # the file carries its signature and the initial state
    sig2, init = read_signature(path)
    assert sig2 == sig
    assert init.keys() == state.keys()
    assert all(torch.equal(init[k], state[k].cpu()) for k in state)
    worst = compare_backends(model, frames,
                             ONNXRuntimeBackend(onnx_file=path))
    assert worst and all(v <= TOL for v in worst.values()), worst
    assert 'state.audio_keys' in worst  # the states were compared too


def test_position_embedded_mask_features_export(tmp_path):
    """The mask features' position embedding (mask_pos_embed) is computed
    from the feature map's size inside the graph and exports."""
    model, cfg = _model(config='seavis_r18_toyavis_mask-pos.py')
    # non-zero, so that a graph without the embedding would differ
    torch.nn.init.normal_(model.track_head.mask_pos_proj.weight)
    _export_matches_and_needs(model, cfg, tmp_path, 'mask_pos_proj')


def test_fine_mask_features_export(tmp_path):
    """The stride-2 mask features (fine_mask: an image stem added to the
    upsampled mask features) are in the graph, at their resolution."""
    model, cfg = _model(config='seavis_r18_toyavis_fine-mask.py')
    # non-zero, so that a graph without the skip would differ
    torch.nn.init.normal_(model.track_head.fine_mask.proj.weight)
    # without the skip the masks would be at stride 4, another shape, so
    # it is not dropped from the head for the comparison
    path, frames = _export_matches_and_needs(model, cfg, tmp_path)
    backend = ONNXRuntimeBackend(onnx_file=path)
    outputs, _ = backend(frames[0][0], frames[0][1], model.init_state())
    assert tuple(outputs['mask_logits'].shape[-2:]) == (32, 48)


def _exported(model, cfg, tmp_path) -> tuple:
    """Export ``model`` to ``tmp_path/frame.onnx`` and check that ONNX
    Runtime matches PyTorch on three frames. Returns the frames and the
    backend."""
    frames = list(example_frames(model, cfg, (64, 96), 3))
    path = str(tmp_path / 'frame.onnx')
    export_onnx(model, path, frames[0][0], frames[0][1])
    backend = ONNXRuntimeBackend(onnx_file=path)
    worst = compare_backends(model, frames, backend)
    assert worst and all(v <= TOL for v in worst.values()), worst
    return frames, backend


def _export_matches_and_needs(model, cfg, tmp_path, *parts: str) -> tuple:
    """The export matches PyTorch, and the head without any one of
    ``parts`` does not match the graph: each part is in it. Returns the
    ONNX file and the frames compared."""
    frames, backend = _exported(model, cfg, tmp_path)
    for name in parts:
        # 'a.b': attribute b of the head's module a
        owner_name, _, attr = name.rpartition('.')
        owner = attrgetter(owner_name)(
            model.track_head) if owner_name else model.track_head
        kept = getattr(owner, attr)
        setattr(owner, attr, None)
        worst = compare_backends(model, frames, backend)
        setattr(owner, attr, kept)
        assert worst['mask_logits'] > TOL, name
    return str(tmp_path / 'frame.onnx'), frames


def test_sound_anchors_export(tmp_path):
    """Several sounding anchors (sound_anchors) are in the graph: the
    sounding logits of ONNX Runtime are PyTorch's, and not those of the
    head with one anchor."""
    model, cfg = _model(config='seavis_r18_toyavis_sound-anchors.py')
    frames, backend = _exported(model, cfg, tmp_path)
    head = model.track_head
    kept, head.sound_anchor_extra = head.sound_anchor_extra, None
    worst = compare_backends(model, frames, backend)
    head.sound_anchor_extra = kept
    assert worst['sound_logits'] > TOL


def test_sound_class_prior_exports(tmp_path):
    """The audio's sounding categories (sound_class_prior) are in the
    graph."""
    model, cfg = _model(config='seavis_r18_toyavis_sound-class-prior.py')
    frames, backend = _exported(model, cfg, tmp_path)
    with torch.no_grad():
        model.track_head.sound_prior_weight.zero_()
    worst = compare_backends(model, frames, backend)
    assert worst['sound_logits'] > TOL


def test_query_location_prior_exports(tmp_path):
    """The queries' reference points, their mask prior, the mean-shift
    step (query_loc_prior) and the points' query position (pos_query) are
    in the graph."""
    model, cfg = _model(config='seavis_r18_toyavis_query-loc_pos-query.py')
    # non-zero, so that a graph without the position would differ
    torch.nn.init.normal_(
        model.track_head.query_loc.pos_mlp.layers[-1].weight)
    _export_matches_and_needs(model, cfg, tmp_path, 'query_loc',
                              'query_loc.pos_mlp')


def test_center_votes_export(tmp_path):
    """The pixels' centre votes that the query prior is taken on
    (query_loc_prior votes) are in the graph."""
    model, cfg = _model(
        config='seavis_r18_toyavis_query-loc_one-to-many_votes.py')
    # non-zero, so that a graph without the votes would differ
    torch.nn.init.normal_(model.track_head.query_loc.votes.offset.weight,
                          std=0.1)
    _export_matches_and_needs(model, cfg, tmp_path, 'query_loc.votes')


def test_export_follows_new_outputs_and_state(tmp_path):
    """A model that adds an output and a state tensor exports them with no
    change to the exporter (the head and the neck evolve)."""
    model, cfg = _model()
    base = model.forward_frame

    def forward_frame(img, audio, state):
        state = dict(state)
        count = state.pop('frames_seen')
        outputs, new_state = base(img, audio, state)
        outputs['sound_logits'] = outputs['cls_logits'][:, 0] * 2
        new_state['frames_seen'] = count + 1
        return outputs, new_state

    base_init = model.init_state
    model.forward_frame = forward_frame
    model.init_state = lambda device=None: dict(
        base_init(device), frames_seen=torch.zeros(1))
    frames = list(example_frames(model, cfg, (64, 64), 3))
    path = str(tmp_path / 'frame.onnx')
    sig = export_onnx(model, path, frames[0][0], frames[0][1])
    assert 'sound_logits' in sig.output_keys
    assert 'state.frames_seen' in sig.input_names
    backend = ONNXRuntimeBackend(onnx_file=path)
    state = model.init_state()
    for img, audio, _ in frames:
        out, state = backend(img, audio, state)
    assert float(state['frames_seen']) == 3.0
    assert out['sound_logits'].shape == (cfg.model.track_head.num_queries, )


def test_unbounded_history_is_refused_by_name(tmp_path):
    model, cfg = _model(history='unbounded')
    img, audio, _ = next(example_frames(model, cfg, (64, 64), 1))
    with pytest.raises(ExportError, match=r"neck \(CCAF.*unbounded"):
        export_onnx(model, str(tmp_path / 'x.onnx'), img, audio)


class _OpaqueBackbone(nn.Module):
    """A backbone using an op that ONNX has no translation for."""

    def __init__(self, backbone):
        super().__init__()
        self.inner = backbone

    def forward(self, x):
        return self.inner(x + 0 * torch.histc(x, 4).sum())


def test_unexportable_part_is_named(tmp_path):
    model, cfg = _model()
    model.backbone = _OpaqueBackbone(model.backbone)
    img, audio, _ = next(example_frames(model, cfg, (64, 64), 1))
    with pytest.raises(ExportError, match=r'backbone \(_OpaqueBackbone\)'):
        export_onnx(model, str(tmp_path / 'x.onnx'), img, audio)


def test_onnx_file_of_another_size_is_refused(tmp_path):
    model, cfg = _model()
    img, audio, _ = next(example_frames(model, cfg, (64, 64), 1))
    path = str(tmp_path / 'frame.onnx')
    export_onnx(model, path, img, audio)
    backend = ONNXRuntimeBackend(onnx_file=path)
    big, audio, _ = next(example_frames(model, cfg, (96, 96), 1))
    with pytest.raises(ValueError, match=r'exported for input \[1, 3, 64'):
        backend(big, audio, model.init_state())


def test_pytorch2onnx_tool(tmp_path):
    from .._scripts import load_script
    from ..models._tiny import CONFIG_DIR
    import os.path as osp
    tool = load_script('tools/deployment/pytorch2onnx.py')
    out = str(tmp_path / 'toy.onnx')
    res = tool.main([
        osp.join(CONFIG_DIR, 'seavis_r18_toyavis.py'), '--out', out,
        '--shape', '64', '64', '--verify', '--cfg-options',
        'model.track_head.num_queries=6',
        'model.track_head.transformer_decoder.num_layers=1',
        'model.track_head.pixel_decoder.encoder.num_layers=1'
    ])
    assert res['signature']['img_shape'] == [1, 3, 64, 64]
    assert res['max_abs_diff'] and all(
        v <= TOL for v in res['max_abs_diff'].values())


@pytest.mark.parametrize('impl, op', [('mmcv', 'GridSample'),
                                      ('levels', 'GridSample'),
                                      ('gather', 'MatMul'),
                                      (None, 'GridSample')])
def test_export_traces_the_requested_msda(tmp_path, impl, op):
    """The exporter's ``msda_impl`` wins over the model's own (gather, the
    PyTorch default): 'mmcv' and 'levels' (the default) trace grid_sample,
    which ONNX Runtime runs fastest, and the model keeps its own
    afterwards. 'levels' writes no stacked tensor of every level's samples:
    the graph has fewer Concat nodes than mmcv's."""
    import onnx
    model, cfg = _model()
    assert model.msda_impl == 'gather'
    frames = list(example_frames(model, cfg, (64, 96), 1))
    counts = {}
    for name in (impl, 'mmcv'):
        path = str(tmp_path / f'{name}.onnx')
        kwargs = {} if name is None else dict(msda_impl=name)
        export_onnx(model, path, frames[0][0], frames[0][1], **kwargs)
        nodes = [n.op_type for n in onnx.load(path).graph.node]
        counts[name] = nodes.count('Concat')
        if name == impl:
            ops = set(nodes)
    assert op in ops
    assert ('GridSample' in ops) == (impl != 'gather')
    if impl in (None, 'levels'):
        assert counts[impl] < counts['mmcv']
    assert model.msda_impl == 'gather'
