# Copyright (c) seavis_mm contributors. All rights reserved.
"""Look at an AVISeg-layout dataset: frames with the sounding instances'
masks overlaid and each frame's log-mel patch as a strip under it.

One PNG per video. Either point at a dataset root::

    python tools/analysis_tools/browse_dataset.py data/toyavis --split val \
        --classes toyavis --videos 2 --out-dir outputs/browse

or take the dataset of a config (its pipeline is not used)::

    python tools/analysis_tools/browse_dataset.py --config CFG --phase val
"""
import argparse
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np
import pycocotools.mask as mask_utils

from seavis_mm.datasets.audio import SILENCE_LOGMEL

PALETTE = np.array([(255, 56, 56), (50, 205, 50), (30, 144, 255),
                    (255, 165, 0), (186, 85, 211), (0, 206, 209),
                    (255, 20, 147), (154, 205, 50), (255, 215, 0),
                    (106, 90, 205)], np.uint8)[:, ::-1]  # BGR


def build_dataset(args):
    from mmengine.config import Config

    from seavis_mm.registry import DATASETS
    from seavis_mm.utils import register_all_modules
    register_all_modules()
    if args.config:
        cfg = Config.fromfile(args.config)
        ds_cfg = cfg[f'{args.phase}_dataloader'].dataset
        while 'dataset' in ds_cfg:  # unwrap RepeatDataset & co
            ds_cfg = ds_cfg.dataset
    else:
        if args.data_root is None:
            raise SystemExit('give a DATA_ROOT or --config')
        from seavis_mm.datasets import AVISEG_CLASSES, TOYAVIS_CLASSES
        classes = dict(toyavis=TOYAVIS_CLASSES,
                       aviseg=AVISEG_CLASSES)[args.classes]
        s = args.split
        ds_cfg = dict(type='AVISegDataset',
                      data_root=args.data_root,
                      ann_file=f'{s}.json',
                      data_prefix=dict(img_path=f'{s}/JPEGImages/',
                                       audio_path=f'{s}/WAVAudios/',
                                       feat_path=f'{s}/FEATAudios/'),
                      metainfo=dict(classes=classes))
    ds_cfg = dict(ds_cfg)
    ds_cfg.update(pipeline=[], test_mode=True)
    return DATASETS.build(ds_cfg)


def spectrogram_strip(patch: np.ndarray, width: int,
                      height: int) -> np.ndarray:
    """Log-mel patch ``(frames, 64)`` as a colour image, time left to right,
    low frequencies at the bottom."""
    img = patch.T[::-1]
    lo, hi = SILENCE_LOGMEL, max(SILENCE_LOGMEL + 1.0, 3.0)
    img = np.clip((img - lo) / (hi - lo), 0, 1)
    img = cv2.applyColorMap((img * 255).astype(np.uint8), cv2.COLORMAP_VIRIDIS)
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_NEAREST)


def draw_frame(frame: dict, classes, scale: int) -> np.ndarray:
    img = cv2.imread(frame['img_path'], cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'cannot read frame {frame["img_path"]!r}')
    overlay = img.copy()
    labels = []
    for inst in frame['instances']:
        m = mask_utils.decode(inst['mask']).astype(bool)
        colour = PALETTE[inst['instance_id'] % len(PALETTE)]
        overlay[m] = (0.45 * overlay[m] + 0.55 * colour).astype(np.uint8)
        labels.append((m, colour, f"{classes[inst['bbox_label']]}"
                       f"#{inst['instance_id']}"))
    if scale != 1:
        overlay = cv2.resize(overlay,
                             None,
                             fx=scale,
                             fy=scale,
                             interpolation=cv2.INTER_NEAREST)
    for m, colour, text in labels:
        m_s = cv2.resize(m.astype(np.uint8),
                         overlay.shape[1::-1],
                         interpolation=cv2.INTER_NEAREST)
        contours, _ = cv2.findContours(m_s, cv2.RETR_EXTERNAL,
                                       cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(overlay, contours, -1, colour.tolist(), 1)
        ys, xs = np.nonzero(m_s)
        cv2.putText(overlay, text, (int(xs.min()), max(10,
                                                       int(ys.min()) - 2)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1,
                    cv2.LINE_AA)
    head = f"t={frame['frame_id']}" + ('' if labels else ' (no sound source)')
    cv2.putText(overlay, head, (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (255, 255, 255), 1, cv2.LINE_AA)
    return overlay


def render_video(dataset, idx: int, max_frames: int, per_row: int,
                 scale: Optional[int]) -> np.ndarray:
    from seavis_mm.datasets.transforms import LoadAudioWindows
    info = dataset.get_data_info(idx)
    frames = info['images'][:max_frames]
    classes = dataset.metainfo['classes']
    if scale is None:
        scale = max(1, 256 // max(frames[0]['width'], 1))
    loader = LoadAudioWindows()
    tiles: List[np.ndarray] = []
    for f in frames:
        img = draw_frame(f, classes, scale)
        res = dict(f, video_length=info['video_length'])
        patch = loader(res)['audio'][0]
        strip = spectrogram_strip(patch, img.shape[1],
                                  max(48, img.shape[0] // 3))
        tiles.append(
            np.vstack(
                [img, np.full((2, img.shape[1], 3), 255, np.uint8), strip]))
    h, w = tiles[0].shape[:2]
    rows = [tiles[i:i + per_row] for i in range(0, len(tiles), per_row)]
    pad = np.full((h, 4, 3), 255, np.uint8)
    lines = []
    for row in rows:
        row = row + [np.full_like(tiles[0], 255)] * (per_row - len(row))
        lines.append(np.hstack([x for t in row for x in (t, pad)]))
        lines.append(np.full((6, lines[-1].shape[1], 3), 255, np.uint8))
    return np.vstack(lines)


def main(argv=None) -> List[str]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', nargs='?', default=None)
    parser.add_argument('--config', default=None)
    parser.add_argument('--phase',
                        default='train',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--split', default='val')
    parser.add_argument('--classes',
                        default='toyavis',
                        choices=['toyavis', 'aviseg'])
    parser.add_argument('--videos', type=int, default=2)
    parser.add_argument('--max-frames', type=int, default=8)
    parser.add_argument('--per-row', type=int, default=4)
    parser.add_argument('--scale', type=int, default=None)
    parser.add_argument('--out-dir', default='outputs/browse')
    args = parser.parse_args(argv)

    dataset = build_dataset(args)
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for idx in range(min(args.videos, len(dataset))):
        canvas = render_video(dataset, idx, args.max_frames, args.per_row,
                              args.scale)
        name = dataset.get_data_info(idx)['images'][0]['video_name']
        path = osp.join(args.out_dir, f'{name}.png')
        cv2.imwrite(path, canvas)
        written.append(path)
        print(path)
    return written


if __name__ == '__main__':
    main()
