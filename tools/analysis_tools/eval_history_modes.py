# Copyright (c) seavis_mm contributors. All rights reserved.
"""Accuracy cost of bounding CCAF's audio history.

Evaluates one checkpoint on the config's test set (as ``tools/test.py``
does: mmengine ``Runner.test`` with the config's evaluator) once per history
setting of the CCAF neck, ``model.neck.history`` in ``unbounded``,
``ring`` (last K embeddings) and ``summary`` (last K plus a running mean of
the older ones), and prints the FSLA / HOTA / mAP table with the difference
to ``unbounded``.

ToyAVIS val videos have 8-20 frames, so a K at or above the video length
equals ``unbounded`` there; small K (2, 4) show what bounding costs.

Example::

    python tools/analysis_tools/eval_history_modes.py \\
        configs/seavis/seavis_r18_toyavis.py work_dirs/x/iter_600.pth \\
        --modes unbounded ring:2 ring:4 ring:16 summary:2 summary:4 \\
        --out history_modes.json
"""
import argparse
import math
import os.path as osp
import shutil
import tempfile
import time
import uuid
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from seavis_mm.utils import register_all_modules
from seavis_mm.utils.runtime_info import dump_json

DEFAULT_MODES = ('unbounded', 'ring:2', 'ring:4', 'ring:16', 'summary:2',
                 'summary:4', 'summary:16')
MODE_NAMES = ('unbounded', 'ring', 'summary')


def parse_mode(text: str) -> Tuple[str, Optional[int]]:
    """``'unbounded'`` -> ('unbounded', None); ``'ring:4'`` -> ('ring', 4)."""
    name, _, size = text.partition(':')
    if name not in MODE_NAMES:
        raise argparse.ArgumentTypeError(
            f'history mode {text!r}: expected one of {MODE_NAMES}, with :K '
            'for ring and summary (e.g. ring:4)')
    if name == 'unbounded':
        if size:
            raise argparse.ArgumentTypeError(
                f'history mode {text!r}: unbounded takes no size')
        return name, None
    if not size.isdigit() or int(size) < 1:
        raise argparse.ArgumentTypeError(
            f'history mode {text!r}: {name} needs a size K >= 1, e.g. '
            f'{name}:4')
    return name, int(size)


def mode_label(mode: Tuple[str, Optional[int]]) -> str:
    name, size = mode
    return name if size is None else f'{name}:{size}'


def evaluate(config: str, checkpoint: str, mode: Tuple[str, Optional[int]],
             work_dir: str, cfg_options: Optional[dict]) -> Dict[str, float]:
    """Test ``checkpoint`` with CCAF's history set to ``mode``."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if not cfg.model.get('neck'):
        raise ValueError(f'{config}: model.neck is not set; the history '
                         'modes are CCAF settings')
    name, size = mode
    cfg.model.neck.history = name
    if size is not None:
        cfg.model.neck.history_size = size
    label = mode_label(mode).replace(':', '')
    cfg.work_dir = osp.join(work_dir, label)
    # fresh mmengine singletons per run (they are keyed by name and would
    # otherwise keep writing to an earlier run's folder)
    run_id = f'history_{label}_{uuid.uuid4().hex[:8]}'
    cfg.experiment_name = run_id
    if cfg.get('visualizer'):
        cfg.visualizer.name = run_id
    cfg.load_from = checkpoint
    runner = Runner.from_cfg(cfg)
    return runner.test()


def format_table(rows: List[Tuple[str, Dict[str, float]]],
                 columns: Optional[List[str]] = None) -> str:
    """One row per history mode; after each number its difference to the
    ``unbounded`` row (when there is one).

    Args:
        rows: ``(label, metrics)`` per mode.
        columns: metric names to show (the part after ``avis/``); default
            all.
    """
    keys = [k for k in rows[0][1]
            if columns is None or k.split('/')[-1] in columns]
    base = dict(rows)['unbounded'] if 'unbounded' in dict(rows) else None
    width = 18
    lines = [f'{"history":<12}' +
             ''.join(f'{k.split("/")[-1]:>{width}}' for k in keys)]
    lines.append('-' * len(lines[0]))
    for label, metrics in rows:
        cells = []
        for k in keys:
            v = metrics.get(k)
            cell = '-' if v is None else f'{v:.2f}'
            if base is not None and label != 'unbounded' and \
                    v is not None and base.get(k) is not None:
                cell += f' ({v - base[k]:+.2f})'
            cells.append(f'{cell:>{width}}')
        lines.append(f'{label:<12}' + ''.join(cells))
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Evaluate a checkpoint with each CCAF history mode')
    parser.add_argument('config', help='test config (with a CCAF neck)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--modes', nargs='+', type=parse_mode,
        default=[parse_mode(m) for m in DEFAULT_MODES],
        help='unbounded, ring:K, summary:K (default: %(default)s)')
    parser.add_argument(
        '--columns', nargs='+', default=['FSLA', 'FAs', 'FAm', 'HOTA',
                                         'DetA', 'AssA', 'mAP'],
        help='metrics to print (the JSON has all)')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads')
    parser.add_argument('--work-dir', help='logs (default: a temporary '
                        'folder, removed afterwards)')
    parser.add_argument('--out', help='write the table as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings (e.g. test_dataloader.dataset.'
        'data_root=...)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint!r}')
    register_all_modules(init_default_scope=False)
    torch.set_num_threads(args.threads)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='history_modes_')
    rows, seconds = [], {}
    try:
        for mode in args.modes:
            start = time.perf_counter()
            metrics = evaluate(args.config, args.checkpoint, mode, work_dir,
                               args.cfg_options)
            seconds[mode_label(mode)] = time.perf_counter() - start
            # NaN (a frame type absent from the set, e.g. FAn) -> None,
            # which JSON writes as null
            rows.append((mode_label(mode), {
                k: (None if math.isnan(v) else float(v))
                for k, v in metrics.items() if isinstance(v, (int, float))
            }))
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    table = format_table(rows, args.columns)
    print(f'\nCCAF history modes, {osp.basename(args.checkpoint)} on the '
          f'test set of {osp.basename(args.config)} '
          '(in brackets: difference to unbounded)')
    print(table)
    result = dict(
        config=args.config,
        checkpoint=args.checkpoint,
        results={label: m for label, m in rows},
        eval_seconds=seconds)
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
