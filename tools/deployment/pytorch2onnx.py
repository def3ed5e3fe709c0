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
    # int8, calibrated on 32 training frames (check its accuracy with
    # tools/deployment/test_backend.py)
    python tools/deployment/pytorch2onnx.py \\
        configs/seavis/seavis_r18_toyavis.py work_dirs/.../iter_600.pth \\
        --out seavis_toy_int8.onnx --int8
"""
import argparse

from mmengine.config import DictAction
from mmengine.logging import print_log

from seavis_mm.deployment import export_onnx
from seavis_mm.deployment.onnx_export import DEFAULT_OPSET
from seavis_mm.deployment.inputs import (example_inputs, load_export_model,
                                        verify_onnx)
from seavis_mm.deployment.quantize import (dataset_frames, onnx_sibling,
                                          quantize_frame_network,
                                          synthetic_frames)
from seavis_mm.models.layers import MSDA_IMPLS


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
    parser.add_argument('--msda-impl', choices=['mmcv', *MSDA_IMPLS],
                        default='levels',
                        help='multi-scale deformable attention formulation '
                        "to export (default: mmcv's grid_sample summed level "
                        'by level, the fastest in ONNX Runtime)')
    parser.add_argument(
        '--int8', action='store_true',
        help='quantise to int8 (ONNX Runtime static quantisation of the '
        'convolutions and matrix products), calibrated on --calib-frames '
        'frames of the config\'s --calib-split through the test pipeline; '
        'the fp32 export is kept as OUT with .fp32.onnx. Measure its '
        'accuracy with tools/deployment/test_backend.py')
    parser.add_argument('--calib-frames', type=int, default=32,
                        help='calibration frames for --int8')
    parser.add_argument(
        '--calib-split', choices=['train', 'test', 'synthetic'],
        default='train',
        help="--int8's calibration data: the config's training videos "
        '(default), its test videos, or the synthetic stream (no dataset '
        'needed; for timing only)')
    parser.add_argument('--verify', action='store_true',
                        help='run 3 synthetic frames through ONNX Runtime '
                        'and PyTorch and print the largest differences')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    model, cfg = load_export_model(args.config, args.checkpoint,
                                   args.cfg_options)
    img, audio = example_inputs(model, cfg, args.shape)
    fp32 = onnx_sibling(args.out, '.fp32.onnx') if args.int8 else args.out
    sig = export_onnx(model, fp32, img, audio, opset=args.opset,
                      msda_impl=args.msda_impl)
    result = dict(onnx=args.out, signature=sig.to_dict())
    if args.int8:
        if args.calib_split == 'synthetic':
            frames = synthetic_frames(model, cfg, sig.img_shape[-2:],
                                      args.calib_frames)
        else:
            frames = dataset_frames(model, cfg, args.calib_frames,
                                    args.calib_split)
        quantize_frame_network(fp32, args.out, frames)
        result.update(fp32_onnx=fp32, calib_split=args.calib_split,
                      calib_frames=len(frames))
        print_log(f'quantised to int8 on {len(frames)} {args.calib_split} '
                  f'frames; fp32 export kept as {fp32}', logger='current')
    print_log(
        f'wrote {args.out}: inputs {sig.input_names}, outputs '
        f'{sig.output_names}, frame {sig.img_shape}', logger='current')
    if args.verify:
        diffs = verify_onnx(model, cfg, args.out)
        print_log('largest |ONNX Runtime - PyTorch| over 3 frames (and the '
                  'fraction of mask pixels that differ): ' +
                  ', '.join(f'{k} {v:.2e}' for k, v in diffs.items()),
                  logger='current')
        result['max_abs_diff'] = diffs
    return result


if __name__ == '__main__':
    main()
