# Copyright (c) seavis_mm contributors. All rights reserved.
"""Reading videos with sound as slices at the model's fps, and writing the
overlay video with the original audio (checked with PyAV)."""
import os

import numpy as np
import pytest
import soundfile as sf

from seavis_mm.apis.video_io import (AVWriter, FrameDirSliceReader,
                                     MissingAudioWarning, NoAudioStreamError,
                                     VideoSliceReader, open_slice_reader,
                                     probe_video)
from .stream_fakes import (frame_level, remux, slice_amplitude, stream_info,
                          write_test_mp4)


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    """3 s, 10 fps, 44.1 kHz stereo AAC."""
    path = str(tmp_path_factory.mktemp('clip') / 'clip.mp4')
    return write_test_mp4(path, seconds=3.0, fps=10)


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def test_probe(clip):
    info = probe_video(clip)
    assert (info.width, info.height, float(info.rate)) == (64, 48, 10.0)
    assert info.audio.codec == 'aac'
    assert info.audio.sample_rate == 44100 and info.audio.channels == 2
    assert info.duration == pytest.approx(3.0, abs=0.15)
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        probe_video('missing.mp4')


def test_slices_at_model_fps(clip):
    reader = VideoSliceReader(clip, fps=1, keep_frames=True)
    slices = list(reader)
    assert len(slices) == len(reader) == 3
    for k, s in enumerate(slices):
        assert s.index == k and s.time == float(k)
        # the frame shown at k / fps is input frame 10 k
        assert abs(float(np.median(s.image)) - frame_level(10 * k)) <= 3
        # every input frame of the slice, in order, for drawing
        assert [round(t, 3) for t, _ in s.frames] == \
            [round(k + i / 10, 3) for i in range(10)]
        assert s.sample_rate == 44100 and s.audio.shape[1] == 2
        # the slice's own second of audio (its tone amplitude)
        assert len(s.audio) == pytest.approx(44100, abs=1100)
        mid = s.audio[4410:-4410, 0]
        assert _rms(mid) == pytest.approx(
            slice_amplitude(k) / np.sqrt(2), rel=0.1)
    assert slices[-1].audio_end and not slices[0].audio_end


def test_slices_at_higher_fps_and_lookahead(clip):
    reader = VideoSliceReader(clip, fps=2.5, audio_lookahead=0.1)
    slices = list(reader)
    assert [s.time for s in slices] == [k / 2.5 for k in range(8)]
    assert slices[1].frames == []  # keep_frames=False
    assert abs(float(np.median(slices[3].image)) - frame_level(12)) <= 3
    # audio arrives 0.1 s ahead but stays contiguous from time 0
    assert len(slices[0].audio) == pytest.approx(0.5 * 44100, abs=50)
    assert len(slices[1].audio) == pytest.approx(0.4 * 44100, abs=50)
    total = sum(len(s.audio) for s in slices)
    assert total == pytest.approx(3.0 * 44100, abs=2100)


def test_no_audio_stream(tmp_path):
    mute = write_test_mp4(
        str(tmp_path / 'mute.mp4'), seconds=2.0, with_audio=False)
    with pytest.raises(NoAudioStreamError, match='mute.mp4'):
        VideoSliceReader(mute, fps=1)
    with pytest.warns(MissingAudioWarning):
        reader = VideoSliceReader(mute, fps=1, allow_silent=True)
    slices = list(reader)
    assert len(slices) == 2
    assert all(s.audio.size == 0 for s in slices)


