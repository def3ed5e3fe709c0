# Copyright (c) seavis_mm contributors. All rights reserved.
"""Soak: 5,000 frames through ``OnlineAVISInferencer.step`` with a small
real SeaVIS. No exception, the state stays at its configured bounds (CCAF's
audio history, the tracker's memory, the log-mel ring, the queued audio)
and the process does not grow after warm-up."""
import os
import time
import warnings

import numpy as np
import pytest
import torch

from seavis_mm.apis import OnlineAVISInferencer
from .small_seavis import open_tracker, small_seavis_cfg

NUM_FRAMES = 5000
WARM_UP = 500
PHASE = 250
# RSS may move a little (allocator arenas, Python free lists); a leak of
# even 1 KiB a frame would show as ~4.4 MiB over the measured frames
MAX_RSS_GROWTH_MIB = 8.0


def rss_mib() -> float:
    """Resident set size of this process (psutil, else /proc)."""
    try:
        import psutil
        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        pass
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    raise RuntimeError('no VmRSS in /proc/self/status')


@pytest.mark.slow
@pytest.mark.skipif(
    not os.path.exists('/proc/self/status'), reason='needs /proc (Linux)')
def test_soak_5000_frames_bounded_state():
    cfg = small_seavis_cfg(size=32, fps=10.0)
    # A random model scores far below the config's thresholds and would
    # never hold a track: open them (every query a candidate, every tracked
    # one output). Its instance embeddings are nearly constant, so the
    # match threshold alternates every PHASE frames: everything matches
    # (tracks live on, momentum updates), then nothing does (6 births a
    # frame, each track dropped num_frames_retain frames later): the memory
    # a leak would grow turns over all along.
    open_tracker(cfg)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        inferencer = OnlineAVISInferencer(cfg)
    model = inferencer.model
    history = cfg.model.neck.history_size
    retain = cfg.model.tracker.num_frames_retain
    max_tracks = cfg.model.track_head.num_queries * (retain + 1)
    rng = np.random.RandomState(0)
    # a fixed pool of frames and 44.1 kHz stereo audio (resampled in the
    # stream): the content varies, the test's own memory does not grow
    frames = rng.randint(0, 256, (16, 32, 32, 3)).astype(np.uint8)
    sr = 44100
    chunk = int(sr / inferencer.fps)
    audio = (0.1 * rng.randn(sr * 3, 2)).astype(np.float32)

    inferencer.reset()
    outputs = 0
    max_live = 0
    t0 = time.perf_counter()
    for k in range(NUM_FRAMES):
        model.tracker.match_thr = -1.0 if (k // PHASE) % 2 else 2.0
        lo = (k * chunk) % (len(audio) - chunk)
        inst = inferencer.step(frames[k % len(frames)],
                               audio[lo:lo + chunk], sr)
        outputs += len(inst)
        max_live = max(max_live, model.tracker.num_live_tracks)
        if k >= history:
            assert model.neck.cache_len == history
        if k == WARM_UP:
            rss_warm = rss_mib()
    seconds = time.perf_counter() - t0
    rss_end = rss_mib()
    print(f'\nsoak: {NUM_FRAMES} frames in {seconds:.1f} s '
          f'({1000 * seconds / NUM_FRAMES:.1f} ms/frame), RSS '
          f'{rss_warm:.1f} -> {rss_end:.1f} MiB, {outputs} instances out, '
          f'up to {max_live} live tracks, {model.tracker.num_tracks} in all')
    assert inferencer.num_processed == NUM_FRAMES
    # the memory turned over and stayed within its bound
    assert outputs > 0
    assert model.tracker.num_tracks > 10 * max_live > 0
    assert max_live <= max_tracks
    # the audio front end: a bounded ring and at most ~one frame queued
    front = inferencer._logmel
    assert len(front._ring) <= front.capacity
    assert sum(len(a) for a in inferencer._ahead) <= 16000 / inferencer.fps
    assert rss_end - rss_warm < MAX_RSS_GROWTH_MIB
