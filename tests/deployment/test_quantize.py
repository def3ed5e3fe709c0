# Copyright (c) seavis_mm contributors. All rights reserved.
"""Int8 quantisation of the exported per-frame network
(``seavis_mm.deployment.quantize``): the int8 file keeps the signature and
runs behind the ONNX Runtime backend, calibrated on frames that carry the
stream state; the benchmarks' int8 reference; the calibration data."""
import os.path as osp

import numpy as np
import pytest
import torch
from torch import nn

from seavis_mm.deployment import (ModuleRunner, ONNXRuntimeBackend,
                                  export_onnx, read_signature)
from seavis_mm.deployment.inputs import compare_backends, pipeline_shape
from seavis_mm.deployment.quantize import (calibration_dataset_cfg,
                                           dataset_frames,
                                           quantize_frame_network,
                                           synthetic_frames)
from ..apis.small_seavis import OPEN_TRACKER
from .test_export import _model

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')


def _ops(path):
    return {n.op_type for n in onnx.load(path).graph.node}


def test_int8_frame_network_keeps_signature_and_runs(tmp_path):
    model, cfg = _model()
    frames = synthetic_frames(model, cfg, (64, 64), 4)
    # the calibration frames carry the state: the audio ring fills up
    valid = [int(f[2]['audio_valid'].sum()) for f in frames]
    assert valid == sorted(valid) and valid[-1] > valid[0]
    fp32 = str(tmp_path / 'frame.onnx')
    sig = export_onnx(model, fp32, frames[0][0], frames[0][1])
    int8 = quantize_frame_network(fp32, str(tmp_path / 'int8.onnx'), frames)
    assert read_signature(int8)[0] == sig
    ops = _ops(int8)
    assert {'QuantizeLinear', 'DequantizeLinear'} <= ops
    assert 'QuantizeLinear' not in _ops(fp32)
    # int8 stays near fp32: the same mask pixels almost everywhere, the
    # boolean state exact
    worst = compare_backends(model, frames, ONNXRuntimeBackend(
        onnx_file=int8))
    assert worst['state.audio_valid'] == 0
    assert all(np.isfinite(v) for v in worst.values()), worst
    assert worst['mask_pixels_differing'] < 0.1, worst
    # and it is not fp32 under another name
    assert worst['cls_logits'] > 1e-6


def test_int8_on_the_fly_and_refused_sizes(tmp_path):
    model, cfg = _model()
    frames = synthetic_frames(model, cfg, (64, 64), 2)
    backend = ONNXRuntimeBackend(model, work_dir=str(tmp_path),
                                 calibration=frames)
    out, state = backend(frames[0][0], frames[0][1], frames[0][2])
    assert out['cls_logits'].shape[-1] == model.track_head.num_classes + 1
    assert any(p.endswith('_int8.onnx') for p in map(str, tmp_path.iterdir()))
    # a frame size with no calibration frame is refused by name
    big = synthetic_frames(model, cfg, (96, 96), 1)[0]
    with pytest.raises(ValueError, match='no calibration frame'):
        backend(*big)


def test_module_runner_int8(tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                        nn.Conv2d(8, 4, 1)).eval()
    x = torch.randn(1, 3, 16, 16)
    fp32 = ModuleRunner(net, 'onnxruntime', str(tmp_path), 1)(x)[0]
    q = ModuleRunner(net, 'onnxruntime', str(tmp_path), 1, int8=True)(x)[0]
    rel = float((q - fp32).abs().max() / fp32.abs().max())
    assert 0 < rel < 0.05, rel  # 0.13 with saturating 8-bit weights
    assert 'QuantizeLinear' in _ops(str(tmp_path / 'Sequential_0_int8.onnx'))
    with pytest.raises(ValueError, match='onnxruntime'):
        ModuleRunner(net, 'pytorch', str(tmp_path), 1, int8=True)


def test_pipeline_shape():
    from mmengine.config import Config
    from ..models._tiny import CONFIG_DIR
    toy = Config.fromfile(osp.join(CONFIG_DIR, 'seavis_r18_toyavis.py'))
    r50 = Config.fromfile(
        osp.join(CONFIG_DIR, 'seavis_r50_8xb2-20k_aviseg.py'))
    assert pipeline_shape(toy) == (128, 128)
    assert pipeline_shape(r50) == (360, 640)  # (1333, 360), keep ratio
    assert pipeline_shape(Config(dict())) == (360, 640)


@pytest.fixture(scope='module')
def toyavis_root(tmp_path_factory):
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis_q8'))
    make_toyavis(root, train_videos=2, val_videos=1, seed=3,
                 num_frames_range=(4, 4))
    return root + '/'


