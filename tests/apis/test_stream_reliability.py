# Copyright (c) seavis_mm contributors. All rights reserved.
"""Bad and unusual inputs to the streaming API, the readers and the demo
(docs/en/reliability.md, "Streaming and media inputs"): each case has one
documented behaviour and is checked here on the fake model
(tests/apis/stream_fakes.py), which sees exactly the patches SeaVIS would.
"""
import os.path as osp
import subprocess
import sys
import warnings
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
import soundfile as sf
import soxr
import torch

from seavis_mm.apis import OnlineAVISInferencer
from seavis_mm.apis.inference import (FrameSizeChangedWarning,
                                      NonFiniteAudioWarning)
from seavis_mm.apis.video_io import (CorruptMediaWarning,
                                     MissingAudioWarning, NoAudioStreamError,
                                     TimestampGapWarning, VideoReadError,
                                     VideoSliceReader, open_slice_reader,
                                     probe_video)
from seavis_mm.datasets.audio import load_audio, patch_for_frame
from .stream_fakes import (HERE, fake_config, frame_level, remux,
                          slice_amplitude, stream_info, write_checkpoint,
                          write_config, write_test_mp4)
from .._scripts import load_script

pytestmark = pytest.mark.filterwarnings(
    'ignore:OnlineAVISInferencer. no checkpoint')

ROOT = osp.dirname(osp.dirname(HERE))
DEMO = osp.join(ROOT, 'demo', 'stream_demo.py')


# ----------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------
@pytest.fixture(scope='module')
def inferencer():
    """The fake model at 1 fps (one instance a frame; its scores depend on
    the audio patch)."""
    return OnlineAVISInferencer(fake_config())


@pytest.fixture(scope='module')
def demo():
    return load_script('demo/stream_demo.py', 'stream_demo_rel')


@pytest.fixture(scope='module')
def model_files(tmp_path_factory):
    d = tmp_path_factory.mktemp('model')
    return (write_config(str(d / 'cfg.py')),
            write_checkpoint(str(d / 'ckpt.pth')))


def record_patches(inf: OnlineAVISInferencer) -> list:
    """Collect the log-mel patch the model receives at each frame."""
    seen = []
    model = inf.model
    model.__dict__.pop('predict_frame', None)  # a previous test's wrapper
    orig = model.predict_frame

    def wrapped(img, audio, data_sample):
        seen.append(audio[0, 0].cpu().numpy().copy())
        return orig(img, audio, data_sample)

    model.predict_frame = wrapped
    return seen


def make_signal(seconds: float = 3.0, seed: int = 0) -> np.ndarray:
    """16 kHz mono: noise under a tone whose level steps every second."""
    rng = np.random.RandomState(seed)
    n = int(seconds * 16000)
    t = np.arange(n) / 16000
    amp = 0.05 + 0.1 * (np.floor(t) % 3)
    y = amp * np.sin(2 * np.pi * 440 * t) + 0.02 * rng.randn(n)
    return y.astype(np.float32)


def frame(k: int, size=(40, 50)) -> np.ndarray:
    img = np.full(size + (3, ), frame_level(k), np.uint8)
    img[5:15, 5 + k:15 + k] = 250
    return img


