# Copyright (c) seavis_mm contributors. All rights reserved.
"""Test a seavis_mm model: online inference over whole videos, then FSLA,
HOTA and mAP (mmdet's tools/test.py with seavis_mm's registries, the same
flags, and a gloo fallback without CUDA so that dist_test.sh runs on CPUs).
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.evaluator import DumpResults
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from seavis_mm.utils import (close_process_group, register_all_modules,
                             use_gloo_without_cuda)


def parse_args():
    parser = argparse.ArgumentParser(description='Test a seavis_mm model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='write the predictions: a .json file gets the results in AVISM '
        "format (what tools/analysis_tools/eval_results.py scores; the "
        'metrics are computed as well), a .pkl file the raw data samples '
        "(mmengine's DumpResults, as mmdet's --out)")
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved. If specified, '
        'it will be automatically saved to the work_dir/timestamp/show_dir')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--format-only',
        action='store_true',
        help='only write the results in AVISM format (for a submission to '
        'a test server), do not evaluate')
    parser.add_argument(
        '--outfile-prefix',
        help='where --format-only writes results (<prefix>.json)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def trigger_visualization_hook(cfg: Config, args) -> Config:
    """Turn on the config's visualization hook for --show / --show-dir (as
    mmdet's tools/test.py does)."""
    default_hooks = cfg.get('default_hooks') or {}
    if 'visualization' not in default_hooks:
        raise RuntimeError(
            f'{args.config}: --show / --show-dir need a `visualization` hook '
            "in default_hooks, e.g. visualization=dict(type='"
            "AVISVisualizationHook') (configs/_base_/default_runtime.py)")
    hook = default_hooks['visualization']
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        hook['test_out_dir'] = args.show_dir
    return cfg


def _evaluators(cfg: Config) -> list:
    return cfg.test_evaluator if isinstance(cfg.test_evaluator,
                                            list) else [cfg.test_evaluator]


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    use_gloo_without_cuda(cfg)

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)

    if args.format_only:
        for evaluator in _evaluators(cfg):
            evaluator['format_only'] = True
            evaluator['outfile_prefix'] = args.outfile_prefix or \
                evaluator.get('outfile_prefix') or \
                osp.join(cfg.work_dir, 'results')

    out = args.out
    if out is not None and not out.endswith(('.json', '.pkl', '.pickle')):
        raise ValueError(f'--out {out!r}: expected a .json (AVISM results) '
                         'or .pkl / .pickle (raw predictions) file')
    if out is not None and out.endswith('.json'):
        # AVISMetric writes <prefix>.json (and <prefix>.per_video.json)
        for evaluator in _evaluators(cfg):
            evaluator['outfile_prefix'] = osp.splitext(out)[0]

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)

    if out is not None and out.endswith(('.pkl', '.pickle')):
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=out))

    runner.test()
    close_process_group()
    if out is not None:
        print_log(f'predictions written to {out}', logger='current')


if __name__ == '__main__':
    main()
