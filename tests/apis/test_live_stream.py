# Copyright (c) seavis_mm contributors. All rights reserved.
"""Live sources end to end, on 127.0.0.1 only: a ToyAVIS mp4 published in
real time by Debian's ffmpeg as MPEG-TS over TCP / UDP and read live by the
demo; the live clock with a slow model; a source killed mid-stream; SIGTERM.
"""
import json
import math
import os.path as osp
import signal
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest
import torch
from mmengine.config import Config

from seavis_mm.apis import OnlineAVISInferencer, StreamRunner
from seavis_mm.media import (LiveClock, LiveSliceReader, SourceEndedWarning,
                             StreamSlice, VideoSliceReader, open_slice_reader,
                             parse_source)
from .live_helpers import (demo_process, free_port, need_program, publish,
                           wait_listening)
from .stream_fakes import (fake_config, stream_info, write_checkpoint,
                           write_config, write_test_mp4)

pytestmark = pytest.mark.filterwarnings(
    'ignore:OnlineAVISInferencer. no checkpoint')


@pytest.fixture(scope='module')
def toy_mp4(toyavis_root):
    """The ToyAVIS val video as an mp4 (5 s, 10 fps, AAC)."""
    import glob
    return sorted(glob.glob(osp.join(toyavis_root, 'mp4', 'val', '*.mp4')))[0]


@pytest.fixture(scope='module')
def fake_model(tmp_path_factory):
    d = tmp_path_factory.mktemp('live_model')
    return (write_config(str(d / 'cfg.py'), fps=2),
            write_checkpoint(str(d / 'ckpt.pth')))


@pytest.fixture(scope='module')
def small_seavis(tmp_path_factory):
    """The small real SeaVIS (random init, saved), its tracker opened up so
    that a random model outputs tracks, at 2 fps."""
    from seavis_mm.registry import MODELS
    from seavis_mm.utils import register_all_modules
    from .small_seavis import open_tracker, small_seavis_cfg
    register_all_modules()
    cfg = small_seavis_cfg(size=32, fps=2.0)
    open_tracker(cfg, match_thr=-1.0, sound_gate=True, sound_thr=-0.3)
    d = tmp_path_factory.mktemp('small_seavis')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = str(d / 'ckpt.pth')
    torch.save(dict(meta=dict(dataset_meta=dict(
        classes=cfg.test_dataloader.dataset.metainfo['classes'])),
        state_dict=model.state_dict()), ckpt)
    path = str(d / 'cfg.py')
    Config(cfg.to_dict()).dump(path)
    return path, ckpt