def write_av(path: str,
             video_pts,
             fps: int = 10,
             size=(24, 32),
             sample_rate: int = 22050,
             layout: str = 'stereo',
             audio_segments=((0.0, 3.0), ),
             audio_codec: str = 'aac') -> str:
    """A small video whose frame ``i`` has timestamp ``video_pts[i] / fps``
    (jumps allowed) and grey level ``frame_level(i)``, and AAC audio over
    ``audio_segments`` (start, end) in s, a 440 Hz tone at
    ``slice_amplitude(second)`` (nothing between segments)."""
    h, w = size
    codec = 'libx264' if 'libx264' in av.codecs_available else 'mpeg4'
    with av.open(path, 'w') as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, 'yuv420p'
        a = out.add_stream(audio_codec, rate=sample_rate)
        a.layout = layout
        channels = a.layout.nb_channels if hasattr(
            a.layout, 'nb_channels') else len(a.layout.channels)
        for i, p in enumerate(video_pts):
            f = av.VideoFrame.from_ndarray(
                np.full((h, w, 3), frame_level(i), np.uint8), format='bgr24')
            f.pts = int(p)
            f.time_base = Fraction(1, fps)
            for pk in vs.encode(f):
                out.mux(pk)
        for pk in vs.encode(None):
            out.mux(pk)
        for t0, t1 in audio_segments:
            s0 = int(round(t0 * sample_rate))
            s1 = int(round(t1 * sample_rate))
            for s in range(s0, s1, 1024):
                idx = np.arange(s, min(s + 1024, s1))
                amp = np.array(
                    [slice_amplitude(int(i / sample_rate)) for i in idx])
                y = (amp * np.sin(2 * np.pi * 440 * idx / sample_rate))
                data = np.repeat(y[None].astype(np.float32), channels, 0)
                af = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(data), format='fltp', layout=layout)
                af.sample_rate = sample_rate
                af.pts = s
                af.time_base = Fraction(1, sample_rate)
                for pk in a.encode(af):
                    out.mux(pk)
        for pk in a.encode(None):
            out.mux(pk)
    return path


def faststart_copy(src: str, dst: str) -> str:
    """The same packets with the index first (as streamed .mp4s are), so
    a cut file still opens and decodes up to the cut."""
    return remux(src, dst, {'movflags': 'faststart'})


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def collect(fn, category):
    """Run ``fn`` and return (its result, the warnings of ``category``)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = fn()
    return out, [x for x in w if issubclass(x.category, category)]


# ----------------------------------------------------------------------
# sample rates and channel layouts
# ----------------------------------------------------------------------
@pytest.mark.parametrize('rate,channels', [(8000, 1), (22050, 2),
                                           (44100, 2), (48000, 6)])
def test_rates_and_layouts_match_offline(inferencer, tmp_path, rate,
                                         channels):
    """8 / 22.05 / 44.1 / 48 kHz, mono, stereo and 5.1 given to step():
    downmixed and resampled to 16 kHz, the model gets exactly the patches
    the offline loader (load_audio + patch_for_frame) computes from the
    same file."""
    y16 = make_signal(3.0)
    x = soxr.resample(y16, 16000, rate, quality='HQ')
    gains = np.linspace(0.5, 1.5, channels, dtype=np.float32)
    audio = x[:, None] * gains[None]  # (n, channels), mean = x
    wav = str(tmp_path / 'a.wav')
    sf.write(wav, audio, rate, subtype='FLOAT')
    y = load_audio(wav)
    offline = [patch_for_frame(y, k, 1.0) for k in range(3)]

    seen = record_patches(inferencer)
    ahead = int(round(inferencer.audio_lookahead * rate))
    inferencer.reset()
    lo = 0
    for k in range(3):
        hi = min((k + 1) * rate + ahead, len(audio))
        inferencer.step(frame(k), audio[lo:hi], rate, audio_end=k == 2)
        lo = hi
    assert len(seen) == 3
    for k in range(3):
        assert np.array_equal(seen[k], offline[k])  # bit for bit


@pytest.mark.parametrize('rate,layout', [(8000, 'mono'), (48000, '5.1')])
def test_file_rates_and_layouts(demo, model_files, tmp_path, rate, layout):
    """An .mp4 with 8 kHz mono or 48 kHz 5.1 AAC: read at its own rate and
    channels, streamed through the inferencer, and the demo copies the
    original audio into its output unchanged."""
    video = write_av(str(tmp_path / f'{layout}.mp4'), range(30),
                     sample_rate=rate, layout=layout)
    info = probe_video(video)
    assert info.audio.sample_rate == rate
    slices = list(VideoSliceReader(video, fps=1))
    assert [s.audio.shape for s in slices] == [
        (rate, info.audio.channels)
    ] * 3
    # the tone's level of each second survives AAC coding
    for k, s in enumerate(slices):
        assert rms(s.audio[rate // 10:-rate // 10, 0]) == pytest.approx(
            slice_amplitude(k) / np.sqrt(2), rel=0.15)
    cfg, ckpt = model_files
    out = str(tmp_path / 'out.mp4')
    outputs = demo.run(demo.parse_args([video, cfg, ckpt, '--out', out]))
    assert outputs['num_frames'] == 3
    res = probe_video(out)
    assert (res.audio.codec, res.audio.sample_rate,
            res.audio.channels) == ('aac', rate, info.audio.channels)


def test_demo_folds_5_1_it_can_not_copy(demo, model_files, tmp_path):
    """5.1 PCM in a .mkv can not be copied into an .mp4: the demo encodes
    it to AAC, folded to stereo (AAC here is mono or stereo)."""
    video = write_av(str(tmp_path / 'pcm51.mkv'), range(20),
                     sample_rate=44100, layout='5.1',
                     audio_segments=((0.0, 2.0), ), audio_codec='pcm_s16le')
    assert probe_video(video).audio.channels == 6
    cfg, ckpt = model_files
    out = str(tmp_path / 'out.mp4')
    demo.main([video, cfg, ckpt, '--out', out])
    res = probe_video(out)
    assert (res.audio.codec, res.audio.sample_rate,
            res.audio.channels) == ('aac', 44100, 2)
    assert stream_info(out)['audio']['duration'] == pytest.approx(
        2.0, abs=0.1)


# ----------------------------------------------------------------------
# frame size
# ----------------------------------------------------------------------
def test_frame_size_change_mid_stream(inferencer):
    """Accepted: the pipeline resizes every frame anyway; masks follow each
    frame's size; one FrameSizeChangedWarning per stream."""
    sizes = [(40, 50), (40, 50), (30, 20), (64, 64), (40, 50)]

    def run():
        inferencer.reset()
        return [inferencer.step(frame(k, s)) for k, s in enumerate(sizes)]

    outs, warned = collect(run, FrameSizeChangedWarning)
    assert [tuple(o.masks.shape[1:]) for o in outs] == sizes
    assert len(warned) == 1 and '30x20' in str(warned[0].message)
    _, warned = collect(run, FrameSizeChangedWarning)  # a new stream
    assert len(warned) == 1


