# Copyright (c) seavis_mm contributors. All rights reserved.
"""Cost of one CCAF stream step with K audio embeddings held, for the
config's history mode and for ``'unbounded'``
(``seavis_mm.benchmark.history``).

Example::

    python tools/analysis_tools/benchmark_ccaf_history.py \\
        configs/seavis/seavis_r50_8xb2-20k_aviseg.py --shape 360 640 \\
        --sizes 1 64 1000 10000 --threads 1 --out ccaf_history.json
"""
from seavis_mm.benchmark import (bench_history, benchmark_parser,
                                 finish_benchmark, format_history,
                                 setup_benchmark)


def parse_args(argv=None):
    parser = benchmark_parser('CCAF cost against the audio history held')
    parser.add_argument('--sizes', dest='history_sweep', type=int,
                        nargs='+', required=True, metavar='K',
                        help='numbers of audio embeddings held')
    parser.add_argument('--repeats', dest='history_repeats', type=int,
                        default=10, help='timed steps per K (median)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg, device, result = setup_benchmark(args)
    result.update(bench_history(cfg, args, device))
    return finish_benchmark(result, args, format_history(result))


if __name__ == '__main__':
    main()
