# Copyright (c) seavis_mm contributors. All rights reserved.
"""Score SeaVIS on the config's test set with a deployment backend running
its per-frame network: the accuracy check of an export (int8 included)
against the model it came from (``seavis_mm.deployment.evaluate``).

Example::

    python tools/deployment/pytorch2onnx.py configs/seavis/seavis_r18_toyavis.py \\
        CKPT --out toy_int8.onnx --int8
    python tools/deployment/test_backend.py configs/seavis/seavis_r18_toyavis.py \\
        CKPT --backend onnxruntime --onnx-file toy_int8.onnx --out int8.json
    python tools/deployment/test_backend.py configs/seavis/seavis_r18_toyavis.py \\
        CKPT --backend pytorch --out fp32.json

prints the evaluator's metrics (``avis/FSLA`` ...) and writes them as JSON.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import DictAction
from mmengine.logging import print_log

from seavis_mm.deployment import BACKENDS, build_frame_backend
from seavis_mm.deployment.evaluate import evaluate_backend
from seavis_mm.deployment.inputs import load_export_model
from seavis_mm.utils.runtime_info import dump_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test SeaVIS with a deployment backend')
    parser.add_argument('config', help='SeaVIS config file')
    parser.add_argument('checkpoint', help='the weights')
    parser.add_argument('--backend', default='pytorch', choices=BACKENDS)
    parser.add_argument('--onnx-file',
                        help='run this exported file (pytorch2onnx.py, '
                        'int8 or not) instead of exporting on the fly')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch / ONNX Runtime threads')
    parser.add_argument('--out', help='write the metrics as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings (e.g. the test data_root)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    if args.onnx_file and args.backend != 'onnxruntime':
        raise ValueError('--onnx-file runs on --backend onnxruntime')
    if args.threads:
        torch.set_num_threads(args.threads)
    model, cfg = load_export_model(args.config, args.checkpoint,
                                   args.cfg_options)
    options = dict(onnx_file=args.onnx_file) if args.onnx_file else {}
    forward = None if args.backend == 'pytorch' else build_frame_backend(
        model, args.backend, **options)
    metrics = evaluate_backend(model, cfg, forward)
    for k, v in metrics.items():
        if isinstance(v, (int, float)):
            print_log(f'{k}: {v:.2f}', logger='current')
    result = dict(
        config=args.config, checkpoint=args.checkpoint,
        backend=args.backend, onnx_file=args.onnx_file,
        metrics={k: v for k, v in metrics.items()
                 if isinstance(v, (int, float))})
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
