# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where a model loses sounding objects: the recall funnel
(:func:`seavis_mm.evaluation.functional.recall_funnel`) of one checkpoint
on a split, from the queries the tracker is given to what it outputs.

Example::

    python tools/analysis_tools/recall_analysis.py \\
        configs/seavis/seavis_r18_toyavis.py \\
        work_dirs/zoo/seavis_r18_toyavis/iter_400.pth --out funnel.json

prints, for the sounding object-frames (and the silent ones, when the split
has ``{ann}_visible.json``), the % segmented by some query (localised), by
a query over the tracker's ``score_thr`` (candidate), by one the sound gate
passes (audible) and by the tracker's output.
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from seavis_mm.evaluation.functional import format_funnel, recall_funnel
from seavis_mm.evaluation.tracker_recording import (record_split,
                                                    recorded_queries,
                                                    replay_tracker,
                                                    tracker_params)
from seavis_mm.utils.runtime_info import dump_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Where sounding objects are lost, query to output')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', help='override the test data root')
    parser.add_argument('--visible-ann',
                        help='ground truth of every visible object '
                        '(default: the test annotation file with _visible, '
                        'when it exists)')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--out', help='write the funnel as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. model.track_head.mask_thr=0.4')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    rec = record_split(cfg, args.checkpoint, args.data_root)
    visible = args.visible_ann or rec.gt_file.replace('.json',
                                                      '_visible.json')
    if not osp.isfile(visible):
        if args.visible_ann:
            raise FileNotFoundError(f'--visible-ann: no file {visible}')
        visible = None
    tracker = rec.model.tracker
    results = replay_tracker(rec.videos, tracker_params(rec.cfg),
                             rec.dataset.metainfo.get('cat_ids'))
    queries, sound_thr = recorded_queries(rec.videos, tracker)
    funnel = recall_funnel(rec.gt_file, queries, results, tracker.score_thr,
                           sound_thr, visible, args.iou_thr)
    print(format_funnel([(osp.basename(args.config)[:-3], funnel)]))
    result = dict(config=args.config, checkpoint=args.checkpoint,
                  gt=rec.gt_file, visible_gt=visible,
                  score_thr=tracker.score_thr, sound_thr=sound_thr,
                  iou_thr=args.iou_thr, **funnel)
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
