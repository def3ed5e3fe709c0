# Copyright (c) seavis_mm contributors. All rights reserved.
"""Training sees the stream: a training clip with the audio before it fuses,
through the whole model (data preprocessor, audio encoder, CCAF), what the
online path fuses at the same frames."""
import copy

import torch
from mmdet.structures import TrackDataSample

from seavis_mm.registry import MODELS
from ._tiny import synthetic_batch, tiny_cfg


def build_streaming_tiny():
    """The tiny ToyAVIS model with audio cells as tokens, age embeddings
    and the 15 audio frames before a clip as keys (K = 16)."""
    cfg = tiny_cfg()
    cfg.model.audio_encoder.update(tokens='cells', cell_grid=(2, 4))
    cfg.model.neck.update(audio_channels=128, tokens_per_frame=8,
                          time_embed='age', history_size=16, max_age=16,
                          past_audio_frames=15)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


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
    batch = synthetic_batch(num_clips=2, clip_len=2)
    g = torch.Generator().manual_seed(0)
    batch['inputs']['past_audio'] = [
        torch.randn(p, 1, 96, 64, generator=g) for _ in range(2)
    ]
    valid = torch.arange(p) >= 3  # the video starts 3 frames into the past
    batch['inputs']['past_audio_valid'] = [valid, valid]
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
