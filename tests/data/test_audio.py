# Copyright (c) seavis_mm contributors. All rights reserved.
"""The audio front end: loading, the window definition, causality and the
streaming front end."""
import math

import librosa
import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from seavis_mm.datasets.audio import (PATCH_FRAMES, SILENCE_LOGMEL,
                                      AudioLoadError, StreamingLogMel,
                                      VGGishLogMel, load_audio, patch_bounds,
                                      patch_for_frame, slice_end_sample)
from seavis_mm.datasets.transforms import LoadAudioWindows

SR = 16000


def tone(freq, seconds, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_load_audio_resamples_and_downmixes(tmp_path):
    path = str(tmp_path / 'stereo.wav')
    left = tone(440, 2.0, 44100)
    sf.write(path, np.stack([left, np.zeros_like(left)], 1), 44100)
    y = load_audio(path)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(len(y) - 2 * SR) <= 2
    # Mono is the channel mean: the 0.5 tone becomes 0.25.
    assert np.abs(y[1000:-1000]).max() == pytest.approx(0.25, abs=0.01)
    spec = np.abs(np.fft.rfft(y))
    assert np.argmax(spec) * SR / len(y) == pytest.approx(440, abs=2)


def test_load_audio_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.wav'):
        load_audio(str(tmp_path / 'nope.wav'))
    bad = tmp_path / 'corrupt.wav'
    bad.write_bytes(b'RIFF\x00\x00garbage' * 10)
    with pytest.raises(AudioLoadError, match='corrupt.wav.*could not be'):
        load_audio(str(bad))
    y = tone(440, 1.0)
    y[100] = np.nan
    y[200] = np.inf
    nan_path = str(tmp_path / 'nan.wav')
    sf.write(nan_path, y, SR, subtype='FLOAT')
    with pytest.raises(AudioLoadError,
                       match=r'nan.wav.*2 NaN/inf.*sample 100'):
        load_audio(nan_path)
    empty = str(tmp_path / 'empty.wav')
    sf.write(empty, np.zeros(0, np.float32), SR)
    with pytest.raises(AudioLoadError, match='no samples'):
        load_audio(empty)


def test_logmel_matches_vggish_reference():
    """Our librosa front end equals a plain numpy VGGish front end: 400
    samples, periodic Hann, 512-point FFT, HTK mel 125-7500, log(+0.01)."""
    rng = np.random.default_rng(0)
    y = rng.standard_normal(SR).astype(np.float32) * 0.1
    ours = VGGishLogMel()(y)
    n = (len(y) - 400) // 160 + 1
    assert ours.shape == (n, 64) and ours.dtype == np.float32
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)
    frames = np.stack([y[160 * k:160 * k + 400] * win for k in range(n)])
    mag = np.abs(np.fft.rfft(frames, n=512))
    mel = librosa.filters.mel(sr=SR,
                              n_fft=512,
                              n_mels=64,
                              fmin=125,
                              fmax=7500,
                              htk=True,
                              norm=None)
    ref = np.log(mag @ mel.T + 0.01)
    np.testing.assert_allclose(ours, ref, atol=1e-4)


def test_patch_shape_and_silence_before_start():
    y = np.random.default_rng(0).standard_normal(3 * SR).astype(np.float32)
    p = patch_for_frame(y, 0, fps=1)
    assert p.shape == (PATCH_FRAMES, 64) and p.dtype == np.float32
    # At 1 fps frame 0's patch is frames 2..97: all inside the audio.
    assert patch_bounds(0, 1) == (2, 98)
    assert (p > SILENCE_LOGMEL + 1).all()
    # At 25 fps frame 0 ends at sample 640: frames -94..1, 94 silent rows.
    p25 = patch_for_frame(y, 0, fps=25, past_context=4)
    assert p25.shape == (PATCH_FRAMES + 4, 64)
    assert (p25[:98] == np.float32(SILENCE_LOGMEL)).all()
    assert (p25[98:] > SILENCE_LOGMEL + 1).all()