def read_results(out_dir: str):
    with open(osp.join(out_dir, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(out_dir, 'frames.jsonl')) as f:
        lines = [json.loads(line) for line in f]
    return results, lines


def finish(proc: subprocess.Popen, timeout: float = 120.0):
    """Exit code, stdout (mmengine's log) and stderr (warnings, status)."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


# ----------------------------------------------------------------------
# a live stream equals the file
# ----------------------------------------------------------------------
@pytest.mark.slow
def test_live_tcp_equals_file(toy_mp4, small_seavis, tmp_path):
    """The real (small) SeaVIS on the ToyAVIS mp4 published in real time
    over TCP: the output has video and audio, the tracks equal the same
    file run offline, and the lag stays bounded."""
    cfg, ckpt = small_seavis
    port = free_port()
    pub = publish(toy_mp4, f'tcp://127.0.0.1:{port}?listen=1')
    try:
        wait_listening(port)
        live_dir, live_out = str(tmp_path / 'live'), str(tmp_path / 'l.mp4')
        # a 3 s budget: the first seconds arrive at once after the probe,
        # and this machine is shared; with it nothing is dropped
        proc = demo_process([
            f'tcp://127.0.0.1:{port}', cfg, ckpt, '--out', live_out,
            '--out-dir', live_dir, '--timeout', '5', '--max-wait', '3'])
        code, _, err = finish(proc)
    finally:
        pub.kill()
    assert code == 0, err[-3000:]
    assert 'the source ended (end of stream)' in err

    file_dir = str(tmp_path / 'file')
    proc = demo_process([toy_mp4, cfg, ckpt, '--out-dir', file_dir])
    code, _, err = finish(proc)
    assert code == 0, err[-3000:]

    live, live_lines = read_results(live_dir)
    offline, file_lines = read_results(file_dir)
    assert len(live_lines) == len(file_lines) == 10  # 5 s at 2 fps
    assert sum(len(t['segmentations']) for t in offline) > 0  # not vacuous
    assert live == offline
    for a, b in zip(live_lines, file_lines):
        assert a['instances'] == b['instances']
        assert a['dropped'] == 0
    # lag: from a slice being complete to its result, within the budget
    lags = [line['lag'] for line in live_lines]
    assert max(lags) < 3.0 + 1.0, lags

    info = stream_info(live_out)
    assert info['video']['frames'] == 50  # every input frame, 10 fps
    assert info['audio'] is not None
    assert info['audio']['duration'] == pytest.approx(5.0, abs=0.2)


@pytest.mark.slow
def test_live_udp_timeout_ends_cleanly(toy_mp4, fake_model, tmp_path):
    """UDP has no end of stream: after the publisher stops, --timeout ends
    the run with a message, the results and a playable output."""
    cfg, ckpt = fake_model
    port = free_port(kind=__import__('socket').SOCK_DGRAM)
    out_dir, out = str(tmp_path / 'res'), str(tmp_path / 'o.mp4')
    proc = demo_process([
        f'udp://127.0.0.1:{port}', cfg, ckpt, '--out', out, '--out-dir',
        out_dir, '--timeout', '2'])
    time.sleep(0.5)
    # wait for the reader to be up: it opens after the model is built
    pub = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and pub is None:
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            with open('/proc/net/udp') as f:
                if any(int(line.split()[1].split(':')[1], 16) == port
                       for line in f.readlines()[1:]):
                    pub = publish(toy_mp4, f'udp://127.0.0.1:{port}')
            time.sleep(0.1)
        assert pub is not None, 'the demo never opened the UDP port'
        code, _, err = finish(proc)
    finally:
        if pub is not None:
            pub.kill()
    assert code == 0, err[-3000:]
    assert 'no data for 2 s (--timeout)' in err
    _, lines = read_results(out_dir)
    assert len(lines) >= 8  # all (10) but packets lost before the open
    info = stream_info(out)
    assert info['video'] is not None and info['audio'] is not None


# ----------------------------------------------------------------------
# the live clock: a slow model drops frames, never their audio
# ----------------------------------------------------------------------
def test_slow_model_drops_frames_keeps_audio(tmp_path):
    """A model slower than real time (a fake that sleeps 0.25 s at 10 fps)
    on a file run with --realtime: frames are dropped, what waits stays
    bounded, the lag stays bounded, and every frame's audio patch reached
    the model, in order, equal to the offline patch."""
    video = write_test_mp4(str(tmp_path / 'v.mp4'), seconds=4.0, fps=10,
                           sample_rate=16000, channels=1)
    fps, delay = 10.0, 0.25
    inf = OnlineAVISInferencer(fake_config(fps=fps))
    inf.model.delay = delay
    reader = open_slice_reader(video, fps, keep_frames=True,
                               audio_lookahead=inf.audio_lookahead)
    out_dir = str(tmp_path / 'res')
    runner = StreamRunner(inf, reader, out=str(tmp_path / 'o.mp4'),
                          out_dir=out_dir, realtime=True, status=False)
    outputs = runner.run()
    st = outputs['live']
    n = 40
    assert st['processed'] + st['dropped'] == outputs['num_slices'] == n
    assert st['dropped'] >= n // 2  # at most ~1 in 2.5 can be processed
    # what waits at a pick is what arrived during one step (and the grace,
    # one slice period), never a backlog: a queue would exceed this bound
    assert delay <= st['max_step'] < 3.0
    assert st['max_pending'] <= math.ceil(
        (st['max_step'] + 1 / fps) * fps) + 1
    # a picked slice is the newest: it waited at most one slice period
    # while slices keep coming, so its lag is one step plus that (a queue
    # would add whole steps); the stream's last slice has no newer one and
    # can wait out the whole step before it
    lags = [line['lag'] for line in read_results(out_dir)[1]]
    assert max(lags[:-1]) <= st['max_step'] + 1 / fps + 0.05
    assert st['max_lag'] <= 2 * st['max_step'] + 0.05
    # the complete audio history: every frame's patch, in order, equal to
    # those of the same file run frame by frame (nothing dropped)
    seen = inf.model.audio_seen
    assert [k for k, _ in seen] == list(range(n))
    inf.model.delay = 0.0
    every = StreamRunner(inf, open_slice_reader(
        video, fps, audio_lookahead=inf.audio_lookahead), status=False)
    every.run()
    assert every.num_processed == n
    for (k, patch), (k_ref, ref) in zip(seen, inf.model.audio_seen):
        assert k == k_ref
        np.testing.assert_array_equal(patch, ref)
    _, lines = read_results(out_dir)
    assert len(lines) == st['processed']
    assert lines[-1]['dropped'] == st['dropped']
    # every input frame and all the audio still reach the output
    info = stream_info(str(tmp_path / 'o.mp4'))
    assert info['video']['frames'] == 40
    assert info['audio']['duration'] == pytest.approx(4.0, abs=0.1)


def test_live_clock_keeps_up_without_drops():
    """A fast consumer of a paced stream drops nothing; each pick is one
    slice; the lag is small."""
    slices = [
        StreamSlice(k, k / 20, np.zeros((2, 2, 3), np.uint8),
                    np.zeros((800, 1), np.float32), 16000) for k in range(10)
    ]
    clock = LiveClock(slices, fps=20, pace=True)
    got = []
    for s, dropped in clock:
        got.append((s.index, len(dropped)))
        clock.done(s)
    assert got == [(k, 0) for k in range(10)]
    assert clock.stats.max_pending == 1 and clock.stats.max_lag < 0.05


def test_live_clock_stop_event():
    """Setting ``stop`` ends the iteration at the next pick."""
    stop = threading.Event()
    slices = [
        StreamSlice(k, k / 50, np.zeros((2, 2, 3), np.uint8),
                    np.zeros((0, 1), np.float32), 16000) for k in range(500)
    ]
    clock = LiveClock(slices, fps=50, pace=True, stop=stop)
    n = 0
    for s, _ in clock:
        n += 1
        if n == 3:
            stop.set()
    assert n == 3


# ----------------------------------------------------------------------
# sources that stop
# ----------------------------------------------------------------------
def test_pipe_source_equals_file(tmp_path, monkeypatch):
    """``-`` (standard input) reads MPEG-TS piped in; its slices equal the
    file's."""
    ffmpeg = need_program('ffmpeg')
    video = write_test_mp4(str(tmp_path / 'v.mp4'), seconds=2.0, fps=10)
    ts = str(tmp_path / 'v.ts')
    subprocess.run([ffmpeg, '-loglevel', 'error', '-i', video, '-c', 'copy',
                    '-f', 'mpegts', ts], check=True)
    file_slices = list(VideoSliceReader(video, 2, audio_lookahead=0.1))
    with open(ts, 'rb') as f:
        import os
        saved = os.dup(0)
        os.dup2(f.fileno(), 0)
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                reader = LiveSliceReader(parse_source('-'), 2,
                                         audio_lookahead=0.1)
                live = list(reader)
        finally:
            os.dup2(saved, 0)
            os.close(saved)
    assert reader.end_reason == 'the source ended (end of stream)'
    assert any(issubclass(x.category, SourceEndedWarning) for x in w)
    assert len(live) == len(file_slices) == 4
    for a, b in zip(live, file_slices):
        assert np.array_equal(a.image, b.image)
        assert np.array_equal(a.audio, b.audio)


def test_device_source_with_microphone():
    """A capture device and its microphone, captured through the ffmpeg
    program (lavfi's test pattern and sine stand in for a camera and a
    microphone: real devices differ only in --input-format)."""
    need_program('ffmpeg')
    src = parse_source('testsrc=size=64x48:rate=10:duration=2', 'lavfi', {},
                       'sine=frequency=300:sample_rate=16000:duration=2',
                       'lavfi')
    assert src.kind == 'device' and src.audio.format == 'lavfi'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SourceEndedWarning)
        reader = LiveSliceReader(src, fps=2)
        slices = list(reader)
    assert reader.info.audio.sample_rate == 16000
    assert len(slices) == 4
    assert [len(s.audio) for s in slices[:3]] == [8000] * 3
    assert all(0.05 < s.audio.std() < 0.5 for s in slices[:3])