def test_demo_resizes_frames_to_first_size(demo, model_files, tmp_path):
    """The demo's outputs have one size: frames of another size are resized
    to the first frame's size (one warning)."""
    frame_dir = tmp_path / 'frames'
    frame_dir.mkdir()
    for i, (h, w) in enumerate([(20, 30), (20, 30), (40, 64), (41, 17)]):
        cv2.imwrite(str(frame_dir / f'{i:05d}.png'), frame(i, (h, w)))
    wav = str(tmp_path / 'a.wav')
    sf.write(wav, make_signal(4.0), 16000)
    out, res = str(tmp_path / 'o.mp4'), str(tmp_path / 'res')
    cfg, ckpt = model_files
    outputs, warned = collect(
        lambda: demo.run(
            demo.parse_args([
                str(frame_dir), cfg, ckpt, '--audio', wav, '--out', out,
                '--out-dir', res
            ])), demo.FrameResizedWarning)
    assert outputs['num_frames'] == 4 and len(warned) == 1
    info = stream_info(out)
    assert (info['video']['width'], info['video']['height'],
            info['video']['frames']) == (30, 20, 4)
    ids = cv2.imread(osp.join(res, 'instance_ids', '00003.png'),
                     cv2.IMREAD_UNCHANGED)
    assert ids.shape == (20, 30)


# ----------------------------------------------------------------------
# damaged and empty files
# ----------------------------------------------------------------------
@pytest.fixture(scope='module')
def clip_fast(tmp_path_factory):
    """3 s, 10 fps, 44.1 kHz stereo AAC, index first."""
    d = tmp_path_factory.mktemp('damaged')
    src = write_test_mp4(str(d / 'src.mp4'), seconds=3.0, fps=10)
    return faststart_copy(src, str(d / 'fast.mp4'))