@pytest.mark.parametrize('fps', [1, 2])
def test_tone_onset_aligns_with_frames(tmp_path, fps):
    """A wav silent before frame 3 and a tone from frame 3 on: the windows
    of a clip's frames 1, 2 are silent, those of frames 3, 4 hold the
    tone (at 1 kHz)."""
    onset = 3 / fps
    y = np.concatenate(
        [np.zeros(int(onset * SR), np.float32),
         tone(1000, 6 / fps)])
    path = str(tmp_path / 'onset.wav')
    sf.write(path, y, SR, subtype='FLOAT')
    frame_ids = [1, 2, 3, 4]
    results = dict(frame_id=frame_ids,
                   fps=[fps] * 4,
                   audio_path=[path] * 4,
                   audio_source=['wav'] * 4,
                   missing_audio=['error'] * 4,
                   ori_video_length=[8] * 4,
                   video_id=[1] * 4)
    audio = LoadAudioWindows()(results)['audio']
    assert len(audio) == 4
    assert all(a.shape == (1, 96, 64) and a.dtype == np.float32 for a in audio)
    silent = np.float32(SILENCE_LOGMEL)
    assert (audio[0] == silent).all() and (audio[1] == silent).all()
    mel_hz = librosa.mel_frequencies(64, fmin=125, fmax=7500, htk=True)
    band = int(np.argmin(np.abs(mel_hz - 1000)))
    onset_sample = int(onset * SR)
    for t, a in zip(frame_ids[2:], audio[2:]):
        assert int(np.argmax(a[0].mean(0))) in (band - 1, band, band + 1)
        # Row by row: mel frames that end before the onset are silent,
        # those that start at or after it hold the tone.
        k0, _ = patch_bounds(t, fps)
        starts = 160 * (k0 + np.arange(96))
        before = starts + 400 <= onset_sample
        after = starts >= onset_sample
        assert (a[0][before] == silent).all()
        assert (a[0][after][:, band] > SILENCE_LOGMEL + 5).all()
        assert after.sum() >= 40
    # At 1 fps frame 3's window is all tone; at 2 fps it starts 0.48 s
    # before the onset (past audio is allowed, future audio never).
    k0, _ = patch_bounds(3, fps)
    assert (160 * k0 >= onset_sample) == (fps == 1)


@settings(max_examples=40, deadline=None)
@given(fps=st.sampled_from([1, 2, 5, 12.5, 25, 29.97]),
       t=st.integers(0, 40),
       past_context=st.integers(0, 30),
       seed=st.integers(0, 2**16))
def test_window_never_holds_audio_after_its_frame(fps, t, past_context, seed):
    """Causal rule: replacing every sample at or after the end of frame t's
    slice changes nothing in frame t's patch."""
    rng = np.random.default_rng(seed)
    end = slice_end_sample(t, fps)
    y = rng.standard_normal(end + 3000).astype(np.float32) * 0.1
    y2 = y.copy()
    y2[end:] = rng.standard_normal(len(y) - end) * 5.0
    a = patch_for_frame(y, t, fps, past_context)
    b = patch_for_frame(y2, t, fps, past_context)
    np.testing.assert_array_equal(a, b)
    # ...while the last samples inside the slice do matter.
    k0, k1 = patch_bounds(t, fps, past_context)
    if k1 - 1 >= 0:
        last = 160 * (k1 - 1) + 399
        assert last < end
        y3 = y.copy()
        y3[max(last - 200, 0):last + 1] += 3.0
        assert not np.array_equal(a, patch_for_frame(y3, t, fps, past_context))


def _offline_until(y, sample_end, past_context):
    from seavis_mm.datasets.audio import last_mel_frame
    k_last = last_mel_frame(sample_end)
    return VGGishLogMel().frames(y, k_last - 95 - past_context, k_last + 1)


@pytest.mark.parametrize('past_context', [0, 7])
def test_streaming_equals_offline(past_context):
    rng = np.random.default_rng(1)
    y = rng.standard_normal(5 * SR).astype(np.float32) * 0.2
    fps = 2
    stream = StreamingLogMel(past_context)
    pos, t, checked = 0, 0, 0
    while pos < len(y):
        n = int(rng.integers(1, 3000))
        stream.push(y[pos:pos + n])
        pos += n
        assert len(stream._ring) <= PATCH_FRAMES + past_context + 100
        assert len(stream._pending) < 400 + n
        while slice_end_sample(t, fps) <= min(pos, len(y)):
            np.testing.assert_allclose(stream.patch_for_frame(t, fps),
                                       patch_for_frame(y, t, fps,
                                                       past_context),
                                       atol=1e-4)
            t += 1
            checked += 1
    assert checked == 10
    assert stream.num_frames == VGGishLogMel().num_frames(len(y))
    with pytest.raises(ValueError, match='push more audio'):
        stream.patch_until(len(y) + 2000)
    stream.flush_to(len(y) + 2000)  # zero-padded end, as offline
    np.testing.assert_allclose(stream.patch_until(len(y) + 2000),
                               _offline_until(y,
                                              len(y) + 2000, past_context),
                               atol=1e-4)
    with pytest.raises(ValueError, match='dropped'):
        stream.patch_until(SR * 2)


def test_streaming_computes_each_frame_once(monkeypatch):
    stream = StreamingLogMel()
    calls = []
    orig = stream.front_end._logmel

    def spy(seg):
        out = orig(seg)
        calls.append(len(out))
        return out

    monkeypatch.setattr(stream.front_end, '_logmel', spy)
    y = np.zeros(3 * SR, np.float32)
    for i in range(0, len(y), 777):
        stream.push(y[i:i + 777])
    assert sum(calls) == stream.num_frames == (3 * SR - 400) // 160 + 1
    assert math.isclose(stream.patch_until(3 * SR)[0, 0],
                        SILENCE_LOGMEL,
                        rel_tol=1e-6)
