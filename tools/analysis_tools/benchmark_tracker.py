# Copyright (c) seavis_mm contributors. All rights reserved.
"""Time :class:`SoundAwareTracker` per frame on synthetic streams.

Each setting runs a stream in which ``tracks`` objects persist (their
embeddings drift slightly from frame to frame) among ``queries`` queries; the
tracker is warmed up until it holds ``tracks`` live tracks, then
``track()`` is timed frame by frame. ``candidates`` says how many queries
pass ``score_thr`` (all of them is the worst case for the Hungarian step).

Example::

    python tools/analysis_tools/benchmark_tracker.py --out tracker.json
"""
import argparse
import platform
import time
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F

from seavis_mm.models.trackers import SoundAwareTracker
from seavis_mm.utils.runtime_info import dump_json

# (queries, live tracks, candidates above score_thr, mask size, mask NMS thr)
DEFAULT_SETTINGS = [
    (100, 50, 50, (128, 128), None),
    (100, 50, 100, (128, 128), None),
    (100, 50, 50, (360, 640), None),
    (200, 100, 100, (128, 128), None),
    (100, 50, 50, (128, 128), 0.8),
]


def make_stream(num_queries: int, num_tracks: int, num_cands: int,
                mask_size, num_frames: int, dim: int, seed: int = 0):
    """Per-frame tracker inputs: ``num_tracks`` persistent objects (high
    score, drifting embeddings, random query slots), extra candidates
    above the score threshold that are new each frame, and background."""
    g = torch.Generator().manual_seed(seed)
    h, w = mask_size
    objs = F.normalize(torch.randn(num_tracks, dim, generator=g), dim=1)
    masks = torch.rand(num_queries, h, w, generator=g) > 0.5
    labels = torch.randint(0, 5, (num_queries, ), generator=g)
    anchor = F.normalize(torch.randn(dim, generator=g), dim=0)
    frames = []
    for _ in range(num_frames):
        objs = F.normalize(
            objs + 0.05 * torch.randn(objs.shape, generator=g), dim=1)
        embeds = F.normalize(torch.randn(num_queries, dim, generator=g), dim=1)
        slots = torch.randperm(num_queries, generator=g)
        embeds[slots[:num_tracks]] = objs
        scores = torch.rand(num_queries, generator=g) * 0.2  # background
        scores[slots[:num_tracks]] = 0.6 + 0.4 * torch.rand(num_tracks,
                                                            generator=g)
        extra = slots[num_tracks:max(num_cands, num_tracks)]
        scores[extra] = 0.35  # candidates, too weak to start tracks
        frames.append(
            dict(
                embeds=embeds,
                scores=scores,
                labels=labels,
                masks=masks,
                audio_anchor=anchor))
    return frames


def bench_setting(num_queries: int, num_tracks: int, num_cands: int,
                  mask_size, nms_thr, num_frames: int, warmup: int,
                  dim: int) -> Dict:
    tracker = SoundAwareTracker(
        score_thr=0.3,
        init_score_thr=0.5,
        match_thr=0.5,
        num_frames_retain=10,
        mask_nms_thr=nms_thr)
    frames = make_stream(num_queries, num_tracks, num_cands, mask_size,
                         warmup + num_frames, dim)
    times: List[float] = []
    for t, inputs in enumerate(frames):
        t0 = time.perf_counter()
        tracker.track(t, **inputs)
        dt = time.perf_counter() - t0
        if t >= warmup:
            times.append(dt)
    ms = np.array(times) * 1e3
    return dict(
        queries=num_queries,
        live_tracks=tracker.num_live_tracks,
        candidates=num_cands,
        mask_size=list(mask_size),
        mask_nms_thr=nms_thr,
        frames=num_frames,
        median_ms=float(np.median(ms)),
        p90_ms=float(np.percentile(ms, 90)),
        max_ms=float(ms.max()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--frames', type=int, default=500)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--dim', type=int, default=256,
                        help='instance embedding size')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch CPU threads')
    parser.add_argument('--out', help='write the results as JSON here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows = [
        bench_setting(q, n, c, size, nms, args.frames, args.warmup, args.dim)
        for q, n, c, size, nms in DEFAULT_SETTINGS
    ]
    header = (f'{"queries":>7} {"tracks":>6} {"cands":>5} {"masks":>9} '
              f'{"nms":>4} {"median ms":>9} {"p90 ms":>7} {"max ms":>7}')
    print(header)
    print('-' * len(header))
    for r in rows:
        size = 'x'.join(map(str, r['mask_size']))
        nms = '-' if r['mask_nms_thr'] is None else f'{r["mask_nms_thr"]}'
        print(f'{r["queries"]:>7} {r["live_tracks"]:>6} {r["candidates"]:>5} '
              f'{size:>9} {nms:>4} {r["median_ms"]:>9.3f} '
              f'{r["p90_ms"]:>7.3f} {r["max_ms"]:>7.3f}')
    if args.out:
        meta = dict(
            torch=torch.__version__,
            threads=args.threads,
            dim=args.dim,
            processor=platform.processor() or platform.machine())
        dump_json(dict(meta=meta, results=rows), args.out)


if __name__ == '__main__':
    main()