def test_truncated_mp4(inferencer, clip_fast, tmp_path):
    """Cut short: runs up to the cut, then one CorruptMediaWarning says the
    file is truncated; an .mp4 cut before its index (written last by most
    encoders) can not be opened: VideoReadError naming the file."""
    data = open(clip_fast, 'rb').read()
    cut = str(tmp_path / 'cut.mp4')
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2])
    out, warned = collect(lambda: list(inferencer(cut)), CorruptMediaWarning)
    assert 1 <= len(out) < 3
    assert len(warned) == 1 and 'truncated' in str(warned[0].message)
    assert 'cut.mp4' in str(warned[0].message)
    for _, img, inst in out:
        assert inst.masks.shape[1:] == img.shape[:2] == (48, 64)

    # the index at the end (PyAV's and ffmpeg's default) is gone
    src = osp.join(osp.dirname(clip_fast), 'src.mp4')
    data = open(src, 'rb').read()
    cut_idx = str(tmp_path / 'cut_index.mp4')
    with open(cut_idx, 'wb') as f:
        f.write(data[:int(len(data) * 0.9)])
    with pytest.raises(VideoReadError, match='cut_index.mp4'):
        list(inferencer(cut_idx))


def test_corrupt_mp4(inferencer, clip_fast, tmp_path):
    """Damaged bytes inside: undecodable packets are skipped (the previous
    frame held, their audio silent, so later audio stays in sync) and
    reported in one CorruptMediaWarning; garbage is a VideoReadError."""
    data = bytearray(open(clip_fast, 'rb').read())
    mid = len(data) // 3
    data[mid:mid + 4000] = np.random.RandomState(0).bytes(4000)
    bad = str(tmp_path / 'bad.mp4')
    with open(bad, 'wb') as f:
        f.write(bytes(data))
    reader = VideoSliceReader(bad, fps=1)
    slices, warned = collect(lambda: list(reader), CorruptMediaWarning)
    assert len(slices) == 3 and len(warned) == 1
    assert 'bad.mp4' in str(warned[0].message)
    skipped = reader.report['corrupt_packets']
    assert skipped['video'] + skipped['audio'] > 0
    # every slice still has its second of audio (the skipped packets'
    # audio is silence), the last one at its own level
    assert [len(s.audio) for s in slices[:2]] == [44100, 44100]
    assert len(slices[2].audio) == pytest.approx(44100, abs=1100)
    assert rms(slices[2].audio[4410:-4410, 0]) == pytest.approx(
        slice_amplitude(2) / np.sqrt(2), rel=0.1)
    out, _ = collect(lambda: list(inferencer(bad)), CorruptMediaWarning)
    assert len(out) == 3

    garbage = str(tmp_path / 'garbage.mp4')
    with open(garbage, 'wb') as f:
        f.write(np.random.RandomState(1).bytes(5000))
    with pytest.raises(VideoReadError, match='garbage.mp4.*truncated, '
                       'corrupt or not a video'):
        VideoSliceReader(garbage, fps=1)


def test_no_decodable_frame(inferencer, clip_fast, tmp_path):
    """The index is fine but no video packet decodes (the data is zeroed,
    or a codec FFmpeg can not decode): VideoReadError naming the file."""
    data = bytearray(open(clip_fast, 'rb').read())
    start = data.find(b'mdat') + 4
    data[start:] = bytes(len(data) - start)
    zeroed = str(tmp_path / 'zeroed.mp4')
    with open(zeroed, 'wb') as f:
        f.write(bytes(data))
    with pytest.raises(VideoReadError,
                       match='zeroed.mp4.*not one video frame'):
        list(inferencer(zeroed))