def test_frame_dir_reader(tmp_path):
    import cv2
    frame_dir = tmp_path / 'frames'
    frame_dir.mkdir()
    for i in range(4):
        cv2.imwrite(str(frame_dir / f'{i:05d}.png'),
                    np.full((20, 30, 3), frame_level(i), np.uint8))
    wav = str(tmp_path / 'a.wav')
    sf.write(wav, np.linspace(0, 1, 4 * 8000, dtype=np.float32), 8000)
    reader = open_slice_reader(
        str(frame_dir), fps=1, audio_path=wav, keep_frames=True)
    assert isinstance(reader, FrameDirSliceReader)
    slices = list(reader)
    assert len(slices) == len(reader) == 4
    for k, s in enumerate(slices):
        assert int(s.image[0, 0, 0]) == frame_level(k)
        assert len(s.audio) == 8000 and s.sample_rate == 8000
        assert s.audio[0, 0] == pytest.approx(k / 4, abs=1e-3)
        assert len(s.frames) == 1
    # the model at 2 fps on 1 fps frames: each frame held for two slices
    slices = list(
        open_slice_reader(
            str(frame_dir), fps=2, audio_path=wav, input_fps=1))
    assert [int(s.image[0, 0, 0]) for s in slices] == \
        [frame_level(k // 2) for k in range(7)]
    with pytest.raises(NoAudioStreamError, match='frames'):
        open_slice_reader(str(frame_dir), fps=1)
    with pytest.raises(ValueError, match='--audio is for frame folders'):
        open_slice_reader(str(tmp_path / 'x.mp4'), fps=1, audio_path=wav)


def test_writer_copies_original_audio(clip, tmp_path):
    out = str(tmp_path / 'copy.mp4')
    reader = VideoSliceReader(clip, fps=1, keep_frames=True)
    with AVWriter(out, 64, 48, reader.info.rate,
                  copy_audio_from=clip) as writer:
        for s in reader:
            for _, img in s.frames:
                writer.write_frame(img)
    src, dst = stream_info(clip), stream_info(out)
    assert dst['video']['frames'] == src['video']['frames'] == 30
    assert dst['video']['rate'] == pytest.approx(10.0)
    assert dst['audio']['codec'] == 'aac'
    # copied packet by packet: the same decoded length
    assert dst['audio']['duration'] == pytest.approx(
        src['audio']['duration'], abs=1e-3)


def test_writer_encodes_audio(tmp_path):
    out = str(tmp_path / 'enc.mp4')
    with AVWriter(out, 33, 21, 5, audio_rate=22050,
                  audio_channels=1) as writer:  # odd size: padded
        assert writer.encodes_audio
        for i in range(10):
            writer.write_frame(np.full((21, 33, 3), 100, np.uint8))
        writer.write_audio(np.zeros((2 * 22050, 1), np.float32))
    info = stream_info(out)
    assert info['video']['frames'] == 10
    assert (info['video']['width'], info['video']['height']) == (34, 22)
    assert info['audio']['codec'] == 'aac'
    assert info['audio']['duration'] == pytest.approx(2.0, abs=0.1)
    with pytest.raises(ValueError, match='frame is'):
        with AVWriter(str(tmp_path / 'bad.mp4'), 32, 20, 5) as w:
            w.write_frame(np.zeros((10, 10, 3), np.uint8))
    assert os.path.getsize(out) > 0


@pytest.mark.parametrize('ext', ['.mp4', '.mkv'])
def test_healthy_file_is_not_called_damaged(tmp_path, ext):
    """A healthy container whose duration exceeds the last video frame's
    time (its audio runs 0.5 s longer; the last frame lasts a frame):
    no CorruptMediaWarning. An .mkv has no per-stream durations, so its
    container duration (audio included) is what the reader compares."""
    import warnings

    from seavis_mm.media import CorruptMediaWarning
    src = write_test_mp4(str(tmp_path / 'a.mp4'), seconds=3.0, fps=10,
                         audio_seconds=3.5)
    path = src if ext == '.mp4' else remux(src, str(tmp_path / 'a.mkv'))
    reader = VideoSliceReader(path, fps=1)
    assert reader.info.duration - 2.9 > 0.1  # what used to be "damaged"
    with warnings.catch_warnings():
        warnings.simplefilter('error', CorruptMediaWarning)
        slices = list(reader)
    assert len(slices) == 3 and reader.truncation() is None
