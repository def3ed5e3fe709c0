# Copyright (c) seavis_mm contributors. All rights reserved.
"""How often do models segment objects that are visible but silent?

Compares result files on one split with
:func:`seavis_mm.evaluation.functional.silence_breakdown`; needs the split's
ground truth of every visible object, which ToyAVIS writes with
``make_toyavis.py --write-visible``::

    python tools/analysis_tools/silence_analysis.py \
        data/toyavis/val.json data/toyavis/val_visible.json \
        seavis=work_dirs/zoo/seavis_r18_toyavis/results.json \
        minvis=work_dirs/zoo/mask2former-minvis_r18_toyavis/results.json \
        --out docs/results/silence.json
"""
import argparse
import os.path as osp
from typing import Dict

from seavis_mm.evaluation.functional import load_gt, silence_breakdown
from seavis_mm.utils.runtime_info import dump_json

COLUMNS = (('sounding_found', 'sounding found %'),
           ('silent_found', 'silent found %'), ('preds_per_frame',
                                                'preds/frame'),
           ('on_sounding', 'on sounding %'), ('on_silent', 'on silent %'),
           ('on_nothing', 'on nothing %'))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Predictions on sounding objects, silent objects and '
        'neither')
    parser.add_argument('gt', help='ground truth of the sounding objects')
    parser.add_argument('visible_gt', help='ground truth of every visible '
                        'object (ToyAVIS: {split}_visible.json)')
    parser.add_argument('results', nargs='+', metavar='[NAME=]RESULTS',
                        help='results JSON (AVISM format), optionally named')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--out', help='write the table as JSON here')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, dict]:
    args = parse_args(argv)
    # read once, scored against every results file
    gt, visible_gt = load_gt(args.gt), load_gt(args.visible_gt)
    rows = {}
    for item in args.results:
        name, _, path = item.rpartition('=')
        name = name or osp.basename(osp.dirname(osp.abspath(path)))
        rows[name] = silence_breakdown(gt, visible_gt, path, args.iou_thr)
    first = next(iter(rows.values()))
    print(f'{first["frames"]} frames, {first["sounding_objects"]} sounding '
          f'and {first["silent_objects"]} visible-silent object-frames; '
          f'a prediction is on an object at mask IoU >= {args.iou_thr}')
    width = max(len(n) for n in rows) + 2
    print(f'{"model":<{width}}' +
          ''.join(f'{title:>18}' for _, title in COLUMNS))
    for name, row in rows.items():
        print(f'{name:<{width}}' +
              ''.join(f'{row[key]:>18.1f}' for key, _ in COLUMNS))
    if args.out:
        dump_json(dict(gt=args.gt, visible_gt=args.visible_gt,
                       iou_thr=args.iou_thr, rows=rows), args.out)
    return rows


if __name__ == '__main__':
    main()
