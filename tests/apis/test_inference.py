# Copyright (c) seavis_mm contributors. All rights reserved.
"""OnlineAVISInferencer on the fake model (tests/apis/stream_fakes.py)."""
import glob
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import soundfile as sf
import soxr
import torch
from mmengine.dataset import pseudo_collate

from seavis_mm.apis import OnlineAVISInferencer, stream_pipeline_cfg
from seavis_mm.apis.video_io import MissingAudioWarning, NoAudioStreamError
from seavis_mm.registry import DATASETS
from .stream_fakes import (CLASSES, fake_config, write_checkpoint,
                          write_config, write_test_mp4)

pytestmark = pytest.mark.filterwarnings(
    'ignore:OnlineAVISInferencer. no checkpoint')


def _video_files(root):
    frames = sorted(glob.glob(osp.join(root, 'val/JPEGImages/*/*.jpg')))
    wav = glob.glob(osp.join(root, 'val/WAVAudios/*.wav'))[0]
    return frames, wav


def _assert_same(a, b, atol=1e-5):
    assert torch.equal(a.masks, b.masks)
    assert torch.equal(a.labels, b.labels)
    assert torch.equal(a.instances_id, b.instances_id)
    assert torch.allclose(a.scores, b.scores, atol=atol)
    assert torch.allclose(a.sound_scores, b.sound_scores, atol=atol)


def test_stream_pipeline_cfg():
    pipeline = fake_config().test_dataloader.dataset.pipeline
    new, audio_cfg = stream_pipeline_cfg(
        [dict(type='AVISClipSample', num_frames=5)] + list(pipeline[:1]) +
        [dict(type='LoadAudioWindows', past_context=4)] + list(pipeline[2:]))
    assert [t['type'] for t in new] == ['TransformBroadcaster',
                                        'PackAVISInputs']
    inner = [t['type'] for t in new[0]['transforms']]
    assert inner == ['mmdet.LoadImageFromNDArray', 'Resize']
    assert audio_cfg['past_context'] == 4
    # the config itself is left alone
    assert pipeline[0]['transforms'][0]['type'] == 'LoadImageFromFile'
    with pytest.raises(ValueError, match='PackAVISInputs'):
        stream_pipeline_cfg(pipeline[:1])


def test_step_equals_predict(toyavis_root):
    """The online path is the evaluated path: step() over a video's frames
    and wav gives what model.predict() gives on the whole video from the
    dataset's test pipeline."""
    cfg = fake_config(data_root=toyavis_root)
    inferencer = OnlineAVISInferencer(cfg)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    video = dataset[0]
    offline = inferencer.model.test_step(pseudo_collate([video]))[0]
    num = len(offline)
    assert num == 5

    frames, wav = _video_files(toyavis_root)
    audio, sr = sf.read(wav, dtype='float32')
    assert sr == 16000
    inferencer.reset()
    for k, path in enumerate(frames):
        chunk = audio[k * sr:(k + 1) * sr]
        inst = inferencer.step(cv2.imread(path), chunk, sample_rate=sr)
        _assert_same(inst, offline[k].pred_track_instances)
        assert inst.class_names == [CLASSES[int(inst.labels[0])]]
    # ids and labels come from the model's per-stream state
    assert inferencer.num_processed == num


def test_step_audio_chunking_and_reset(toyavis_root):
    """Any chunking of the audio gives the same stream; reset() replays."""
    inferencer = OnlineAVISInferencer(fake_config())
    frames, wav = _video_files(toyavis_root)
    audio, sr = sf.read(wav, dtype='float32')

    def run(chunks_per_frame):
        inferencer.reset()
        outs = []
        for k, path in enumerate(frames):
            seg = audio[k * sr:(k + 1) * sr]
            parts = np.array_split(seg, chunks_per_frame)
            for p in parts[:-1]:  # audio arriving in pieces
                inferencer.push_audio(p, sr)
            outs.append(inferencer.step(cv2.imread(path), parts[-1], sr))
        return outs

    ref = run(1)
    for a, b in zip(ref, run(7)):
        _assert_same(a, b)
    assert [int(o.instances_id[0]) for o in ref] == [0, 0, 1, 1, 2]
    # silence (no audio at all) changes the audio-driven scores
    inferencer.reset()
    silent = inferencer.step(cv2.imread(frames[0]))
    assert not torch.allclose(silent.scores, ref[0].scores)


