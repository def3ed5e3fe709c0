# Copyright (c) seavis_mm contributors. All rights reserved.
"""Export SeaVIS's per-frame network to ONNX, the stream state (CCAF's audio
history) as explicit inputs and outputs (``seavis_mm.deployment``).

The graph takes the preprocessed frame ``img`` ``[1, 3, H, W]`` (H, W: the
test pipeline's output size padded to the preprocessor's divisor), the
frame's ``audio`` patch and ``state.*``, and returns the head's per-query
outputs and ``new_state.*``; feed ``new_state.*`` back as the next frame's
``state.*``. The log-mel front end and the tracker stay in Python
(``OnlineAVISInferencer(..., backend='onnxruntime', onnx_file=...)``).
Without a checkpoint the weights are random (as the benchmarks use them).

Example::

    python tools/deployment/pytorch2onnx.py \\
        configs/seavis/seavis_r18_toyavis.py work_dirs/.../iter_600.pth \\
        --out seavis_toy.onnx --shape 128 128 --verify
"""
import argparse

from mmengine.config import DictAction
from mmengine.logging import print_log

from seavis_mm.deployment import export_onnx
from seavis_mm.deployment.onnx_export import DEFAULT_OPSET
from seavis_mm.deployment.inputs import (example_inputs, load_export_model,
                                        verify_onnx)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export the SeaVIS per-frame network to ONNX')
    parser.add_argument('config', help='SeaVIS config file')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights (default: random)')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument('--shape', type=int, nargs=2, default=None,
                        metavar=('H', 'W'),
                        help='frame size after the test pipeline (default: '
                        "the pipeline's Resize scale)")
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET)
    parser.add_argument('--msda-impl', choices=['mmcv', 'gather'],
                        default='mmcv',
                        help='multi-scale deformable attention formulation '
                        "to export (default: mmcv's grid_sample, the faster "
                        'in ONNX Runtime)')
    parser.add_argument('--verify', action='store_true',
                        help='run 3 frames through ONNX Runtime and PyTorch '
                        'and print the largest differences')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    model, cfg = load_export_model(args.config, args.checkpoint,
                                   args.cfg_options)
    img, audio = example_inputs(model, cfg, args.shape)
    sig = export_onnx(model, args.out, img, audio, opset=args.opset,
                      msda_impl=args.msda_impl)
    print_log(
        f'wrote {args.out}: inputs {sig.input_names}, outputs '
        f'{sig.output_names}, frame {sig.img_shape}', logger='current')
    result = dict(onnx=args.out, signature=sig.to_dict())
    if args.verify:
        diffs = verify_onnx(model, args.out, img, audio)
        print_log('largest |ONNX Runtime - PyTorch| over 3 frames: ' +
                  ', '.join(f'{k} {v:.2e}' for k, v in diffs.items()),
                  logger='current')
        result['max_abs_diff'] = diffs
    return result


if __name__ == '__main__':
    main()