def test_zero_length_files(inferencer, demo, model_files, tmp_path):
    """Empty files: a clear error naming the file everywhere."""
    empty = str(tmp_path / 'empty.mp4')
    open(empty, 'wb').close()
    for fn in (lambda: probe_video(empty),
               lambda: VideoSliceReader(empty, fps=1),
               lambda: list(inferencer(empty))):
        with pytest.raises(VideoReadError, match=r'empty.mp4.*\(0 bytes\)'):
            fn()
    cfg, ckpt = model_files
    with pytest.raises(VideoReadError, match='empty.mp4'):
        demo.main([empty, cfg, ckpt, '--out', str(tmp_path / 'o.mp4')])

    # a frame folder with an empty (0-byte) wav, and with a 0-sample wav
    frame_dir = tmp_path / 'frames'
    frame_dir.mkdir()
    cv2.imwrite(str(frame_dir / '00000.png'), frame(0))
    empty_wav = str(tmp_path / 'empty.wav')
    open(empty_wav, 'wb').close()
    with pytest.raises(ValueError, match='empty.wav.*could not be decoded'):
        open_slice_reader(str(frame_dir), fps=1, audio_path=empty_wav)
    no_samples = str(tmp_path / 'none.wav')
    sf.write(no_samples, np.zeros(0, np.float32), 16000)
    with pytest.raises(NoAudioStreamError, match='none.wav.*no samples'):
        open_slice_reader(str(frame_dir), fps=1, audio_path=no_samples)
    with pytest.warns(MissingAudioWarning, match='no samples'):
        reader = open_slice_reader(
            str(frame_dir), fps=1, audio_path=no_samples, allow_silent=True)
    assert len(list(reader)) == 1