def test_source_errors(tmp_path):
    """Clear errors: no such file, a URL nothing serves, options without
    '=', a microphone for a file."""
    from seavis_mm.media import SourceOpenError, parse_options
    with pytest.raises(FileNotFoundError, match='nope.mp4.*a live source'):
        parse_source(str(tmp_path / 'nope.mp4'))
    port = free_port()
    with pytest.raises(SourceOpenError, match=f'127.0.0.1:{port}'):
        LiveSliceReader(parse_source(f'tcp://127.0.0.1:{port}'), 1,
                        open_timeout=2)
    with pytest.raises(ValueError, match='KEY=VALUE'):
        parse_options(['video_size'])
    video = write_test_mp4(str(tmp_path / 'v.mp4'), seconds=1.0)
    with pytest.raises(ValueError, match='--audio-input'):
        parse_source(video, audio_input='hw:0')


def live_demo_running(toy_mp4: str, model, tmp_path, frames: int = 3):
    """The ToyAVIS mp4 published in real time over TCP and the demo reading
    it, once the demo has written ``frames`` per-frame result lines.

    Returns:
        tuple: publisher and demo processes, the demo's out dir and .mp4.
    """
    cfg, ckpt = model
    port = free_port()
    pub = publish(toy_mp4, f'tcp://127.0.0.1:{port}?listen=1')
    out_dir, out = str(tmp_path / 'res'), str(tmp_path / 'o.mp4')
    wait_listening(port)
    proc = demo_process([
        f'tcp://127.0.0.1:{port}', cfg, ckpt, '--out', out, '--out-dir',
        out_dir, '--timeout', '3'])
    lines = osp.join(out_dir, 'frames.jsonl')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if osp.exists(lines) and len(open(lines).readlines()) >= frames:
            break
        time.sleep(0.05)
    return pub, proc, out_dir, out


