# Copyright (c) seavis_mm contributors. All rights reserved.
"""Live soak: a video published in real time over TCP on 127.0.0.1 (Debian's
ffmpeg, looped) and read live by the stream runner for DURATION seconds;
prints the lag and the process's RSS minute by minute, and writes JSON.

Flat means: the lag does not creep up (the live clock drops frames instead
of queueing them) and the RSS does not grow after the first minute (no
history, result or frame buffer grows with the stream's length).

Example::

    flock /tmp/seavis_heavy.lock \\
        python tools/analysis_tools/benchmark_live.py \\
        configs/seavis/seavis_r18_toyavis.py \\
        --video data/toyavis/mp4/val/val_00000.mp4 --duration 600 \\
        --out work_dirs/benchmarks/live_soak.json
"""
import argparse
import os.path as osp
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from typing import Dict, List

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from seavis_mm.apis import OnlineAVISInferencer, StreamRunner
from seavis_mm.media import LiveSliceReader, SourceEndedWarning, parse_source
from seavis_mm.utils.runtime_info import (cpu_features, cpu_name, dump_json,
                                          rss_mb)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights (default: random init; the timing is '
                        'the same)')
    parser.add_argument('--video', required=True,
                        help='video with sound, looped by the publisher')
    parser.add_argument('--duration', type=float, default=600.0,
                        help='seconds of live stream (default: %(default)s)')
    parser.add_argument('--fps', type=float, help='processed frames per '
                        "second (default: the config's)")
    parser.add_argument('--overlay', action='store_true',
                        help='also draw and encode the overlay (to a file '
                        'in a temporary folder)')
    parser.add_argument('--out', help='JSON file for the figures')
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open('/proc/net/tcp') as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[3] == '0A' and \
                        int(parts[1].split(':')[1], 16) == port:
                    return
        time.sleep(0.05)
    raise TimeoutError(f'the publisher never listened on port {port}')


def slope_per_min(t: List[float], y: List[float]) -> float:
    """Least-squares slope of ``y`` over ``t`` (s), per minute."""
    if len(t) < 2:
        return 0.0
    return float(np.polyfit(np.asarray(t), np.asarray(y), 1)[0] * 60.0)


def summarise(samples: List[Dict[str, float]], duration: float) -> dict:
    """Per-minute lag and RSS, and their trends after the first minute."""
    minutes = []
    for m in range(int(np.ceil(duration / 60.0))):
        rows = [s for s in samples if m * 60 <= s['t'] < (m + 1) * 60]
        if not rows:
            continue
        lags = [r['lag'] for r in rows]
        minutes.append(
            dict(minute=m + 1, frames=len(rows),
                 lag_mean=float(np.mean(lags)), lag_max=float(np.max(lags)),
                 rss_mb=rows[-1]['rss_mb'], dropped=rows[-1]['dropped']))
    late = [s for s in samples if s['t'] >= 60.0] or samples
    return dict(
        minutes=minutes,
        lag_slope_s_per_min=slope_per_min([s['t'] for s in late],
                                          [s['lag'] for s in late]),
        rss_slope_mb_per_min=slope_per_min([s['t'] for s in late],
                                           [s['rss_mb'] for s in late]),
        rss_first_min_mb=minutes[0]['rss_mb'] if minutes else None,
        rss_last_mb=samples[-1]['rss_mb'] if samples else None)


class _Sampler(StreamRunner):
    """The demo's runner, recording lag and RSS at every processed frame."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.samples: List[Dict[str, float]] = []
        self.t0 = None
        self.progress = None

    def _process(self, s) -> None:
        super()._process(s)
        now = time.monotonic()
        self.t0 = self.t0 or now
        st = self.clock.stats
        self.samples.append(
            dict(t=now - self.t0, lag=st.lag, rss_mb=rss_mb(),
                 dropped=st.dropped))
        if self.progress is not None:
            self.progress.update()


def main(argv=None) -> dict:
    args = parse_args(argv)
    ffmpeg = shutil.which('ffmpeg')
    if ffmpeg is None:
        raise SystemExit('benchmark_live needs the ffmpeg program '
                         '(tools/install.sh installs it)')
    inferencer = OnlineAVISInferencer(args.config, args.checkpoint,
                                      fps=args.fps)
    port = _free_port()
    publisher = subprocess.Popen(
        [ffmpeg, '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
         '-stream_loop', '-1', '-i', args.video, '-t', str(args.duration),
         '-c', 'copy', '-f', 'mpegts', f'tcp://127.0.0.1:{port}?listen=1'],
        stdin=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix='seavis_live_soak_')
    try:
        _wait_listening(port)
        reader = LiveSliceReader(
            parse_source(f'tcp://127.0.0.1:{port}'), inferencer.fps,
            keep_frames=args.overlay,
            audio_lookahead=inferencer.audio_lookahead, timeout=10)
        runner = _Sampler(
            inferencer, reader,
            out=osp.join(tmp, 'overlay.mp4') if args.overlay else None,
            status=False)
        runner.progress = ProgressBar(int(args.duration * inferencer.fps))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', SourceEndedWarning)
            outputs = runner.run()
    finally:
        publisher.kill()
        publisher.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    live = outputs['live']
    summary = summarise(runner.samples, args.duration)
    result = dict(
        config=args.config, video=args.video, duration_s=args.duration,
        fps=inferencer.fps, overlay=args.overlay, cpu=cpu_name(),
        cpu_features=cpu_features(),
        processed=live['processed'], dropped=live['dropped'],
        max_pending=live['max_pending'], lag_mean_s=live['mean_lag'],
        lag_max_s=live['max_lag'], **summary)
    print()
    print(f'{"minute":>6} {"frames":>6} {"lag mean":>9} {"lag max":>8} '
          f'{"RSS MB":>8} {"dropped":>8}')
    for m in summary['minutes']:
        print(f'{m["minute"]:>6} {m["frames"]:>6} {m["lag_mean"]:>9.3f} '
              f'{m["lag_max"]:>8.3f} {m["rss_mb"]:>8.1f} {m["dropped"]:>8}')
    print(f'processed {live["processed"]}, dropped {live["dropped"]}, '
          f'max pending {live["max_pending"]}; after the first minute: lag '
          f'{summary["lag_slope_s_per_min"]:+.4f} s/min, RSS '
          f'{summary["rss_slope_mb_per_min"]:+.2f} MB/min')
    if args.out:
        dump_json(result, args.out)
        print_log(f'written to {args.out}', logger='current')
    return result


if __name__ == '__main__':
    main()
