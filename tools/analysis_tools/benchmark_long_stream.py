# Copyright (c) seavis_mm contributors. All rights reserved.
"""Per-frame cost and memory across a long stream through
``OnlineAVISInferencer.step`` (``seavis_mm.benchmark.long_stream``): they
must stay flat from frame 100 to frame 10,000 and beyond.

Example::

    python tools/analysis_tools/benchmark_long_stream.py \\
        configs/seavis/seavis_r18_toyavis.py --shape 128 128 \\
        --frames 10000 --threads 1 --out toy_long.json
"""
from seavis_mm.benchmark import (bench_long_stream, benchmark_parser,
                                 finish_benchmark, format_long,
                                 setup_benchmark)


def parse_args(argv=None):
    parser = benchmark_parser('Per-frame cost over a long stream')
    parser.add_argument('--frames', dest='long_stream', type=int,
                        default=1000, metavar='N',
                        help='stream N frames through step() (>= 100)')
    parser.add_argument('--window', type=int, default=51,
                        help='frames per sample (median)')
    parser.add_argument('--no-control', dest='control',
                        action='store_false',
                        help='no control stream beside each window')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg, device, result = setup_benchmark(args)
    result.update(bench_long_stream(cfg, args, device))
    return finish_benchmark(result, args, format_long(result))


if __name__ == '__main__':
    main()
