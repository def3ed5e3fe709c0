# Copyright (c) seavis_mm contributors. All rights reserved.
"""Fuzz ``OnlineAVISInferencer.step`` on a small real SeaVIS (hypothesis):
frames of any size, channel count and dtype; audio of any supported dtype,
channel count, sample rate and chunk length (0 to 3 s), with NaN now and
then, and some unsupported audio. The contract: a BGR uint8 ``H x W x 3``
frame (any size) and supported audio give instances at the frame's size;
anything else raises a TypeError / ValueError that names the argument,
never an error from deep inside torch."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from seavis_mm.apis import OnlineAVISInferencer
from .small_seavis import open_tracker, small_seavis_cfg

RATES = (8000, 11025, 16000, 22050, 44100, 48000)


@pytest.fixture(scope='module')
def inferencer():
    torch.manual_seed(0)
    cfg = small_seavis_cfg(size=32, fps=10.0)
    # a random model scores low: open the tracker so instances come out
    open_tracker(cfg)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return OnlineAVISInferencer(cfg)


@st.composite
def frames(draw):
    """(frame, expected error or None)."""
    h, w = draw(st.integers(0, 48)), draw(st.integers(0, 48))
    channels = draw(st.sampled_from([3] * 8 + [None, 1, 4]))
    dtype = draw(
        st.sampled_from(['uint8'] * 8 + ['float32', 'uint16', 'int64']))
    shape = (h, w) if channels is None else (h, w, channels)
    img = np.random.RandomState(h * 41 + w).randint(
        0, 256, shape).astype(dtype)
    if dtype != 'uint8':
        return img, TypeError
    if channels != 3 or h == 0 or w == 0:
        return img, ValueError
    if draw(st.booleans()):
        img = img[::-1, ::-1]  # a non-contiguous view
    return img, None


@st.composite
def audio_chunks(draw, rate: int):
    """(chunk or None, expected error or None) at ``rate``."""
    kind = draw(st.sampled_from(['ok'] * 8 + ['none', 'complex', 'bool',
                                              '3d']))
    if kind == 'none':
        return None, None
    n = int(draw(st.floats(0.0, 3.0)) * rate)
    channels = draw(st.sampled_from([None, 1, 2, 6]))
    shape = (n, ) if channels is None else (n, channels)
    if kind == '3d':
        return np.zeros((n, 2, 2), np.float32), ValueError
    if kind in ('complex', 'bool'):
        return np.zeros(shape, kind), TypeError
    dtype = draw(st.sampled_from(['float32', 'float64', 'int16']))
    x = np.random.RandomState(n).uniform(-1, 1, shape)
    if dtype == 'int16':
        x = np.round(x * 32767).astype(np.int16)
    else:
        x = x.astype(dtype)
        if n and draw(st.integers(0, 4)) == 0:
            x.reshape(-1)[n // 2] = np.nan
    return x, None


@st.composite
def streams(draw):
    rate = draw(st.sampled_from(RATES))
    steps = draw(
        st.lists(st.tuples(frames(), audio_chunks(rate)), min_size=1,
                 max_size=3))
    return rate, steps


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(stream=streams())
def test_step_fuzz(inferencer, stream):
    rate, steps = stream
    inferencer.reset()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # NaN and size-change warnings
        for (img, img_err), (audio, audio_err) in steps:
            error = img_err or audio_err
            if error is not None:
                with pytest.raises(error) as info:
                    inferencer.step(img, audio, rate)
                msg = str(info.value)
                assert ('frame' in msg) if img_err else ('audio' in msg)
                event(f'refused: {error.__name__}')
                continue
            inst = inferencer.step(img, audio, rate)
            n = len(inst)
            assert inst.masks.dtype == torch.bool
            assert tuple(inst.masks.shape) == (n, ) + img.shape[:2]
            for key in ('labels', 'scores', 'instances_id', 'sound_scores'):
                assert len(inst.get(key)) == n
            assert torch.isfinite(inst.scores).all()
            assert len(inst.class_names) == n
            event('processed')
