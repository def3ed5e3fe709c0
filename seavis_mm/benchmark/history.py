# Copyright (c) seavis_mm contributors. All rights reserved.
"""Cost of one CCAF stream step against the number of audio embeddings
held, for the config's history mode and for ``'unbounded'``."""
from typing import Dict

import numpy as np
import torch
from mmengine.config import Config

from .models import build_seavis, prefill_state
from .timing import clocks, device_sync


def bench_history(cfg: Config, args, device: torch.device) -> dict:
    """Median ms of one ``CCAF.forward_state`` with K frames held, at
    the pixel-decoder shapes of ``args.shape``.

    Args:
        cfg (Config): The SeaVIS config (with a CCAF neck).
        args: ``history_sweep`` (the K values), ``history_repeats``,
            ``shape``, ``checkpoint``.
        device (torch.device): Where to run.
    """
    model = build_seavis(cfg, args.checkpoint, device)
    neck = model.neck
    if neck is None:
        raise ValueError('--history-sweep: the config has no CCAF neck')
    sync = device_sync(device)
    h, w = args.shape
    img = torch.randn(1, 3, -(-h // 32) * 32, -(-w // 32) * 32,
                      device=device)
    with torch.no_grad():
        mask_features, memorys = model.track_head.pixel_decode(
            model.backbone(img))
    audio_channels = neck.audio_proj.in_features
    orig = (neck.history, neck.history_size)
    out: Dict[str, Dict[str, float]] = {}
    out_cpu: Dict[str, Dict[str, float]] = {}
    modes = [(orig[0], k) for k in args.history_sweep]
    if orig[0] != 'unbounded':
        modes += [('unbounded', k) for k in args.history_sweep]
    g = torch.Generator().manual_seed(0)
    for mode, k in modes:
        neck.history = mode
        if mode != 'unbounded':
            neck.history_size = k
        state = prefill_state(neck, neck.init_state(1, device), k, seed=k)
        with torch.no_grad():
            audio_t = torch.randn(
                1, neck.tokens_per_frame, audio_channels,
                generator=g).to(device)
            ms = []
            for _ in range(args.history_repeats):
                sync()
                t0 = clocks()
                neck.forward_state(memorys, mask_features, audio_t, state)
                sync()
                ms.append((clocks() - t0) * 1e3)
        med = np.median(np.stack(ms), axis=0)
        out.setdefault(mode, {})[str(k)] = float(med[0])
        out_cpu.setdefault(mode, {})[str(k)] = float(med[1])
    neck.history, neck.history_size = orig
    return dict(history_cost_ms=out, history_cost_cpu_ms=out_cpu,
                history_shape=[h, w])


def format_history(res: dict) -> str:
    """The sweep as text."""
    h, w = res['history_shape']
    lines = [f'CCAF forward_state, median ms, at {h}x{w} with K audio '
             'embeddings held']
    for key, clock in (('history_cost_ms', 'wall'),
                       ('history_cost_cpu_ms', 'cpu')):
        for mode, row in res[key].items():
            lines.append(f'  {clock:<5}{mode:<10}' + '  '.join(
                f'K={k}: {v:.2f}' for k, v in row.items()))
    return '\n'.join(lines)
