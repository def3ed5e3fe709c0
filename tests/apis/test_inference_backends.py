# Copyright (c) seavis_mm contributors. All rights reserved.
"""The backends of OnlineAVISInferencer (ONNX Runtime, torch.compile) give
what eager PyTorch gives on ToyAVIS val videos: the per-frame network's
outputs within 1e-3, the same tracks, and FSLA / HOTA within 0.1."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import soundfile as sf
import torch

from seavis_mm.apis import OnlineAVISInferencer
from seavis_mm.apis.export import StreamResults
from seavis_mm.evaluation.functional import evaluate_avis
from ..models._tiny import tiny_cfg
from .small_seavis import open_tracker

pytest.importorskip('onnxruntime')
TOL = 1e-3


@pytest.fixture(scope='module')
def toyavis_val(tmp_path_factory):
    """Two 6-frame ToyAVIS val videos."""
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis_backends'))
    make_toyavis(root, train_videos=0, val_videos=2, seed=11,
                 num_frames_range=(6, 6))
    return root


def _cfg(root):
    cfg = tiny_cfg()
    # a random model scores low: open the tracker so that instances are
    # output, tracked and sound-gated (else every backend outputs nothing)
    open_tracker(cfg, match_thr=-1.0, sound_gate=True, sound_thr=-0.05)
    cfg.test_dataloader.dataset.data_root = root
    return cfg


def _videos(root):
    with open(osp.join(root, 'val.json')) as f:
        gt = json.load(f)
    for video in gt['videos']:
        frames = [
            cv2.imread(osp.join(root, 'val', 'JPEGImages', name))
            for name in video['file_names']
        ]
        wav = osp.join(root, 'val', 'WAVAudios', video['file_names'][0]
                       .split('/')[0] + '.wav')
        audio, sr = sf.read(wav, dtype='float32')
        yield video['id'], frames, audio, sr


def _stream(inferencer, frames, audio, sr):
    inferencer.reset()
    out = []
    for k, frame in enumerate(frames):
        out.append(
            inferencer.step(frame, audio[k * sr:(k + 1) * sr], sr))
    return out


def _build(cfg, backend, **options):
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='no checkpoint'):
        return OnlineAVISInferencer(
            cfg, backend=backend, backend_options=options or None)


def _recorded(forward, record):
    def run(img, audio, state):
        outputs, new_state = forward(img, audio, state)
        record.append({k: v.detach().clone() for k, v in outputs.items()})
        return outputs, new_state

    return run


def _check_backend(root, backend):
    cfg = _cfg(root)
    ref = _build(cfg, 'pytorch')
    other = _build(cfg, backend)
    other.model.load_state_dict(ref.model.state_dict())
    # the per-frame network's outputs of every frame, as each path ran it
    ref_out, other_out = [], []
    ref.model.forward_frame = _recorded(ref.model.forward_frame, ref_out)
    other._frame_forward = _recorded(other._frame_forward, other_out)
    results = {name: [] for name in ('pytorch', backend)}
    total = 0
    for vid, frames, audio, sr in _videos(root):
        a = _stream(ref, frames, audio, sr)
        b = _stream(other, frames, audio, sr)
        for name, preds in (('pytorch', a), (backend, b)):
            res = StreamResults(*frames[0].shape[:2])
            for k, p in enumerate(preds):
                res.add(k, p)
            results[name] += res.to_avism(vid)
        for pa, pb in zip(a, b):
            total += len(pa)
            assert torch.equal(pa.instances_id, pb.instances_id)
            assert torch.equal(pa.labels, pb.labels)
            assert torch.allclose(pa.scores, pb.scores, atol=TOL, rtol=0)
            assert torch.allclose(pa.sound_scores, pb.sound_scores,
                                  atol=TOL, rtol=0)
            # masks are logits > 0 after upsampling: a 1e-3 change may flip
            # a pixel lying on the boundary, no more
            if len(pa):
                agree = (pa.masks == pb.masks).float().mean()
                assert agree > 0.999
    assert total > 0  # the comparison was not vacuous
    # masks, scores and embeddings: every output of the network
    assert len(ref_out) == len(other_out) > 0
    for ra, rb in zip(ref_out, other_out):
        assert ra.keys() == rb.keys()
        assert {'cls_logits', 'mask_logits', 'embeds'} <= ra.keys()
        for key in ra:
            assert torch.allclose(ra[key], rb[key], atol=TOL, rtol=0), key
    gt = osp.join(root, 'val.json')
    scores = {
        name: evaluate_avis(gt, res, metrics=('FSLA', 'HOTA'))
        for name, res in results.items()
    }
    for key in ('FSLA', 'HOTA'):
        a, b = scores['pytorch'][key], scores[backend][key]
        assert np.isfinite(a) and abs(a - b) <= 0.1, (key, a, b)


@pytest.mark.filterwarnings('ignore::UserWarning')
def test_onnxruntime_backend_matches_pytorch(toyavis_val):
    _check_backend(toyavis_val, 'onnxruntime')


@pytest.mark.slow
@pytest.mark.filterwarnings('ignore::UserWarning')
def test_compile_backend_matches_pytorch(toyavis_val):
    _check_backend(toyavis_val, 'compile')


def test_unknown_backend_is_refused(toyavis_val):
    with pytest.raises(ValueError, match='backend must be one of'):
        _build(_cfg(toyavis_val), 'tensorrt-magic')


def test_auto_backend_picks_onnxruntime_where_it_exports():
    from seavis_mm.apis.inference import resolve_backend
    from seavis_mm.registry import MODELS
    cpu = torch.device('cpu')
    cfg = tiny_cfg()
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    assert resolve_backend('auto', model, cpu) == 'onnxruntime'
    assert resolve_backend('auto', model, torch.device('cuda')) == 'pytorch'
    assert resolve_backend('compile', model, cpu) == 'compile'
    # a state that grows every frame cannot be exported
    cfg.model.neck.history = 'unbounded'
    assert resolve_backend('auto', MODELS.build(cfg.model), cpu) == 'pytorch'
    # a model without a per-frame network (e.g. a test double)
    assert resolve_backend('auto', torch.nn.Linear(2, 2), cpu) == 'pytorch'
