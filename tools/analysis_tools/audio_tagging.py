# Copyright (c) seavis_mm contributors. All rights reserved.
"""How well a checkpoint's audio tagger names the categories that sound in
each frame of a split, by kind of frame
(:func:`seavis_mm.evaluation.functional.tagging_by_sources`).

Example::

    python tools/analysis_tools/audio_tagging.py \\
        configs/audio_tagger/audio-tagger_toyavis.py \\
        work_dirs/audio_tagger/audio-tagger_toyavis/iter_600.pth \\
        --out tags.json
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from seavis_mm.evaluation.audio_tag_recording import record_audio_tags
from seavis_mm.evaluation.functional import (format_tagging,
                                             tagging_by_sources)
from seavis_mm.utils.runtime_info import dump_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Audio category tags per kind of frame')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--split', default='val')
    parser.add_argument('--data-root', help='override the data root')
    parser.add_argument('--thr', type=float, default=0.5)
    parser.add_argument('--out', help='write the table as JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    probs, labels = record_audio_tags(cfg, args.checkpoint, args.split,
                                      args.data_root)
    stats = tagging_by_sources(probs, labels, args.thr)
    print(format_tagging(osp.basename(args.config)[:-3], stats))
    result = dict(config=args.config, checkpoint=args.checkpoint,
                  split=args.split, thr=args.thr, by_kind=stats)
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