def _toy_cfg(cfg, root):
    for loader in ('train_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    return cfg


def test_dataset_frames_are_training_frames_in_stream_order(toyavis_root):
    model, cfg = _model()
    cfg = _toy_cfg(cfg, toyavis_root)
    ds = calibration_dataset_cfg(cfg, 'train')
    assert ds.ann_file == 'train.json' and ds.test_mode
    assert calibration_dataset_cfg(cfg, 'test').ann_file == 'val.json'
    with pytest.raises(ValueError, match="'train' or 'test'"):
        calibration_dataset_cfg(cfg, 'val2')
    frames = dataset_frames(model, cfg, 6, 'train')
    assert len(frames) == 6
    assert all(list(f[0].shape) == [1, 3, 128, 128] for f in frames)
    init = model.init_state()
    # each video starts from the initial state, then the state is carried
    assert torch.equal(frames[0][2]['audio_valid'], init['audio_valid'])
    assert int(frames[1][2]['audio_valid'].sum()) > \
        int(frames[0][2]['audio_valid'].sum())


@pytest.mark.slow
def test_int8_export_and_backend_accuracy_tools(tmp_path, toyavis_root):
    """pytorch2onnx.py --int8 calibrates on training frames; test_backend.py
    scores eager PyTorch, the fp32 export and the int8 one on the test set:
    fp32 ONNX Runtime equals PyTorch."""
    from mmengine.runner.checkpoint import save_checkpoint

    from .._scripts import load_script
    from ..models._tiny import CONFIG_DIR
    model, _ = _model()
    ckpt = str(tmp_path / 'tiny.pth')
    save_checkpoint(model.state_dict(), ckpt)
    config = osp.join(CONFIG_DIR, 'seavis_r18_toyavis.py')
    opts = [
        'model.track_head.num_queries=6',
        'model.track_head.transformer_decoder.num_layers=1',
        'model.track_head.pixel_decoder.encoder.num_layers=1',
        f'train_dataloader.dataset.data_root={toyavis_root}',
        f'test_dataloader.dataset.data_root={toyavis_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
    ]
    # random weights: open the tracker so that something is scored
    opts += [f'model.tracker.{k}={v}' for k, v in OPEN_TRACKER.items()]
    out = str(tmp_path / 'toy_int8.onnx')
    res = load_script('tools/deployment/pytorch2onnx.py').main(
        [config, ckpt, '--out', out, '--int8', '--calib-frames', '4',
         '--cfg-options'] + opts)
    # the default size is the test pipeline's, calibrated on train frames
    assert res['signature']['img_shape'] == [1, 3, 128, 128]
    assert res['calib_frames'] == 4 and res['calib_split'] == 'train'
    assert osp.isfile(res['fp32_onnx'])
    tool = load_script('tools/deployment/test_backend.py')
    scores = {}
    for name, extra in (('pytorch', []),
                        ('fp32', ['--backend', 'onnxruntime', '--onnx-file',
                                  res['fp32_onnx']]),
                        ('int8', ['--backend', 'onnxruntime', '--onnx-file',
                                  out])):
        result = tool.main([config, ckpt, '--threads', '1', '--out',
                            str(tmp_path / f'{name}.json')] + extra +
                           ['--cfg-options'] + opts)
        scores[name] = result['metrics']
        assert 0 <= scores[name]['avis/FSLA'] <= 100
    for key in ('avis/FSLA', 'avis/HOTA'):
        assert abs(scores['pytorch'][key] - scores['fp32'][key]) <= 0.1


def test_profile_onnx_tool(tmp_path):
    """tools/analysis_tools/profile_onnx.py on an fp32 and an int8 export:
    per-op-type kernel times, the int8 one running quantised kernels."""
    import json

    from .._scripts import load_script
    model, cfg = _model()
    frames = synthetic_frames(model, cfg, (64, 64), 2)
    fp32 = str(tmp_path / 'frame.onnx')
    export_onnx(model, fp32, frames[0][0], frames[0][1])
    int8 = quantize_frame_network(fp32, str(tmp_path / 'int8.onnx'), frames)
    tool = load_script('tools/analysis_tools/profile_onnx.py')
    ops = {}
    for name, path in (('fp32', fp32), ('int8', int8)):
        out = tmp_path / f'{name}.json'
        res = tool.main([path, '--threads', '1', '--runs', '2', '--out',
                         str(out)])
        data = json.loads(out.read_text())
        assert data['total_ms'] == pytest.approx(res['total_ms'])
        assert data['total_ms'] > 0
        assert sum(s for _, _, s in data['op_types']) == pytest.approx(1.0)
        assert len(data['nodes']) <= 15
        ops[name] = {op for op, _, _ in data['op_types']}
    assert 'Conv' in ops['fp32'] and 'QLinearConv' not in ops['fp32']
    assert 'QLinearConv' in ops['int8']
