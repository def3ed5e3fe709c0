# Copyright (c) seavis_mm contributors. All rights reserved.
"""Do tracks keep their ids? IDF1, ID switches and ids kept across silent
gaps, by gap length (:func:`seavis_mm.evaluation.functional.
evaluate_identity`)::

    python tools/analysis_tools/identity_analysis.py \
        data/toyavis/val.json work_dirs/zoo/seavis_r18_toyavis/results.json \
        --visible-gt data/toyavis/val_visible.json \
        --out work_dirs/zoo/seavis_r18_toyavis/identity.json

With ``--visible-gt`` (ToyAVIS: ``make_toyavis.py --write-visible``) IDF1 and
IDSW are also scored against every visible object, and only gaps in which the
object was visible but silent count as silent gaps.
"""
import argparse
from typing import Dict

from seavis_mm.evaluation.functional import GAP_BINS, evaluate_identity
from seavis_mm.utils.runtime_info import dump_json


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='IDF1, ID switches and ids kept across silent gaps')
    parser.add_argument('gt', help='ground truth of the sounding objects')
    parser.add_argument('results', help='results JSON (AVISM format)')
    parser.add_argument('--visible-gt', help='ground truth of every visible '
                        'object (ToyAVIS: {split}_visible.json)')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--out', help='write the numbers as JSON here')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, float]:
    args = parse_args(argv)
    out = evaluate_identity(args.gt, args.results, args.visible_gt,
                            args.iou_thr)
    lines = [f'mask IoU >= {args.iou_thr}',
             f'{"ground truth":<14}{"IDF1":>8}{"IDP":>8}{"IDR":>8}'
             f'{"IDSW":>8}{"MOTA":>8}']
    for prefix, name in (('', 'sounding'), ('visible_', 'visible')):
        if f'{prefix}IDF1' in out:
            lines.append(f'{name:<14}' + ''.join(
                f'{out[prefix + k]:>8.1f}'
                for k in ('IDF1', 'IDP', 'IDR')) +
                f'{out[prefix + "IDSW"]:>8d}{out[prefix + "MOTA"]:>8.1f}')
    lines.append(f'{"silent gap":<14}{"gaps":>8}{"found":>8}{"kept":>8}'
                 f'{"kept %":>8}')
    for b in [name for name, _, _ in GAP_BINS] + ['all']:
        share = out['IDKept' if b == 'all' else f'IDKept_{b}']
        lines.append(f'{b + " frames" if b != "all" else "all":<14}'
                     f'{out[f"Gaps_{b}"]:>8d}{out[f"GapsFound_{b}"]:>8d}'
                     f'{out[f"GapsKept_{b}"]:>8d}{share:>8.1f}')
    print('\n'.join(lines))
    if args.out:
        dump_json(dict(gt=args.gt, visible_gt=args.visible_gt,
                       results=args.results, iou_thr=args.iou_thr, **out),
                  args.out)
    return out


if __name__ == '__main__':
    main()
