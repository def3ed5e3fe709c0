# Copyright (c) seavis_mm contributors. All rights reserved.
"""Seconds of audio per second of the log-mel front end: incremental
against per-frame window recompute and whole-history recompute
(``seavis_mm.benchmark.audio_frontend``).

Example::

    python tools/analysis_tools/benchmark_audio_frontend.py --seconds 600 \\
        --fps 1 25 --out audio_frontend.json
"""
from seavis_mm.benchmark import (bench_audio_frontend, benchmark_parser,
                                 finish_benchmark, format_audio,
                                 setup_benchmark)


def parse_args(argv=None):
    parser = benchmark_parser('Speed of the log-mel front end', model=False)
    parser.add_argument('--seconds', type=float, default=600,
                        help='seconds of audio to stream')
    parser.add_argument('--fps', type=float, nargs='+', default=[1.0, 25.0],
                        help='frame rates (one log-mel patch per frame)')
    parser.add_argument('--history-seconds', type=float, default=60,
                        help='audio for the (quadratic) history recompute')
    parser.add_argument('--repeats', type=int, default=3,
                        help='runs per method (the fastest counts)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    _, _, result = setup_benchmark(args)
    result.update(
        bench_audio_frontend(args.seconds, args.fps, args.history_seconds,
                             args.repeats))
    return finish_benchmark(result, args, format_audio(result))


if __name__ == '__main__':
    main()
