# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where an exported frame network's time goes on ONNX Runtime, per
operator type and per node (``seavis_mm.benchmark.onnx_profile``): what
limits a backend once the network is exported, e.g. fp32 against int8.

Example::

    python tools/deployment/pytorch2onnx.py \\
        configs/seavis/seavis_r50_8xb2-20k_aviseg.py --out r50.onnx \\
        --shape 360 640
    python tools/analysis_tools/profile_onnx.py r50.onnx --threads 1 \\
        --out r50_ops.json
"""
from seavis_mm.benchmark import (benchmark_parser, finish_benchmark,
                                 setup_benchmark)
from seavis_mm.benchmark.onnx_profile import format_profile, profile_onnx


def parse_args(argv=None):
    parser = benchmark_parser('ONNX Runtime time per operator type',
                              model=False)
    parser.add_argument('onnx_file', help='an exported .onnx file')
    parser.add_argument('--threads', type=int, default=2,
                        help='ONNX Runtime intra-op threads')
    parser.add_argument('--runs', type=int, default=2)
    parser.add_argument('--top', type=int, default=15,
                        help='slowest nodes to list')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    _, _, result = setup_benchmark(args)
    result.update(profile_onnx(args.onnx_file, args.threads, args.runs,
                               top=args.top))
    return finish_benchmark(result, args, format_profile(result, args.top))


if __name__ == '__main__':
    main()