@pytest.mark.slow
def test_source_killed_mid_stream(toy_mp4, fake_model, tmp_path):
    """The publisher is killed after a few seconds: the demo ends cleanly
    (exit 0, a message), with the results so far and a playable output
    with audio."""
    pub, proc, out_dir, out = live_demo_running(toy_mp4, fake_model,
                                                tmp_path)
    try:
        pub.send_signal(signal.SIGKILL)
        code, _, err = finish(proc)
    finally:
        pub.kill()
    assert code == 0, err[-3000:]
    assert 'the stream ends here' in err
    results, lines = read_results(out_dir)
    assert 3 <= len(lines) < 10
    assert results and all(
        len(t['segmentations']) == lines[-1]['frame'] + 1 for t in results)
    info = stream_info(out)
    assert info['video']['frames'] >= 15 and info['audio'] is not None


@pytest.mark.slow
def test_sigterm_finishes_outputs(toy_mp4, fake_model, tmp_path):
    """SIGTERM in the middle of a live run: exit 0, the output .mp4 plays
    (video and audio decode), results.json holds the frames so far."""
    pub, proc, out_dir, out = live_demo_running(toy_mp4, fake_model,
                                                tmp_path)
    try:
        proc.send_signal(signal.SIGTERM)
        code, log, err = finish(proc)
    finally:
        pub.kill()
    assert code == 0, err[-3000:]
    assert 'SIGTERM: finishing the outputs' in log, err[-3000:]
    assert 'the outputs hold the results so far' in log
    results, lines = read_results(out_dir)
    assert 3 <= len(lines) < 10 and results
    info = stream_info(out)
    assert info['video']['frames'] >= 15
    assert info['audio'] is not None and info['audio']['duration'] > 1.0


def test_live_output_to_udp_url(tmp_path):
    """--out udp://...: MPEG-TS with the overlay and the audio, read back
    by a second reader on 127.0.0.1."""
    from seavis_mm.media import AVWriter
    port = free_port(kind=__import__('socket').SOCK_DGRAM)
    url = f'udp://127.0.0.1:{port}'
    got = {}

    def receive():
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            reader = LiveSliceReader(parse_source(url), 5, timeout=2,
                                     open_timeout=20)
            got['info'] = reader.info
            got['slices'] = list(reader)

    t = threading.Thread(target=receive)
    t.start()
    time.sleep(1.0)
    w = AVWriter(url, 64, 48, 10, audio_rate=16000)
    assert w.live
    start = time.monotonic()
    for i in range(30):  # 3 s, paced
        w.write_frame(np.full((48, 64, 3), 8 * i, np.uint8))
        w.write_audio(0.1 * np.ones((1600, 1), np.float32))
        time.sleep(max(start + (i + 1) / 10 - time.monotonic(), 0))
    w.close()
    t.join(30)
    assert got['info'].audio is not None
    assert len(got['slices']) >= 10