@pytest.mark.slow
def test_demo_command_line_errors_in_one_line(model_files, tmp_path):
    """The script on an unusable file: exit status 1 and one line naming
    the file, no traceback; a mute file: the same, with the hint."""
    cfg, ckpt = model_files
    empty = str(tmp_path / 'empty.mp4')
    open(empty, 'wb').close()
    mute = write_test_mp4(
        str(tmp_path / 'mute.mp4'), seconds=1.0, with_audio=False)
    env = {'PYTHONPATH': f'{HERE}:{ROOT}', 'OMP_NUM_THREADS': '1'}
    for video, expected in ((empty, 'VideoReadError'),
                            (mute, 'NoAudioStreamError')):
        proc = subprocess.run(
            [sys.executable, DEMO, video, cfg, ckpt, '--out',
             str(tmp_path / 'o.mp4')],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 1
        assert 'Traceback' not in proc.stderr
        last = proc.stderr.strip().splitlines()[-1]
        assert last.startswith(f'stream_demo: error: {expected}')
        assert osp.basename(video) in last
    assert '--allow-silent' in last


# ----------------------------------------------------------------------
# timestamps
# ----------------------------------------------------------------------
def test_video_timestamp_gap(tmp_path):
    """Frames 0-9 at 0-0.9 s, then 10-19 at 3.0-3.9 s: processed frame k is
    the frame on screen at k / fps, so frame 9 is held through the gap;
    the audio runs on; one TimestampGapWarning."""
    video = write_av(str(tmp_path / 'gap.mp4'),
                     list(range(10)) + list(range(30, 40)),
                     audio_segments=((0.0, 4.0), ))
    reader = VideoSliceReader(video, fps=1)
    slices, warned = collect(lambda: list(reader), TimestampGapWarning)
    levels = [float(np.median(s.image)) for s in slices]
    expected = [frame_level(i) for i in (0, 9, 9, 10)]
    assert np.allclose(levels, expected, atol=3)
    assert len(warned) == 1 and '0.90 s -> 3.00 s' in str(warned[0].message)
    assert [len(s.audio) for s in slices[:3]] == [22050] * 3


def test_audio_timestamp_gap(inferencer, tmp_path):
    """Audio missing from 1 to 2 s (timestamps jump): the gap is silence
    and the audio after it stays at its own time (not pulled 1 s early)."""
    video = write_av(str(tmp_path / 'agap.mp4'), range(40),
                     audio_segments=((0.0, 1.0), (2.0, 4.0)))
    slices, warned = collect(lambda: list(VideoSliceReader(video, fps=1)),
                             TimestampGapWarning)
    assert len(warned) == 1 and 'filled with silence' in str(
        warned[0].message)
    body = [s.audio[2205:-2205, 0] for s in slices]
    assert rms(body[1]) < 1e-3
    for k in (0, 2, 3):
        assert rms(body[k]) == pytest.approx(
            slice_amplitude(k) / np.sqrt(2), rel=0.1)
    out, _ = collect(lambda: list(inferencer(video)), TimestampGapWarning)
    assert len(out) == 4


def test_audio_track_shorter_than_video(inferencer, tmp_path):
    """Audio that ends 2 s before the video: the rest runs on silence, said
    once at the end (MissingAudioWarning)."""
    video = write_av(str(tmp_path / 'short.mp4'), range(30),
                     audio_segments=((0.0, 1.0), ))
    out, warned = collect(lambda: list(inferencer(video)),
                          MissingAudioWarning)
    assert len(out) == 3
    assert len(warned) == 1 and 'the rest ran on silence' in str(
        warned[0].message)


# ----------------------------------------------------------------------
# audio values and chunking
# ----------------------------------------------------------------------
def test_nonfinite_audio_zeroed_once_per_stream(inferencer):
    """NaN / inf samples: replaced by 0 (per channel, before resampling),
    one NonFiniteAudioWarning per stream, counted; the result is exactly
    that of the audio with zeros there."""
    rate = 44100
    audio = np.repeat(
        soxr.resample(make_signal(3.0), 16000, rate)[:, None], 2, axis=1)
    broken = audio.copy()
    broken[1000:1100, 0] = np.nan
    broken[50000, 1] = np.inf
    broken[100000:100010] = -np.inf
    zeroed = np.where(np.isfinite(broken), broken, 0).astype(np.float32)
    seen = record_patches(inferencer)

    def run(a):
        inferencer.reset()
        for k in range(3):
            inferencer.step(frame(k), a[k * rate:(k + 1) * rate], rate)
        return inferencer.num_nonfinite_samples

    _, warned = collect(lambda: run(zeroed), NonFiniteAudioWarning)
    assert not warned
    count, warned = collect(lambda: run(broken), NonFiniteAudioWarning)
    assert count == 100 + 1 + 20 and len(warned) == 1
    assert 'replaced by 0' in str(warned[0].message)
    for a, b in zip(seen[:3], seen[3:]):
        assert np.array_equal(a, b)
    assert all(np.isfinite(p).all() for p in seen)


@pytest.mark.parametrize('rate', [16000, 44100])
def test_irregular_chunks_equal_regular(inferencer, rate):
    """Audio cut anywhere (empty pieces, pieces across frames, pushed
    between frames or passed to step, all of it up front): exactly the
    same patches and outputs as one slice a frame, as long as each frame's
    audio (its slice end + audio_lookahead) has arrived by its step."""
    n_frames = 4
    audio = np.repeat(
        soxr.resample(make_signal(5.0), 16000, rate)[:, None], 2, axis=1)
    ahead = int(round(inferencer.audio_lookahead * rate))
    need = [min((k + 1) * rate + ahead, len(audio)) for k in range(n_frames)]
    seen = record_patches(inferencer)

    def run(plan):
        """plan[k]: the pieces delivered before frame k's step (the last
        one is step's own chunk)."""
        inferencer.reset()
        outs = []
        for k in range(n_frames):
            *pushed, own = plan[k]
            for p in pushed:
                inferencer.push_audio(p, rate)
            outs.append(inferencer.step(frame(k), own, rate))
        return outs

    bounds = [0] + need
    regular = run([[audio[bounds[k]:bounds[k + 1]]]
                   for k in range(n_frames)])
    ref = seen[:]

    rng = np.random.RandomState(rate)
    pos, plan = 0, []
    for k in range(n_frames):
        target = max(need[k], pos + rng.randint(0, rate))  # maybe further
        target = min(target, len(audio))
        cuts = np.sort(rng.randint(pos, target + 1, size=rng.randint(1, 6)))
        edges = [pos] + list(cuts) + [target]
        plan.append([audio[a:b] for a, b in zip(edges[:-1], edges[1:])])
        pos = target
    plan[1].insert(0, audio[:0])  # an empty chunk
    plan_up_front = [[audio[:need[-1]], None]] + [[None]] * (n_frames - 1)

    for p in (plan, plan_up_front):
        del seen[:]
        outs = run(p)
        for a, b in zip(ref, seen):
            assert np.array_equal(a, b)
        for a, b in zip(regular, outs):
            assert torch.equal(a.scores, b.scores)
            assert torch.equal(a.sound_scores, b.sound_scores)
            assert torch.equal(a.masks, b.masks)


def test_integer_pcm_is_scaled(inferencer):
    """int16 PCM is scaled by 1 / 32768 (as libsndfile reads it): the same
    patches as the float signal it encodes."""
    y = make_signal(2.0)
    pcm = np.round(y * 32768).astype(np.int16)
    seen = record_patches(inferencer)
    for a in (pcm, pcm.astype(np.float32) / 32768):
        inferencer.reset()
        for k in range(2):
            inferencer.step(frame(k), a[k * 16000:(k + 1) * 16000])
    assert np.array_equal(seen[0], seen[2])
    assert np.array_equal(seen[1], seen[3])


# ----------------------------------------------------------------------
# refused input: the error names the argument and what was expected
# ----------------------------------------------------------------------
GOOD = np.zeros((8, 8, 3), np.uint8)


@pytest.mark.parametrize(
    'frame_in,audio,rate,error,match',
    [
        (GOOD.tolist(), None, 16000, TypeError, 'np.ndarray, got list'),
        (GOOD.astype(np.float32), None, 16000, TypeError, 'dtype float32'),
        (GOOD[..., 0], None, 16000, ValueError, 'COLOR_GRAY2BGR'),
        (np.zeros((8, 8, 4), np.uint8), None, 16000, ValueError,
         'COLOR_BGRA2BGR'),
        (np.zeros((0, 8, 3), np.uint8), None, 16000, ValueError,
         'frame is empty'),
        (GOOD, np.zeros(10, np.complex64), 16000, TypeError,
         'dtype complex64'),
        (GOOD, np.zeros(10, bool), 16000, TypeError, 'dtype bool'),
        (GOOD, np.zeros((10, 2, 2)), 16000, ValueError, r'\(n,\) or'),
        (GOOD, np.zeros((2, 48000)), 48000, ValueError, 'pass chunk.T'),
        (GOOD, np.zeros((10, 0)), 16000, ValueError, '1..16 channels'),
        (GOOD, np.zeros(10), 0, ValueError, 'positive whole number'),
        (GOOD, np.zeros(10), 44100.5, ValueError, 'positive whole number'),
        (GOOD, np.zeros(10), '44100', ValueError, 'positive whole number'),
        (GOOD, np.zeros(10), True, ValueError, 'positive whole number'),
    ])
def test_refused_step_inputs(inferencer, frame_in, audio, rate, error,
                             match):
    inferencer.reset()
    with pytest.raises(error, match=match):
        inferencer.step(frame_in, audio, rate)
    # the stream is still usable
    assert inferencer.step(GOOD).masks.shape == (1, 8, 8)


def test_audio_far_ahead_of_frames(tmp_path):
    """Audio that piles up ahead of the frames (a wrong sample_rate or
    fps) is refused before it grows memory without bound."""
    inf = OnlineAVISInferencer(fake_config())
    inf.max_audio_ahead = 2.0
    inf.step(GOOD, np.zeros(16000 * 2, np.float32))  # 1 s ahead: fine
    with pytest.raises(ValueError, match='max_audio_ahead=2.0.*sample_rate'):
        inf.step(GOOD, np.zeros(16000 * 2, np.float32))
    # audio after the stream's declared end
    inf.reset()
    inf.step(GOOD, np.zeros(1000, np.float32), audio_end=True)
    with pytest.raises(ValueError, match='after the end of the stream'):
        inf.step(GOOD, np.zeros(1000, np.float32))
    # 44.1 kHz audio declared as 16 kHz, at 1 fps: 2.75 s more a frame
    inf.reset()
    with pytest.raises(ValueError, match='max_audio_ahead'):
        for k in range(3):
            inf.step(GOOD, np.zeros(44100, np.float32), 16000)
