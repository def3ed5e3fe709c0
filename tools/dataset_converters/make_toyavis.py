# Copyright (c) seavis_mm contributors. All rights reserved.
"""Generate the ToyAVIS synthetic dataset in the AVISeg layout.

Example::

    python tools/dataset_converters/make_toyavis.py data/toyavis \
        --train-videos 80 --val-videos 20 --seed 0 --export-mp4 2
    # the first generator, bit for bit (old numbers)
    python tools/dataset_converters/make_toyavis.py data/toyavis_v1 --style v1
    # the second, more varied val set of the zoo
    python tools/dataset_converters/make_toyavis.py data/toyavis_val2 \
        --train-videos 0 --val-videos 20 --seed 1000 --variety high \
        --write-visible
"""
import argparse
import json
import sys
import time

from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from seavis_mm.datasets.toyavis import STYLES, VARIETY_LEVELS, make_toyavis


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate ToyAVIS ({split}.json, {split}/JPEGImages, '
        '{split}/WAVAudios), deterministic from --seed.')
    parser.add_argument('out', help='output dataset root')
    parser.add_argument('--train-videos', type=int, default=80)
    parser.add_argument('--val-videos', type=int, default=20)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--style',
        choices=STYLES,
        default='v2',
        help='v2: varied backgrounds, clutter, sizes, colours, lighting, '
        'blur and noise (default); v1: the first generator, bit for bit')
    parser.add_argument(
        '--variety',
        choices=VARIETY_LEVELS,
        default='normal',
        help='how widely v2 varies the look (high: the second val set)')
    parser.add_argument('--min-frames',
                        type=int,
                        default=8,
                        help='fewest frames a video')
    parser.add_argument('--max-frames',
                        type=int,
                        default=20,
                        help='most frames a video')
    parser.add_argument(
        '--write-visible',
        action='store_true',
        help='also write {split}_visible.json annotating every visible '
        'object, silent ones too (the audio-blind oracle)')
    parser.add_argument(
        '--export-mp4',
        type=int,
        default=0,
        metavar='N',
        help='also export the first N val videos as .mp4 with AAC audio '
        'to OUT/mp4/<split>/')
    parser.add_argument('--mp4-fps', type=int, default=10)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.min_frames < 1 or args.max_frames < args.min_frames:
        raise SystemExit('need 1 <= --min-frames <= --max-frames')
    if args.style == 'v1' and args.variety != 'normal':
        raise SystemExit('--variety needs --style v2 (v1 has one look)')
    start = time.perf_counter()
    # the stream of now (the default is bound at mmengine's import)
    bar = ProgressBar(args.train_videos + args.val_videos, file=sys.stdout)
    stats = make_toyavis(args.out,
                         train_videos=args.train_videos,
                         val_videos=args.val_videos,
                         seed=args.seed,
                         num_frames_range=(args.min_frames, args.max_frames),
                         write_visible=args.write_visible,
                         export_mp4=args.export_mp4,
                         mp4_fps=args.mp4_fps,
                         style=args.style,
                         variety=args.variety,
                         on_video=bar.update)
    elapsed = time.perf_counter() - start
    print_log('')  # the progress bar leaves the cursor on its line
    print_log(
        json.dumps(dict(stats=stats,
                        style=args.style,
                        variety=args.variety,
                        seconds=round(elapsed, 2)),
                   indent=1))
    return stats


if __name__ == '__main__':
    main()