@pytest.mark.slow
def test_real_model_dropped_frames_keep_audio_history(tmp_path):
    """The small real SeaVIS, slowed by a wrapper that sleeps, on a file
    run in real time: frames are dropped, and CCAF's audio history at the
    end equals that of the same file run frame by frame (the dropped
    frames' audio went in through SeaVIS.observe_audio)."""
    from .small_seavis import small_seavis_cfg
    video = write_test_mp4(str(tmp_path / 'v.mp4'), seconds=3.0, fps=10)
    fps = 10.0
    inf = OnlineAVISInferencer(small_seavis_cfg(size=32, fps=fps))
    model = inf.model
    predict_frame = model.predict_frame

    def slow(*args, **kwargs):
        time.sleep(0.25)
        return predict_frame(*args, **kwargs)

    model.predict_frame = slow
    reader = open_slice_reader(video, fps,
                               audio_lookahead=inf.audio_lookahead)
    outputs = StreamRunner(inf, reader, realtime=True, status=False).run()
    assert outputs['live']['dropped'] >= 10
    dropped_state = {k: v.clone() for k, v in
                     model.neck.stream_state.items()}

    model.predict_frame = predict_frame
    reader = open_slice_reader(video, fps,
                               audio_lookahead=inf.audio_lookahead)
    outputs = StreamRunner(inf, reader, status=False).run()
    assert outputs['num_frames'] == 30 and 'live' not in outputs
    every_state = model.neck.stream_state
    assert set(dropped_state) == set(every_state)
    for key, value in every_state.items():
        torch.testing.assert_close(dropped_state[key], value, atol=1e-5,
                                   rtol=1e-5, msg=key)
    assert bool(every_state['audio_valid'].any())


def test_show_without_a_display_is_a_clear_error(monkeypatch):
    """--show on a machine without a display (or with a headless OpenCV):
    one clear error before anything runs."""
    from seavis_mm.apis.stream_runner import (ShowUnavailableError,
                                              check_display)
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    monkeypatch.setattr('sys.platform', 'linux')
    with pytest.raises(ShowUnavailableError, match='--show needs a display'):
        check_display()
    # a display, but OpenCV without a GUI (opencv-python-headless)
    import cv2
    monkeypatch.setenv('DISPLAY', ':99')

    def no_gui(*args):
        raise cv2.error('The function is not implemented. Rebuild the '
                        'library with GTK+ 2.x support')

    monkeypatch.setattr(cv2, 'namedWindow', no_gui)
    with pytest.raises(ShowUnavailableError, match='OpenCV built with a GUI'):
        check_display()


def test_reconnect_after_the_source_stops(tmp_path):
    """--reconnect: the publisher stops and comes back; the reader opens
    the source again and the stream goes on (the time away is a gap, the
    last frame held), then ends cleanly when it stops for good."""
    video = write_test_mp4(str(tmp_path / 'v.mp4'), seconds=2.0, fps=10)
    port = free_port()
    url = f'tcp://127.0.0.1:{port}'
    first = publish(video, url + '?listen=1')
    second = {}

    def republish():
        first.wait()
        second['pub'] = publish(video, url + '?listen=1')

    thread = threading.Thread(target=republish)
    thread.start()
    try:
        wait_listening(port)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            reader = LiveSliceReader(parse_source(url), 2, reconnect=2,
                                     reconnect_delay=1.0, open_timeout=5,
                                     timeout=5)
            slices = list(reader)
    finally:
        thread.join(30)
        first.kill()
        if 'pub' in second:
            second['pub'].kill()
    messages = [str(w.message) for w in caught
                if issubclass(w.category, SourceEndedWarning)]
    assert any('reconnecting (1/2)' in m for m in messages), messages
    assert reader.reconnects == 2  # back once, then tried once more
    assert reader.end_reason is not None
    # both connections' frames: 2 s each at 2 fps, plus the gap between
    assert len(slices) >= 8
    assert [s.index for s in slices] == list(range(len(slices)))