def test_step_resamples_and_downmixes(toyavis_root, tmp_path):
    """48 kHz stereo audio: the stream (downmix, soxr to 16 kHz, log-mel)
    equals the dataset path (whole-file downmix + resampling) when the
    audio arrives with the inferencer's lookahead, and is close without."""
    root = str(tmp_path / 'toy48k')
    shutil.copytree(toyavis_root, root)
    frames, wav = _video_files(root)
    audio, sr = sf.read(wav, dtype='float32')
    hi = soxr.resample(audio, sr, 48000, quality='HQ')
    stereo = np.stack([hi, 0.5 * hi], axis=1)
    sf.write(wav, stereo, 48000, subtype='FLOAT')

    cfg = fake_config(data_root=root)
    inferencer = OnlineAVISInferencer(cfg)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    offline = inferencer.model.test_step(pseudo_collate([dataset[0]]))[0]

    ahead = int(inferencer.audio_lookahead * 48000)
    inferencer.reset()
    for k, p in enumerate(frames):
        lo = 0 if k == 0 else k * 48000 + ahead
        chunk = stereo[lo:(k + 1) * 48000 + ahead]
        inst = inferencer.step(cv2.imread(p), chunk, sample_rate=48000,
                               audio_end=k == len(frames) - 1)
        _assert_same(inst, offline[k].pred_track_instances)
    # exactly the slice, no lookahead: the resampler's last ~33 ms count as
    # silence, a small difference
    inferencer.reset()
    for k, p in enumerate(frames):
        inst = inferencer.step(
            cv2.imread(p), stereo[k * 48000:(k + 1) * 48000], 48000)
        assert torch.allclose(inst.scores,
                              offline[k].pred_track_instances.scores,
                              atol=0.01)
    with pytest.raises(ValueError, match='sample_rate changed'):
        inferencer.step(cv2.imread(frames[0]), stereo[:100], 16000)


def test_checkpoint_classes_and_bad_inputs(tmp_path):
    cfg_path = write_config(str(tmp_path / 'cfg.py'))
    ckpt = write_checkpoint(
        str(tmp_path / 'ckpt.pth'), classes=('a', 'b', 'c', 'd', 'e'),
        cat_ids=[11, 12, 13, 14, 15])
    inferencer = OnlineAVISInferencer(cfg_path, ckpt)
    assert inferencer.classes == ('a', 'b', 'c', 'd', 'e')
    assert inferencer.cat_ids == [11, 12, 13, 14, 15]
    inst = inferencer.step(np.zeros((40, 50, 3), np.uint8),
                           np.zeros(16000, np.float32))
    assert inst.masks.shape == (1, 40, 50) and inst.masks.dtype == torch.bool
    assert inst.class_names == ['a']
    with pytest.raises(ValueError, match='H x W x 3'):
        inferencer.step(np.zeros((40, 50), np.uint8))
    with pytest.raises(FileNotFoundError, match='nope.py'):
        OnlineAVISInferencer(str(tmp_path / 'nope.py'))
    feat_cfg = fake_config()
    feat_cfg.test_dataloader.dataset.audio_source = 'feat'
    with pytest.raises(ValueError, match="audio_source='wav'"):
        OnlineAVISInferencer(feat_cfg)


def test_call_on_video_file(tmp_path):
    video = write_test_mp4(str(tmp_path / 'clip.mp4'), seconds=3.0, fps=10)
    inferencer = OnlineAVISInferencer(fake_config(), fps=2)
    out = list(inferencer(video))
    assert [t for t, _, _ in out] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    for _, frame, inst in out:
        assert frame.shape == (48, 64, 3)
        assert inst.masks.shape == (1, 48, 64)
    # a second call starts a new stream
    again = list(inferencer(video))
    assert [int(i.instances_id[0]) for _, _, i in again] == \
        [int(i.instances_id[0]) for _, _, i in out]


def test_call_without_audio(tmp_path):
    video = write_test_mp4(
        str(tmp_path / 'mute.mp4'), seconds=2.0, with_audio=False)
    inferencer = OnlineAVISInferencer(fake_config())
    with pytest.raises(NoAudioStreamError, match='mute.mp4'):
        list(inferencer(video))
    with pytest.warns(MissingAudioWarning):
        out = list(inferencer(video, allow_silent=True))
    assert len(out) == 2
