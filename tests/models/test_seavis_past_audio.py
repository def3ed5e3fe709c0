# Copyright (c) seavis_mm contributors. All rights reserved.
"""Training sees the stream: a training clip with the audio before it fuses,
through the whole model (data preprocessor, audio encoder, CCAF), what the
online path fuses at the same frames."""
import copy

import pytest
import torch
from mmdet.structures import TrackDataSample
from mmengine.optim import OptimWrapper

from seavis_mm.registry import MODELS
from ._tiny import synthetic_batch, tiny_cfg

STREAM_CONFIGS = [
    'seavis_r18_toyavis.py',
    'seavis_r18_toyavis_audio-stream_no-past-audio.py',
    'seavis_r18_toyavis_audio-stream_one-audio-token.py'
]


def build_streaming_tiny(name: str = STREAM_CONFIGS[0]):
    """The tiny ToyAVIS model of an audio-stream config (by default audio
    cells as tokens, age embeddings, the 15 audio frames before a clip as
    keys, K = 16)."""
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(name).model)
    model.init_weights()
    return model


def _with_past(batch, num, seed=0):
    g = torch.Generator().manual_seed(seed)
    n = len(batch['inputs']['imgs'])
    batch['inputs']['past_audio'] = [
        torch.randn(num, 1, 96, 64, generator=g) for _ in range(n)
    ]
    batch['inputs']['past_audio_valid'] = [
        torch.arange(num) >= 3 for _ in range(n)
    ]
    return batch


def _record(monkeypatch, neck, name, store):
    orig = getattr(neck, name)

    def wrapped(*args, **kwargs):
        out = orig(*args, **kwargs)
        store.append(out)
        return out

    monkeypatch.setattr(neck, name, wrapped)


def _clip_of(video, start, past):
    """The frames ``start..`` of a collated one-video batch as a training
    clip, with the audio of the ``past`` frames before it."""
    clip = copy.deepcopy(video)
    audio = video['inputs']['audio'][0]
    clip['inputs'] = dict(
        imgs=[video['inputs']['imgs'][0][start:]],
        audio=[audio[start:]],
        past_audio=[audio[start - past:start]],
        past_audio_valid=[torch.ones(past, dtype=torch.bool)])
    track = TrackDataSample()
    track.video_data_samples = copy.deepcopy(
        video['data_samples'][0].video_data_samples[start:])
    clip['data_samples'] = [track]
    return clip


def test_training_clip_fuses_what_the_stream_fuses(monkeypatch):
    model = build_streaming_tiny()
    neck = model.neck
    # non-zero output projections, so that the fusion is not the identity
    torch.manual_seed(1)
    for p in neck.parameters():
        torch.nn.init.normal_(p, std=0.1)
    model.eval()
    k, clip_len = neck.history_size, 3
    length = k + clip_len + 1
    video = synthetic_batch(num_clips=1, clip_len=length, seed=2)
    stream, clip = [], []
    # the online path runs the neck's pure step (SeaVIS.forward_frame)
    _record(monkeypatch, neck, 'forward_state', stream)
    _record(monkeypatch, neck, 'forward_clip', clip)
    with torch.no_grad():
        model.test_step(copy.deepcopy(video))
        start = length - clip_len  # >= K past frames
        data = model.data_preprocessor(
            _clip_of(video, start, neck.past_audio_frames), training=True)
        assert data['inputs']['past_audio'].shape[:2] == (
            1, neck.past_audio_frames)
        model.loss(**data)
        # the same clip without its past (the ablation)
        data['inputs'].pop('past_audio')
        model.loss(**data)
    assert len(stream) == length and len(clip) == 2
    (clip_m, clip_f), (_, no_past_f) = clip
    for i in range(clip_len):
        s_m, s_f, _ = stream[start + i]
        torch.testing.assert_close(clip_f[i:i + 1], s_f, atol=1e-5, rtol=0)
        for a, b in zip(clip_m, s_m):
            torch.testing.assert_close(a[i:i + 1], b, atol=1e-5, rtol=0)
    assert (no_past_f[:1] - stream[start][1]).abs().max() > 1e-3


def test_past_audio_reaches_the_loss_and_invalid_past_is_ignored(
        monkeypatch):
    model = build_streaming_tiny()
    torch.manual_seed(1)
    for p in model.neck.parameters():
        torch.nn.init.normal_(p, std=0.1)
    model.eval()
    p = model.neck.past_audio_frames
    # the video starts 3 frames into the past: those 3 are invalid
    batch = _with_past(synthetic_batch(num_clips=2, clip_len=2), p)
    outs = []
    _record(monkeypatch, model.neck, 'forward_clip', outs)

    def fused(b):
        with torch.no_grad():
            model.loss(**model.data_preprocessor(copy.deepcopy(b),
                                                 training=True))
        return outs[-1][1]

    base = fused(batch)
    changed = copy.deepcopy(batch)
    changed['inputs']['past_audio'][0][:3] += 5.0  # invalid frames only
    torch.testing.assert_close(fused(changed), base, atol=1e-6, rtol=0)
    changed['inputs']['past_audio'][0][-1] += 5.0  # a valid one
    out = fused(changed)
    assert (out[:2] - base[:2]).abs().max() > 1e-3
    # the other clip of the batch is untouched
    torch.testing.assert_close(out[2:], base[2:], atol=1e-6, rtol=0)


@pytest.mark.parametrize('name', STREAM_CONFIGS)
def test_audio_stream_configs_train_and_predict(name):
    """Each audio-stream config trains on clips with past audio (the
    encoder gets gradients from the clip's own frames) and streams."""
    model = build_streaming_tiny(name)
    neck = model.neck
    assert neck.tokens_per_frame == model.audio_encoder.num_tokens
    model.train()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    batch = _with_past(synthetic_batch(num_clips=2, clip_len=2), 15)
    before = [p.detach().clone() for p in model.audio_encoder.parameters()]
    log_vars = model.train_step(batch, optim)
    assert torch.isfinite(log_vars['loss'])
    assert any(not torch.equal(a, p)
               for a, p in zip(before, model.audio_encoder.parameters()))
    model.eval()
    with torch.no_grad():
        out = model.test_step(synthetic_batch(num_clips=1, clip_len=3))
    assert len(out[0]) == 3
    assert neck.stream_state['audio_keys'].shape == (
        1, neck.history_size, neck.tokens_per_frame, neck.feat_channels)
