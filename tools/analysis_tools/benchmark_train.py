# Copyright (c) seavis_mm contributors. All rights reserved.
"""Training throughput of a seavis_mm config: iterations/s and images/s.

Runs the config's own training loop (mmengine ``Runner``: its dataloader,
optimiser, hooks and model) for ``--warmup`` + ``--iters`` iterations,
without validation or checkpoints, and times the last ``--iters`` from the
end of one iteration to the end of the next (data loading included, as in
real training). Images are counted from the batches themselves (clips x
frames).

Example::

    python tools/analysis_tools/benchmark_train.py \\
        configs/seavis/seavis_r18_toyavis.py --iters 20 --out train.json
"""
import argparse
import os
import os.path as osp
import shutil
import tempfile
import time
import uuid
from typing import List, Optional

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner

from seavis_mm.utils import register_all_modules
from seavis_mm.utils.runtime_info import cpu_features, cpu_name, dump_json


def count_images(data_batch: Optional[dict]) -> int:
    """Frames in a training batch as ``pseudo_collate`` gives it
    (``inputs``: a dict of per-clip ``imgs [T, 3, H, W]`` lists, or a list
    of such dicts, or plain image tensors)."""
    if not data_batch:
        return 0
    inputs = data_batch.get('inputs')
    if isinstance(inputs, dict):
        imgs = inputs.get('imgs', [])
    elif isinstance(inputs, (list, tuple)):
        imgs = [x['imgs'] if isinstance(x, dict) else x for x in inputs]
    else:
        imgs = inputs
    if isinstance(imgs, torch.Tensor):
        return int(imgs.shape[0] * (imgs.shape[1] if imgs.dim() == 5 else 1))
    return sum(int(x.shape[0]) if x.dim() == 4 else 1 for x in imgs)


class ThroughputHook(Hook):
    """Records the wall time at the end of each training iteration and the
    number of images in its batch."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self.ends: List[float] = []
        self.images: List[int] = []
        self.start: Optional[float] = None
        self.threads: Optional[int] = None

    def before_train(self, runner) -> None:
        self.start = time.perf_counter()
        self.threads = torch.get_num_threads()

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        self.ends.append(time.perf_counter())
        self.images.append(count_images(data_batch))


def build_cfg(config: str, iters: int, warmup: int, work_dir: str,
              cfg_options: Optional[dict]) -> Config:
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    total = warmup + iters
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = total
    # only training is measured: no validation, no checkpoints
    cfg.train_cfg.val_interval = total + 1
    cfg.train_cfg.val_begin = total + 1
    cfg.val_dataloader = None
    cfg.val_cfg = None
    cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=max(1, total))
    cfg.load_from = None
    cfg.resume = False
    # fresh mmengine singletons (keyed by name) for this run, so that an
    # earlier run in the same process does not lend its log folder
    run_id = f'bench_train_{uuid.uuid4().hex[:8]}'
    cfg.experiment_name = run_id
    if cfg.get('visualizer'):
        cfg.visualizer.name = run_id
    if cfg.model.backbone.get('init_cfg') and \
            cfg.model.backbone.init_cfg.get('type') == 'Pretrained':
        cfg.model.backbone.init_cfg = None  # never download in a benchmark
    return cfg


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Training throughput (iterations/s, images/s)')
    parser.add_argument('config', help='training config')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed iterations first')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads')
    parser.add_argument('--work-dir', help='logs (default: a temporary '
                        'folder, removed afterwards)')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.iters < 1 or args.warmup < 0:
        raise ValueError('--iters must be >= 1 and --warmup >= 0')
    register_all_modules(init_default_scope=False)
    torch.set_num_threads(args.threads)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='bench_train_')
    try:
        cfg = build_cfg(args.config, args.iters, args.warmup, work_dir,
                        args.cfg_options)
        runner = Runner.from_cfg(cfg)
        hook = ThroughputHook()
        runner.register_hook(hook)
        torch.set_num_threads(args.threads)
        wall = time.perf_counter()
        runner.train()
        wall = time.perf_counter() - wall
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)

    ends = np.asarray(hook.ends)
    if len(ends) != args.warmup + args.iters:
        raise RuntimeError(f'expected {args.warmup + args.iters} iterations, '
                           f'the loop ran {len(ends)}')
    # iteration i (timed) lasts from the end of i - 1 to the end of i
    first = ends[args.warmup - 1] if args.warmup else hook.start
    timed = float(ends[-1] - first)
    durations = np.diff(np.concatenate([[first], ends[args.warmup:]]))
    images = int(sum(hook.images[args.warmup:]))
    loader = cfg.train_dataloader
    result = dict(
        config=args.config,
        iters=args.iters,
        warmup=args.warmup,
        batch_size=loader.get('batch_size'),
        images=images,
        images_per_iter=images / args.iters,
        iters_per_s=args.iters / timed,
        images_per_s=images / timed,
        s_per_iter_mean=float(durations.mean()),
        s_per_iter_p50=float(np.median(durations)),
        s_per_iter_p95=float(np.percentile(durations, 95)),
        total_wall_s=wall,
        meta=dict(
            device=str(next(runner.model.parameters()).device),
            device_name=(torch.cuda.get_device_name()
                         if torch.cuda.is_available() else cpu_name()),
            threads=hook.threads,
            num_workers=loader.get('num_workers'),
            cpu_count=os.cpu_count(),
            cpu_features=cpu_features(),
            load_avg=os.getloadavg() if hasattr(os, 'getloadavg') else None,
            torch=torch.__version__))
    print(f'\nTraining throughput of {osp.basename(args.config)} on '
          f'{result["meta"]["device"]} ({hook.threads} threads, '
          f'{result["meta"]["num_workers"]} loader workers): '
          f'{args.iters} iterations after {args.warmup} warm-up')
    print(f'  {result["iters_per_s"]:.3f} iterations/s, '
          f'{result["images_per_s"]:.2f} images/s '
          f'({result["images_per_iter"]:.0f} images/iteration), '
          f's/iter mean {result["s_per_iter_mean"]:.2f} / p50 '
          f'{result["s_per_iter_p50"]:.2f} / p95 '
          f'{result["s_per_iter_p95"]:.2f}')
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
