# Copyright (c) seavis_mm contributors. All rights reserved.
"""What every streaming benchmark tool shares: its common arguments, the
process set-up (threads, BLAS pool, device, config) and the run's metadata,
and the end (peak memory, load, JSON)."""
import argparse
import os
from typing import Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from seavis_mm.utils import register_all_modules
from seavis_mm.utils.runtime_info import (cpu_features, cpu_name,
                                          dump_json, limit_blas_threads,
                                          peak_rss_mb)
from .models import load_cfg


def _load_avg():
    return os.getloadavg() if hasattr(os, 'getloadavg') else None


def benchmark_parser(description: str,
                     model: bool = True) -> argparse.ArgumentParser:
    """A parser with the arguments every streaming benchmark takes
    (``model=False``: only the process ones, for benchmarks without a
    model)."""
    parser = argparse.ArgumentParser(description=description)
    if model:
        parser.add_argument('config', help='SeaVIS config file')
        parser.add_argument('--checkpoint', help='weights (default: random)')
        parser.add_argument('--shape', type=int, nargs=2, default=(360, 640),
                            metavar=('H', 'W'), help='frame size')
        parser.add_argument('--threads', type=int, default=2,
                            help='torch CPU threads')
        parser.add_argument('--device', default='cpu')
        parser.add_argument(
            '--cfg-options', nargs='+', action=DictAction,
            help='override config settings, e.g. '
            'model.neck.history=unbounded')
    parser.add_argument('--blas-threads', type=int, default=1,
                        help='numpy BLAS threads (log-mel); 0: leave as is')
    parser.add_argument('--verbose', action='store_true')
    parser.add_argument('--out', help='write the results as JSON here')
    return parser


def setup_benchmark(args: argparse.Namespace
                    ) -> Tuple[Optional[Config], torch.device, dict]:
    """Register modules, set the thread counts, load the config (when the
    tool takes one).

    Returns:
        tuple: the config (None without ``args.config``), the device and
        the result dict holding ``meta`` (config, device, threads, load
        average, torch version, weights).
    """
    register_all_modules(init_default_scope=True)
    threads = getattr(args, 'threads', None)
    if threads:
        torch.set_num_threads(threads)
    blas = limit_blas_threads(args.blas_threads)
    device = torch.device(getattr(args, 'device', 'cpu'))
    config = getattr(args, 'config', None)
    checkpoint = getattr(args, 'checkpoint', None)
    cfg = load_cfg(config, getattr(args, 'cfg_options', None),
                   checkpoint) if config else None
    torch.manual_seed(0)
    meta = dict(
        config=config,
        checkpoint=checkpoint,
        device=str(device),
        device_name=(torch.cuda.get_device_name(device)
                     if device.type == 'cuda' else cpu_name()),
        threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
        cpu_features=cpu_features(),
        load_avg=_load_avg(),
        torch=torch.__version__,
        blas_threads=blas,
        weights='checkpoint' if checkpoint else 'random')
    return cfg, device, dict(meta=meta)


def finish_benchmark(result: dict, args: argparse.Namespace, text: str
                     ) -> dict:
    """Log the tables, add the peak memory and the load at the end, write
    the JSON (``--out``)."""
    print_log('\n' + text, logger='current')
    result['peak_rss_mb'] = peak_rss_mb()
    result['meta']['load_avg_end'] = _load_avg()
    if args.out:
        dump_json(result, args.out)
    return result
