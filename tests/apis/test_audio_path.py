# Copyright (c) seavis_mm contributors. All rights reserved.
"""One audio path: the wav that tools/dataset_converters/extract_audio.py
writes from an mp4 is the audio the stream hears from the same mp4 (one
slicing: the media layer's reader; one resampler: soxr HQ)."""
import os.path as osp

import numpy as np
import pytest
import soundfile as sf

from seavis_mm.apis import OnlineAVISInferencer
from seavis_mm.datasets.audio import load_audio, resample
from seavis_mm.media import VideoSliceReader
from .._scripts import load_script
from .stream_fakes import fake_config, write_test_mp4

pytestmark = pytest.mark.filterwarnings(
    'ignore:OnlineAVISInferencer. no checkpoint')


def stream_audio(video: str, inf: OnlineAVISInferencer) -> np.ndarray:
    """The 16 kHz mono signal the inferencer's front end receives."""
    inf.reset()
    for s in VideoSliceReader(video, inf.fps,
                              audio_lookahead=inf.audio_lookahead):
        inf.push_audio(s.audio, s.sample_rate, last=s.audio_end)
    return np.concatenate(inf._ahead)


@pytest.mark.parametrize('rate,channels', [(44100, 2), (48000, 1),
                                           (16000, 1)])
def test_stream_audio_equals_extracted_wav(tmp_path, rate, channels):
    video = write_test_mp4(str(tmp_path / 'clip.mp4'), seconds=3.0,
                           sample_rate=rate, channels=channels)
    extract = load_script('tools/dataset_converters/extract_audio.py')
    extract.main([video, str(tmp_path / 'out'), '--split', 'test'])
    wav_path = str(tmp_path / 'out' / 'test' / 'WAVAudios' / 'clip.wav')
    wav, sr = sf.read(wav_path, dtype='float32')
    assert sr == 16000
    assert len(wav) == 3 * 16000  # the video's length
    # the stream gets audio_lookahead (0.1 s) more at the end
    streamed = stream_audio(video, OnlineAVISInferencer(fake_config()))
    assert len(streamed) >= len(wav)
    assert np.abs(wav).max() > 0.1  # a signal, not silence
    np.testing.assert_allclose(streamed[:len(wav)], wav, atol=1e-4)
    # and the offline loader reads that wav back unchanged
    np.testing.assert_array_equal(load_audio(wav_path), wav)


def test_resample_is_the_streaming_resampler():
    """Whole-signal resample() and the stream's chunked resampler give the
    same samples (bit for bit)."""
    from seavis_mm.datasets.audio import stream_resampler
    y = np.random.RandomState(0).randn(44100 * 2).astype(np.float32) * 0.1
    whole = resample(y, 44100, 16000)
    rs = stream_resampler(44100)
    chunks = [rs.resample_chunk(y[i:i + 1234]) for i in range(0, len(y),
                                                              1234)]
    chunks.append(rs.resample_chunk(np.zeros(0, np.float32), last=True))
    streamed = np.concatenate(chunks)
    n = min(len(whole), len(streamed))
    assert len(whole) == int(np.ceil(len(y) * 16000 / 44100))
    np.testing.assert_array_equal(whole[:n], streamed[:n])


def test_extract_audio_frames_are_the_stream_frames(tmp_path):
    """--frames-fps writes the stream's processed frames (frame k is the
    picture at k / fps)."""
    import cv2
    video = write_test_mp4(str(tmp_path / 'clip.mp4'), seconds=3.0, fps=10)
    extract = load_script('tools/dataset_converters/extract_audio.py')
    extract.main([video, str(tmp_path / 'out'), '--split', 'test',
                  '--frames-fps', '2'])
    folder = tmp_path / 'out' / 'test' / 'JPEGImages' / 'clip'
    slices = list(VideoSliceReader(video, 2))
    files = sorted(osp.basename(p) for p in folder.iterdir())
    assert files == [f'{k:05d}.jpg' for k in range(len(slices))] and files
    for s, name in zip(slices, files):
        img = cv2.imread(str(folder / name)).astype(int)
        assert np.abs(img - s.image).mean() < 3  # JPEG
