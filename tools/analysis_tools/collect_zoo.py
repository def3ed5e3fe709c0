# Copyright (c) seavis_mm contributors. All rights reserved.
"""Collect the ToyAVIS zoo runs of ``tools/run_zoo.sh`` into one table.

For each run directory it re-scores the results file that ``tools/test.py``
wrote (``<work>/results.json``, AVISM's format) against the val ground truth
with the project's evaluator (protocol ``strict``, as the ToyAVIS configs
use), keeps the per-video FSLA, copies the training log JSON to
``docs/results/<name>.log.json``, reads the training wall time from the log,
times the online path (frames/s on the CPU, one thread) over the val videos,
and, when the split's ground truth of every visible object is there
(``make_toyavis.py --write-visible``), measures how often each model segments
visible but silent objects (``silence_breakdown``).

Writes ``<out-dir>/zoo.json``, ``<out-dir>/zoo_table.md`` and the model-zoo
metafile ``configs/seavis/metafile.yml`` (OpenMMLab's model-index format:
the ToyAVIS rows measured here, and the paper-scale AVISeg configs, which
have no results here).
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import shutil
import time
from datetime import datetime
from typing import Dict, List, Optional

ROWS = [
    ('seavis_r18_toyavis', 'SeaVIS (full)'),
    ('seavis_r18_toyavis_prev', 'SeaVIS before issue 13 (reference)'),
    ('seavis_r18_toyavis_no-identity', 'SeaVIS w/o identity embedding'),
    ('seavis_r18_toyavis_no-sound-prob',
     'SeaVIS w/o sounding probability (cosine gate)'),
    ('seavis_r18_toyavis_no-negfix', 'SeaVIS w/o AGCL negative fix'),
    ('seavis_r18_toyavis_no-silent-frames',
     'SeaVIS w/o silent frames in training'),
    ('seavis_r18_toyavis_no-past-audio', 'SeaVIS w/o past audio in training'),
    ('seavis_r18_toyavis_one-audio-token',
     'SeaVIS w/o rich audio tokens (one per frame)'),
    ('seavis_r18_toyavis_old-tracker',
     'SeaVIS, previous tracker (eval only, full checkpoint)'),
    ('seavis_r18_toyavis_no-agcl', 'SeaVIS w/o AGCL (and w/o sound gate)'),
    ('seavis_r18_toyavis_no-ccaf', 'SeaVIS w/o CCAF'),
    ('mask2former-minvis_r18_toyavis',
     'Mask2Former + MinVIS matching (audio-blind)'),
    ('mask2former-film_r18_toyavis', 'Mask2Former + FiLM audio (naive AV)'),
]
# Paper-scale configs: a GPU user's configs for the real AVISeg; not trained
# here (no GPU, no AVISeg), so the metafile lists them without results.
PAPER_CONFIGS = [
    ('seavis_r50_8xb2-20k_aviseg', 'ResNet-50', 'AVISeg (VGGish log-mel '
     'computed from the audio)'),
    ('seavis_r50_8xb2-20k_aviseg-feat', 'ResNet-50',
     "AVISeg (AVISeg's released VGGish features)"),
    ('seavis_swin-l_8xb2-20k_aviseg', 'Swin-L', 'AVISeg'),
]
KEYS = ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA', 'LocA', 'mAP')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('zoo_dir', help='work_dirs/zoo of tools/run_zoo.sh')
    parser.add_argument('--data-root', default='data/toyavis')
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', default='docs/results')
    parser.add_argument(
        '--fps-frames',
        type=int,
        default=60,
        help='val frames to time the online path on (0 to skip)')
    parser.add_argument(
        '--visible-gt',
        help='ground truth of every visible object (default: '
        '<data-root>/val_visible.json when it exists)')
    parser.add_argument('--metafile', default='configs/seavis/metafile.yml')
    return parser.parse_args(argv)


def train_wall_minutes(train_log: str) -> Optional[float]:
    """Minutes between the first and the last training iteration logged."""
    stamps = []
    pattern = re.compile(r'^(\d\d/\d\d \d\d:\d\d:\d\d) - mmengine - INFO - '
                         r'Iter\(train\)')
    if not osp.exists(train_log):
        return None
    with open(train_log) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                stamps.append(datetime.strptime(m.group(1), '%m/%d %H:%M:%S'))
    if len(stamps) < 2:
        return None
    return round((stamps[-1] - stamps[0]).total_seconds() / 60, 1)


def copy_train_log_json(work: str, dst: str) -> Optional[str]:
    """Copy mmengine's scalar log of the training run (the newest one that
    has training losses)."""
    for path in sorted(glob.glob(osp.join(work, '*', 'vis_data', '*.json')),
                       reverse=True):
        with open(path) as f:
            if '"loss"' in f.read():
                shutil.copyfile(path, dst)
                return dst
    return None


def online_fps(config: str, ckpt: str, data_root: str,
               num_frames: int) -> Optional[float]:
    """Frames/s of the online path (``model.predict`` one video at a time,
    so ``predict_frame`` frame by frame) on the val videos, one torch thread
    (two threads on a loaded 2-core machine time the scheduler, see
    docs/benchmarks.md)."""
    if num_frames <= 0:
        return None
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.runner import load_checkpoint

    from seavis_mm.registry import DATASETS, MODELS
    from seavis_mm.utils import register_all_modules

    register_all_modules()
    torch.set_num_threads(1)
    cfg = Config.fromfile(config)
    cfg.test_dataloader.dataset.data_root = data_root.rstrip('/') + '/'
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    model.eval()
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    frames, seconds = 0, 0.0
    with torch.no_grad():
        for i in range(len(dataset)):
            data = pseudo_collate([dataset[i]])
            data = model.data_preprocessor(data, False)
            t0 = time.perf_counter()
            model.predict(**data)
            seconds += time.perf_counter() - t0
            frames += data['inputs']['imgs'].shape[1]
            if frames >= num_frames:
                break
    return round(frames / seconds, 2)


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    from seavis_mm.evaluation import evaluate_avis
    from seavis_mm.evaluation.functional import load_gt, silence_breakdown

    os.makedirs(args.out_dir, exist_ok=True)
    # read once, scored against every run's results
    gt = load_gt(osp.join(args.data_root, 'val.json'))
    visible_path = args.visible_gt or osp.join(args.data_root,
                                               'val_visible.json')
    visible_gt = load_gt(visible_path) if osp.exists(visible_path) else None
    if visible_gt is None:
        print(f'no {visible_path}: no silent-object column')
    rows: List[Dict] = []
    for name, title in ROWS:
        work = osp.join(args.zoo_dir, name)
        results = osp.join(work, 'results.json')
        if not osp.exists(results):
            print(f'skip {name}: no {results}')
            continue
        res = evaluate_avis(gt, results, protocol='strict', per_video=True)
        per_video = {
            str(k): round(v['FSLA'], 2)
            for k, v in res.pop('per_video').items()
        }
        config = f'configs/seavis/{name}.py'
        ckpt = osp.join(work, f'iter_{args.iters}.pth')
        log_json = copy_train_log_json(
            work, osp.join(args.out_dir, f'{name}.log.json'))
        row = dict(
            name=name,
            title=title,
            config=config,
            iters=args.iters,
            seed=args.seed,
            train_minutes=train_wall_minutes(work + '.train.log'),
            fps_cpu=online_fps(config, ckpt, args.data_root,
                               args.fps_frames) if osp.exists(ckpt) else None,
            log_json=log_json,
            per_video_fsla=per_video,
            **{k: round(res[k], 2) for k in KEYS})
        if visible_gt is not None:
            # unrounded: the table rounds once
            row['silence'] = silence_breakdown(gt, visible_gt, results)
        rows.append(row)
        print(name, {k: row[k] for k in KEYS + ('fps_cpu', )})

    with open(osp.join(args.out_dir, 'zoo.json'), 'w') as f:
        json.dump(
            dict(
                protocol='strict',
                data=dict(
                    root=args.data_root,
                    generator='tools/dataset_converters/make_toyavis.py '
                    '--train-videos 80 --val-videos 20 --seed 0'),
                rows=rows),
            f,
            indent=1)
    header = ('| Model | Config | FSLA | HOTA | DetA | AssA | mAP | '
              'FAn / FAs / FAm | silent objects segmented % | '
              'frames/s (CPU, 1 thread) | iters (min) |')
    lines = [header, '|' + ' --- |' * 11]
    for r in rows:
        silent = r.get('silence', {}).get('silent_found')
        fps = r['fps_cpu']
        lines.append(
            f"| {r['title']} | [{r['name']}](./{r['name']}.py) | "
            f"{r['FSLA']:.1f} | {r['HOTA']:.1f} | {r['DetA']:.1f} | "
            f"{r['AssA']:.1f} | {r['mAP']:.1f} | {r['FAn']:.0f} / "
            f"{r['FAs']:.0f} / {r['FAm']:.0f} | "
            f"{'-' if silent is None else f'{silent:.1f}'} | "
            f"{'-' if fps is None else f'{fps:.1f}'} | "
            f"{r['iters']} ({r['train_minutes']}) |")
    with open(osp.join(args.out_dir, 'zoo_table.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    write_metafile(rows, args.metafile)
    return rows


def write_metafile(rows: List[Dict], path: str) -> None:
    """The OpenMMLab model-zoo metafile of the collection."""
    import yaml
    models = []
    for r in rows:
        meta = {
            'Training Data': 'ToyAVIS train (80 videos)',
            'Training Resources': '1 CPU thread',
            'Iterations': r['iters'],
            'Seed': r['seed'],
            'Training Time (min)': r['train_minutes'],
            'Training Log': r['log_json'],
        }
        if r['fps_cpu']:
            meta['inference time (ms/im)'] = [{
                'value': round(1000 / r['fps_cpu'], 1),
                'hardware': 'CPU (1 thread)',
                'backend': 'PyTorch',
                'batch size': 1,
                'mode': 'FP32',
                'resolution': '(128, 128)'
            }]
        metrics = {k: r[k] for k in ('FSLA', 'HOTA', 'DetA', 'AssA', 'mAP')}
        models.append({
            'Name': r['name'],
            'In Collection': 'SeaVIS',
            'Config': r['config'],
            'Metadata': meta,
            'Results': [{
                'Task': 'Audio-Visual Instance Segmentation',
                'Dataset': 'ToyAVIS val',
                'Metrics': metrics
            }],
        })
    for name, backbone, data in PAPER_CONFIGS:
        models.append({
            'Name': name,
            'In Collection': 'SeaVIS',
            'Config': f'configs/seavis/{name}.py',
            'Metadata': {
                'Training Data': data,
                'Training Resources': '8 GPUs',
                'Iterations': 20000,
                'Backbone': backbone,
                'Note': 'paper-scale config, not reproduced here',
            },
        })
    doc = {
        'Collections': [{
            'Name': 'SeaVIS',
            'Metadata': {
                'Architecture': [
                    'Mask2Former', 'VGGish-style audio encoder', 'CCAF',
                    'AGCL', 'sound-aware online tracker'
                ]
            },
            'README': 'configs/seavis/README.md',
        }],
        'Models': models,
    }
    with open(path, 'w') as f:
        f.write('# Written by tools/analysis_tools/collect_zoo.py '
                '(tools/run_zoo.sh).\n')
        yaml.safe_dump(doc, f, sort_keys=False, width=79)
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
