# Copyright (c) seavis_mm contributors. All rights reserved.
"""demo/stream_demo.py end to end on generated videos with sound (the fake
model stands in for SeaVIS); outputs are checked with PyAV, pycocotools and
the evaluator."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from seavis_mm.apis.video_io import NoAudioStreamError
from seavis_mm.evaluation.functional import evaluate_avis
from .stream_fakes import (HERE, write_checkpoint, write_config,
                          stream_info, write_test_mp4)
from .._scripts import load_script

ROOT = osp.dirname(osp.dirname(HERE))
DEMO = osp.join(ROOT, 'demo', 'stream_demo.py')


def _load_demo():
    return load_script('demo/stream_demo.py')


@pytest.fixture(scope='module')
def demo():
    return _load_demo()


@pytest.fixture(scope='module')
def model_files(tmp_path_factory):
    d = tmp_path_factory.mktemp('model')
    return (write_config(str(d / 'cfg.py')),
            write_checkpoint(str(d / 'ckpt.pth')))


def test_demo_on_toyavis_mp4(demo, model_files, toyavis_root, tmp_path):
    cfg, ckpt = model_files
    video = glob.glob(osp.join(toyavis_root, 'mp4', 'val', '*.mp4'))[0]
    with open(osp.join(toyavis_root, 'val.json')) as f:
        gt = json.load(f)
    vid = gt['videos'][0]['id']
    out = str(tmp_path / 'out.mp4')
    out_dir = str(tmp_path / 'res')
    timeline = str(tmp_path / 'timeline.png')
    outputs = demo.run(
        demo.parse_args([
            video, cfg, ckpt, '--out', out, '--out-dir', out_dir,
            '--show-timeline', timeline, '--video-id',
            str(vid)
        ]))
    assert outputs['num_frames'] == 5

    # a playable file: all input frames at the input rate, the audio kept
    src, dst = stream_info(video), stream_info(out)
    assert dst['video']['frames'] == src['video']['frames'] == 50
    assert dst['video']['rate'] == pytest.approx(src['video']['rate'])
    assert dst['audio'] is not None and dst['audio']['codec'] == 'aac'
    assert dst['audio']['duration'] == pytest.approx(
        src['audio']['duration'], abs=0.01)

    # results.json: AVISM's format, one RLE per processed frame
    with open(osp.join(out_dir, 'results.json')) as f:
        results = json.load(f)
    assert results and all(
        set(r) == {'video_id', 'score', 'category_id', 'segmentations'}
        for r in results)
    assert all(len(r['segmentations']) == 5 for r in results)
    assert all(r['video_id'] == vid for r in results)
    # the fake model: one instance a frame, id = frame // 2
    assert len(results) == 3
    pngs = sorted(glob.glob(osp.join(out_dir, 'instance_ids', '*.png')))
    assert [osp.basename(p) for p in pngs] == \
        [f'{k:05d}.png' for k in range(5)]
    for k, png in enumerate(pngs):
        ids = cv2.imread(png, cv2.IMREAD_UNCHANGED)
        assert ids.dtype == np.uint16 and ids.shape == (128, 128)
        for tid, r in enumerate(results):
            seg = dict(r['segmentations'][k])
            mask = mask_utils.decode(seg).astype(bool)
            if tid == k // 2:
                assert mask.any()
                assert np.array_equal(ids == tid + 1, mask)
            else:
                assert not mask.any()  # the empty-mask RLE
    # the evaluator reads it
    scores = evaluate_avis(
        osp.join(toyavis_root, 'val.json'), results, video_ids=[vid])
    assert 0.0 <= scores['FSLA'] <= 100.0

    img = cv2.imread(timeline)
    assert img is not None and img.shape[0] > 100 and img.shape[1] > 300


def test_demo_on_frames_and_wav(demo, model_files, toyavis_root, tmp_path):
    cfg, ckpt = model_files
    frame_dir = glob.glob(osp.join(toyavis_root, 'val', 'JPEGImages', '*'))[0]
    wav = glob.glob(osp.join(toyavis_root, 'val', 'WAVAudios', '*.wav'))[0]
    out = str(tmp_path / 'frames.mp4')
    demo.main([frame_dir, cfg, ckpt, '--audio', wav, '--out', out])
    info = stream_info(out)
    assert info['video']['frames'] == 5
    assert info['audio']['codec'] == 'aac'  # the wav, encoded
    assert info['audio']['duration'] == pytest.approx(5.0, abs=0.1)


def test_demo_silent_video(demo, model_files, tmp_path):
    cfg, ckpt = model_files
    mute = write_test_mp4(
        str(tmp_path / 'mute.mp4'), seconds=2.0, with_audio=False)
    out = str(tmp_path / 'o.mp4')
    with pytest.raises(NoAudioStreamError, match='mute.mp4'):
        demo.main([mute, cfg, ckpt, '--out', out])
    with pytest.warns(UserWarning, match='no audio'):
        demo.main([mute, cfg, ckpt, '--out', out, '--allow-silent'])
    info = stream_info(out)
    assert info['video']['frames'] == 20 and info['audio'] is None
    with pytest.raises(SystemExit):
        demo.parse_args([mute, cfg, ckpt])  # nothing to write


@pytest.mark.slow
def test_demo_command_line(model_files, tmp_path):
    """The script as users run it, at a raised --fps, 48 kHz stereo AAC."""
    cfg, ckpt = model_files
    video = write_test_mp4(
        str(tmp_path / 'clip.mp4'), seconds=2.0, fps=25, sample_rate=48000)
    out = str(tmp_path / 'clip_seg.mp4')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([HERE, ROOT]))
    proc = subprocess.run(
        [sys.executable, DEMO, video, cfg, ckpt, '--out', out, '--fps', '2',
         '--out-dir', str(tmp_path / 'res')],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = stream_info(out)
    assert info['video']['frames'] == 50
    assert info['audio']['sample_rate'] == 48000
    with open(tmp_path / 'res' / 'results.json') as f:
        results = json.load(f)
    assert all(len(r['segmentations']) == 4 for r in results)


def test_demo_reencodes_audio_mp4_cannot_hold(demo, model_files, tmp_path):
    """PCM audio in a .mkv can not be copied into an .mp4: decoded and
    encoded to AAC, same sample rate and length."""
    cfg, ckpt = model_files
    video = write_test_mp4(
        str(tmp_path / 'clip.mkv'), seconds=2.0, fps=10,
        sample_rate=22050, audio_codec='pcm_s16le')
    out = str(tmp_path / 'clip_seg.mp4')
    demo.main([video, cfg, ckpt, '--out', out])
    info = stream_info(out)
    assert info['video']['frames'] == 20
    assert info['audio']['codec'] == 'aac'
    assert info['audio']['sample_rate'] == 22050
    assert info['audio']['duration'] == pytest.approx(2.0, abs=0.1)


@pytest.mark.slow
def test_demo_runs_an_exported_onnx_file(demo, toyavis_root, tmp_path):
    """--onnx-file: the demo runs a pytorch2onnx.py export on ONNX Runtime
    and writes what eager PyTorch writes (a real tiny SeaVIS, tracker
    opened so that random weights output tracks)."""
    pytest.importorskip('onnxruntime')
    import torch
    from mmengine.runner.checkpoint import save_checkpoint

    from seavis_mm.registry import MODELS
    from seavis_mm.utils import register_all_modules
    from ..models._tiny import tiny_cfg
    from .small_seavis import open_tracker
    register_all_modules()
    cfg = tiny_cfg()
    cfg.model.backbone.init_cfg = None
    open_tracker(cfg, match_thr=-1.0, sound_gate=True, sound_thr=-0.05)
    cfg_file = str(tmp_path / 'tiny.py')
    cfg.dump(cfg_file)
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'tiny.pth')
    save_checkpoint(MODELS.build(cfg.model).state_dict(), ckpt)
    onnx_file = str(tmp_path / 'tiny.onnx')
    load_script('tools/deployment/pytorch2onnx.py').main(
        [cfg_file, ckpt, '--out', onnx_file])
    frame_dir = glob.glob(osp.join(toyavis_root, 'val', 'JPEGImages', '*'))[0]
    wav = glob.glob(osp.join(toyavis_root, 'val', 'WAVAudios', '*.wav'))[0]
    results = {}
    for name, extra in (('pytorch', ['--backend', 'pytorch']),
                        ('onnx', ['--onnx-file', onnx_file])):
        out_dir = tmp_path / name
        demo.main([frame_dir, cfg_file, ckpt, '--audio', wav, '--out-dir',
                   str(out_dir)] + extra)
        with open(out_dir / 'results.json') as f:
            results[name] = json.load(f)
    assert results['pytorch'], 'the opened tracker outputs tracks'
    assert [r['category_id'] for r in results['onnx']] == \
        [r['category_id'] for r in results['pytorch']]
    assert [r['segmentations'] for r in results['onnx']] == \
        [r['segmentations'] for r in results['pytorch']]
    # the file itself is run: one exported for another size is refused
    small = str(tmp_path / 'tiny64.onnx')
    load_script('tools/deployment/pytorch2onnx.py').main(
        [cfg_file, ckpt, '--out', small, '--shape', '64', '64'])
    with pytest.raises(ValueError, match='tiny64.onnx'):
        demo.main([frame_dir, cfg_file, ckpt, '--audio', wav, '--out-dir',
                   str(tmp_path / 'small'), '--onnx-file', small])
    with pytest.raises(SystemExit):
        demo.parse_args([frame_dir, cfg_file, ckpt, '--out-dir', 'x',
                         '--onnx-file', onnx_file, '--backend', 'compile'])
