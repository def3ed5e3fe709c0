# Copyright (c) seavis_mm contributors. All rights reserved.
"""Choose the :class:`SoundAwareTracker` thresholds by measurement.

Runs the model once over a split (ToyAVIS val by default) through the same
per-frame path as evaluation and streaming, records what the tracker gets
each frame (query embeddings, scores, labels, masks, audio anchor), then
replays only the tracker for every combination of a threshold grid and
scores each with the evaluator (FSLA / HOTA / mAP, the config's protocol).
The tracker costs well under a millisecond a frame, so a grid of dozens of
settings takes about as long as their evaluation.

Example::

    python tools/analysis_tools/sweep_tracker.py \\
        configs/seavis/seavis_r18_toyavis.py work_dirs/.../iter_600.pth \\
        --grid score_thr=0.2,0.3 sound_thr=-0.1,0,0.1,0.2 --out sweep.json
"""
import argparse
import itertools
import time
from typing import Dict, List

from seavis_mm.evaluation.functional import evaluate_avis
from seavis_mm.evaluation.tracker_recording import (record_split,
                                                    replay_tracker,
                                                    tracker_params)
from seavis_mm.utils.runtime_info import dump_json

DEFAULT_GRID = dict(
    score_thr=[0.2, 0.3, 0.5],
    match_thr=[0.3, 0.5],
    sound_thr=[-0.1, 0.0, 0.1, 0.2],
    num_frames_retain=[10, 30])


def parse_grid(items: List[str]) -> Dict[str, list]:
    grid = {}
    for item in items:
        if '=' not in item:
            raise ValueError(f'--grid takes name=v1,v2,..., got {item!r}')
        name, values = item.split('=', 1)
        parsed = []
        for v in values.split(','):
            v = v.strip()
            parsed.append(v.lower() == 'true' if v.lower() in (
                'true', 'false') else float(v) if '.' in v or 'e' in v
                          else int(v))
        grid[name] = parsed
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', help='override the dataset root')
    parser.add_argument('--max-videos', type=int, default=0,
                        help='first N videos only (0: all)')
    parser.add_argument('--grid', nargs='*', default=[],
                        help='name=v1,v2 ... (default: a small grid)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='write all rows as JSON here')
    args = parser.parse_args()
    rec = record_split(args.config, args.checkpoint, args.data_root,
                       args.device, args.max_videos)
    cfg, videos, gt_file = rec.cfg, rec.videos, rec.gt_file
    protocol = cfg.get('test_evaluator', {}).get('protocol', 'strict')
    cat_ids = rec.dataset.metainfo.get('cat_ids')
    base = tracker_params(cfg)
    grid = parse_grid(args.grid) if args.grid else DEFAULT_GRID
    names = list(grid)
    combos = [dict(zip(names, vals))
              for vals in itertools.product(*grid.values())]
    combos.append(dict(sound_gate=False))  # audio-blind output, reference
    combos.insert(0, {})  # the config's own setting
    rows = []
    for combo in combos:
        params = dict(base, **combo)
        params['init_score_thr'] = max(params.get('init_score_thr', 0.5),
                                       params.get('score_thr', 0.3))
        t0 = time.perf_counter()
        results = replay_tracker(videos, params, cat_ids)
        scores = evaluate_avis(gt_file, results, protocol=protocol,
                               video_ids=[v['video_id'] for v in videos])
        rows.append(dict(params=combo or 'config', **{
            k: round(float(scores[k]), 2)
            for k in ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA',
                      'mAP') if k in scores
        }, seconds=round(time.perf_counter() - t0, 2)))
        print(rows[-1])
    ranked = sorted(rows, key=lambda r: -r.get('FSLA', 0))
    print(f'\n{"FSLA":>6} {"HOTA":>6} {"mAP":>6}  setting')
    shown = ranked[:10]
    shown += [r for r in rows if r['params'] == 'config' and r not in shown]
    for r in shown:
        print(f'{r.get("FSLA", 0):6.2f} {r.get("HOTA", 0):6.2f} '
              f'{r.get("mAP", 0):6.2f}  {r["params"]}')
    if args.out:
        dump_json(dict(protocol=protocol, base=base, rows=rows), args.out)


if __name__ == '__main__':
    main()
