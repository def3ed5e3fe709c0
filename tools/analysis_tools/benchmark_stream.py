# Copyright (c) seavis_mm contributors. All rights reserved.
"""Per-frame streaming latency of SeaVIS against plain per-frame
Mask2Former, split into parts (``seavis_mm.benchmark.split``).

Random weights give the same latency as trained ones, so without
``--checkpoint`` the backbone's pretrained ``init_cfg`` is dropped and
nothing is downloaded. Figures and commands: ``docs/en/benchmarks.md``. The
other streaming benchmarks: ``benchmark_long_stream.py``,
``benchmark_ccaf_history.py``, ``benchmark_audio_frontend.py``.

Example::

    python tools/analysis_tools/benchmark_stream.py \\
        configs/seavis/seavis_r50_8xb2-20k_aviseg.py --frames 20 \\
        --shape 360 640 --threads 1 --out r50_360p.json
    python tools/analysis_tools/benchmark_stream.py \\
        configs/seavis/seavis_r18_toyavis.py --shape 128 128 --threads 2 \\
        --backend pytorch onnxruntime compile --out toy_backends.json
    python tools/analysis_tools/benchmark_stream.py \\
        configs/seavis/seavis_r50_8xb2-20k_aviseg.py --shape 360 640 \\
        --threads 2 --backend onnxruntime onnxruntime-int8 --out int8.json
"""
from seavis_mm.benchmark import (bench_split, benchmark_parser,
                                 finish_benchmark, format_split,
                                 setup_benchmark)
from seavis_mm.benchmark.split import BENCH_BACKENDS


def parse_args(argv=None):
    parser = benchmark_parser(
        'Streaming latency of SeaVIS vs plain Mask2Former')
    parser.add_argument('--frames', type=int, default=20,
                        help='timed frames per model (after warm-up)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed frames first')
    parser.add_argument('--video', help='a video file with audio instead of '
                        'the synthetic stream')
    parser.add_argument('--fp16', action='store_true',
                        help='autocast to float16 (CUDA)')
    parser.add_argument('--no-prefill-history', dest='prefill_history',
                        action='store_false',
                        help='start with an empty CCAF history (default: '
                        'fill a bounded one first)')
    parser.add_argument('--no-reference', action='store_true',
                        help='skip plain Mask2Former')
    parser.add_argument(
        '--backend', nargs='+', default=['pytorch'], choices=BENCH_BACKENDS,
        help='what runs the per-frame network of both models: eager '
        "'pytorch', 'onnxruntime' (exported first), 'onnxruntime-int8' "
        '(exported and quantised to int8, calibrated on the first frames '
        "of the stream: speed only), 'compile' (torch.compile); several "
        'are timed interleaved in one run')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.fp16 and args.device.split(':')[0] != 'cuda':
        raise ValueError('--fp16 times float16 autocast on a GPU; use '
                         f'--device cuda (got --device {args.device})')
    cfg, device, result = setup_benchmark(args)
    result['meta']['fp16'] = args.fp16
    result.update(bench_split(cfg, args, device))
    return finish_benchmark(result, args, format_split(result))


if __name__ == '__main__':
    main()
