# Copyright (c) seavis_mm contributors. All rights reserved.
"""Multi-scale deformable attention on the CPU: mmcv's
``multi_scale_deformable_attn_pytorch`` against the gather formulation
(``model.msda_impl='gather'``) and the per-level one (``'levels'``, the ONNX
export's default), interleaved in one run at the pixel
decoder's shapes for a frame size (``seavis_mm.benchmark.msda``).

Example::

    python tools/analysis_tools/benchmark_msda.py --shape 360 640 \\
        --threads 2 --onnx --out msda_360p.json
"""
from seavis_mm.benchmark import (bench_msda, benchmark_parser,
                                 finish_benchmark, format_msda,
                                 setup_benchmark)


def parse_args(argv=None):
    parser = benchmark_parser(
        'MSDeformAttn: mmcv CPU path vs the gather and levels formulations', model=False)
    parser.add_argument('--shape', type=int, nargs=2, default=(360, 640),
                        metavar=('H', 'W'), help='frame size')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch and ONNX Runtime threads')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--onnx', action='store_true',
                        help='also both exported to ONNX Runtime')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    _, _, result = setup_benchmark(args)
    result.update(
        bench_msda(tuple(args.shape), args.repeats, args.threads, args.onnx))
    return finish_benchmark(result, args, format_msda(result))


if __name__ == '__main__':
    main()
