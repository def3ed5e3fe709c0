# Copyright (c) seavis_mm contributors. All rights reserved.
"""Score an AVIS results file against AVISeg ground truth, offline.

Any AVIS system's results in AVISM's format (a JSON list of ``{video_id,
score, category_id, segmentations}``, one RLE or null per frame), AVISM's own
``results.json`` included, are scored by the code ``AVISMetric`` uses::

    python tools/analysis_tools/eval_results.py data/aviseg/test.json \\
        work_dirs/x/results.json --protocol aviseval --out scores.json

prints ``avis/FSLA: 42.78``-style lines and writes the numbers (and the
per-video FSLA) as JSON.
"""
import argparse
import json
import math
import time

from mmengine.logging import print_log

from seavis_mm.evaluation.functional import (AVIS_METRICS, PROTOCOLS,
                                             evaluate_avis)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='FSLA, HOTA and mAP of AVIS results (AVISeg metrics)')
    parser.add_argument('gt', help='AVISeg ground-truth JSON')
    parser.add_argument('results', help='results JSON (AVISM format)')
    parser.add_argument(
        '--protocol', choices=PROTOCOLS, default='strict',
        help='aviseval: identical to AVISeg\'s official evaluator (compare '
        'with published tables); strict: empty masks are absences '
        '(default: %(default)s)')
    parser.add_argument(
        '--metrics', nargs='+', choices=AVIS_METRICS,
        default=list(AVIS_METRICS), help='metrics to compute')
    parser.add_argument('--out', help='write the scores here (JSON)')
    parser.add_argument('--prefix', default='avis', help='key prefix')
    return parser.parse_args(argv)


def _json_safe(value):
    """NaN (undefined) becomes null so the file is valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    res = evaluate_avis(args.gt, args.results, protocol=args.protocol,
                        metrics=args.metrics, per_video=True, progress=True)
    per_video = res.pop('per_video')
    scores = {f'{args.prefix}/{k}': v for k, v in res.items()}
    print_log(f'protocol: {args.protocol}  ({len(per_video)} videos, '
              f'{time.perf_counter() - start:.1f} s)', logger='current')
    for key, value in scores.items():
        print_log(f'{key}: {value:.2f}', logger='current')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(
                _json_safe(dict(gt=args.gt, results=args.results,
                                protocol=args.protocol, metrics=scores,
                                per_video=per_video)), f, indent=2)
        print_log(f'written to {args.out}', logger='current')
    return scores


if __name__ == '__main__':
    main()
