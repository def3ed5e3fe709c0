# Copyright (c) seavis_mm contributors. All rights reserved.
"""Per-frame cost and memory across a long stream through
:meth:`OnlineAVISInferencer.step` (the user's path: pipeline, audio front
end, model, tracker).

The per-frame time (median of a trailing window) and RSS are sampled at
frames 100, 1000, 10000, ... A *control* stream (a second inferencer with
the same weights, restarted before each window) runs interleaved within
each window, so ``long / control`` cancels changes in machine load over a
long run.
"""
import contextlib
import time
import warnings
from typing import Dict, List, Optional

import numpy as np
from mmengine.config import Config
from mmengine.logging import print_log

from seavis_mm.utils.runtime_info import rss_mb
from .models import held_frames, history_desc
from .streams import synthetic_stream
from .timing import clocks, sample_points


@contextlib.contextmanager
def _quiet_no_checkpoint():
    with warnings.catch_warnings():
        warnings.filterwarnings(
            'ignore', message='OnlineAVISInferencer: no checkpoint')
        yield


def bench_long_stream(cfg: Config, args, device) -> dict:
    """Stream ``args.long_stream`` frames through ``step()``.

    Args:
        cfg (Config): The SeaVIS config.
        args: ``long_stream`` (frames), ``window``, ``shape``,
            ``checkpoint``, ``control``, ``verbose``.
        device: torch device.

    Returns:
        dict: ``per_frame_ms`` / ``rss_mb_at`` per sample point and the
        ratios last / first (wall clock, and CPU time with ``_cpu``).
    """
    from seavis_mm.apis import OnlineAVISInferencer

    num = args.long_stream
    window = args.window
    points = sample_points(num)
    if not points:
        raise ValueError(f'--long-stream {num}: needs at least 100 frames '
                         '(per_frame_ms is sampled at frames 100, 1000, ...)')
    if window > points[0]:
        raise ValueError(f'--window {window} is longer than the first '
                         f'sample point ({points[0]})')
    shape = tuple(args.shape)
    with _quiet_no_checkpoint():
        main = OnlineAVISInferencer(cfg, args.checkpoint, device=str(device))
        control = OnlineAVISInferencer(cfg, None, device=str(device)) \
            if args.control else None
    if control is not None:
        control.model.load_state_dict(main.model.state_dict())
    fps = main.fps
    gen = synthetic_stream(num + 1, shape, fps)
    cached = [next(gen) for _ in range(8)]
    ctrl_stream = synthetic_stream(10**9, shape, fps, seed=1)

    times = np.zeros((num, 2), dtype=np.float64)  # [wall, cpu] ms
    ctrl: Dict[str, np.ndarray] = {}
    rss_at: Dict[str, float] = {}
    starts = {p - window + 1: p for p in points}  # 1-based window starts
    in_window: Optional[int] = None
    ctrl_times: List[np.ndarray] = []
    main.reset()
    wall = time.perf_counter()
    for k in range(num):
        n = k + 1  # 1-based frame number
        if control is not None and n in starts:
            # a fresh stream, warmed up as long as the window, runs beside
            # this window's frames
            in_window, ctrl_times = starts[n], []
            control.reset()
            for _ in range(window):
                control.step(*next(ctrl_stream))
        frame, chunk = cached[k % len(cached)]
        t0 = clocks()
        main.step(frame, chunk)
        times[k] = (clocks() - t0) * 1e3
        if in_window is not None:
            t0 = clocks()
            control.step(*next(ctrl_stream))
            ctrl_times.append((clocks() - t0) * 1e3)
            if n == in_window:
                ctrl[str(n)] = np.median(np.stack(ctrl_times), axis=0)
                in_window = None
        if n in points:
            rss_at[str(n)] = rss_mb()
        if args.verbose and n % max(1, num // 20) == 0:
            print_log(f'  frame {n}/{num}: {times[k, 0]:.1f} ms (cpu '
                      f'{times[k, 1]:.1f}), RSS {rss_mb():.0f} MB, '
                      f'{time.perf_counter() - wall:.0f} s elapsed',
                      logger='current')
    wall = time.perf_counter() - wall
    out = dict(
        long_stream_frames=num,
        long_stream_shape=list(shape),
        window=window,
        history=history_desc(cfg),
        rss_mb_at=rss_at,
        rss_mb_growth=rss_mb() - rss_at[str(points[0])],
        long_stream_wall_s=wall,
        long_stream_cache_len=held_frames(main.model.stream_state),
        live_tracks=getattr(main.model.tracker, 'num_live_tracks', None),
    )
    first, last = str(points[0]), str(points[-1])
    # wall clock under the keys, CPU time with a '_cpu' suffix
    for idx, sfx in ((0, ''), (1, '_cpu')):
        per_frame = {
            str(p): float(np.median(times[p - window:p, idx]))
            for p in points
        }
        out['per_frame_ms' + sfx] = per_frame
        out['ratio_last_vs_first' + sfx] = per_frame[last] / per_frame[first]
        if control is not None:
            ctrl_ms = {p: float(v[idx]) for p, v in ctrl.items()}
            rel = {p: per_frame[p] / ctrl_ms[p] for p in per_frame}
            out['control_ms' + sfx] = ctrl_ms
            out['rel_control' + sfx] = rel
            out['rel_ratio_last_vs_first' + sfx] = rel[last] / rel[first]
    return out


def format_long(res: dict) -> str:
    """The long stream's table as text."""
    lines = [f'Long stream: {res["long_stream_frames"]} frames through '
             f'step() at {res["long_stream_shape"][0]}x'
             f'{res["long_stream_shape"][1]} (history {res["history"]}), '
             f'median of the {res["window"]} frames up to each point, '
             f'{res["long_stream_wall_s"]:.0f} s']
    has_ctrl = 'control_ms' in res
    header = f'{"frame":>8}{"RSS MB":>9}{"wall ms":>10}{"cpu ms":>9}' + \
        (f'{"ctrl wall":>11}{"ctrl cpu":>10}{"rel wall":>10}'
         f'{"rel cpu":>9}' if has_ctrl else '')
    lines += [header, '-' * len(header)]
    for p, ms in res['per_frame_ms'].items():
        line = f'{p:>8}{res["rss_mb_at"][p]:>9.1f}{ms:>10.2f}' \
               f'{res["per_frame_ms_cpu"][p]:>9.2f}'
        if has_ctrl:
            line += f'{res["control_ms"][p]:>11.2f}' \
                    f'{res["control_ms_cpu"][p]:>10.2f}' \
                    f'{res["rel_control"][p]:>10.3f}' \
                    f'{res["rel_control_cpu"][p]:>9.3f}'
        lines.append(line)
    lines.append(
        f'last / first: wall {res["ratio_last_vs_first"]:.3f}, cpu '
        f'{res["ratio_last_vs_first_cpu"]:.3f}' +
        (f'; relative to the control: wall '
         f'{res["rel_ratio_last_vs_first"]:.3f}, cpu '
         f'{res["rel_ratio_last_vs_first_cpu"]:.3f}' if has_ctrl else ''))
    lines.append(
        f'RSS growth since frame 100: {res["rss_mb_growth"]:+.1f} MB; '
        f'CCAF cache holds {res["long_stream_cache_len"]} embeddings; '
        f'{res["live_tracks"]} live tracks')
    return '\n'.join(lines)
