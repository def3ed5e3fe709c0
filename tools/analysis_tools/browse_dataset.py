# Copyright (c) seavis_mm contributors. All rights reserved.
"""Look at an AVISeg-layout dataset: frames with the sounding instances'
masks overlaid and each frame's log-mel patch as a strip under it.

One PNG per video. Either point at a dataset root::

    python tools/analysis_tools/browse_dataset.py data/toyavis --split val \
        --classes toyavis --videos 2 --output-dir outputs/browse

or take the dataset of a config (its pipeline is not used), as mmdet's
browse_dataset does::

    python tools/analysis_tools/browse_dataset.py CFG --phase val

The instances are drawn by ``SeaVISLocalVisualizer``, the drawing of the
demo and of ``tools/test.py --show-dir``.
"""
import argparse
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np
import pycocotools.mask as mask_utils
import torch
from mmengine.logging import print_log
from mmengine.structures import InstanceData

from seavis_mm.datasets.audio import SILENCE_LOGMEL
from seavis_mm.visualization import SeaVISLocalVisualizer


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


def frame_instances(frame: dict) -> InstanceData:
    """The ground truth of one frame of the data list as ``InstanceData``
    (masks, labels, instances_ids), what the visualizer draws."""
    inst = InstanceData()
    h, w = frame['height'], frame['width']
    masks = [mask_utils.decode(i['mask']).astype(bool)
             for i in frame['instances']]
    inst.masks = torch.from_numpy(
        np.stack(masks) if masks else np.zeros((0, h, w), bool))
    inst.labels = torch.tensor([i['bbox_label'] for i in frame['instances']],
                               dtype=torch.long)
    inst.instances_ids = torch.tensor(
        [i['instance_id'] for i in frame['instances']], dtype=torch.long)
    return inst


def draw_frame(frame: dict, visualizer: SeaVISLocalVisualizer,
               scale: int) -> np.ndarray:
    img = cv2.imread(frame['img_path'], cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'cannot read frame {frame["img_path"]!r}')
    if scale != 1:
        img = cv2.resize(img, None, fx=scale, fy=scale,
                         interpolation=cv2.INTER_NEAREST)
    inst = frame_instances(frame)
    overlay = visualizer.draw_instances(img, inst, channel_order='bgr')
    head = f"t={frame['frame_id']}" + ('' if len(inst) else
                                       ' (no sound source)')
    cv2.putText(overlay, head, (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (255, 255, 255), 1, cv2.LINE_AA)
    return overlay


def render_video(dataset, idx: int, max_frames: int, per_row: int,
                 scale: Optional[int]) -> np.ndarray:
    from seavis_mm.datasets.transforms import LoadAudioWindows
    info = dataset.get_data_info(idx)
    frames = info['images'][:max_frames]
    visualizer = SeaVISLocalVisualizer(name='browse_dataset')
    visualizer.dataset_meta = dict(classes=dataset.metainfo['classes'])
    if scale is None:
        scale = max(1, 256 // max(frames[0]['width'], 1))
    loader = LoadAudioWindows()
    tiles: List[np.ndarray] = []
    for f in frames:
        img = draw_frame(f, visualizer, scale)
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
    parser.add_argument(
        'data_root',
        nargs='?',
        default=None,
        help='a dataset root, or a config file (.py) whose dataset to show')
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
    parser.add_argument(
        '--output-dir', '--out-dir', dest='out_dir', default='outputs/browse')
    args = parser.parse_args(argv)
    if args.data_root and args.data_root.endswith('.py'):
        args.config, args.data_root = args.data_root, None

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
        print_log(path, logger='current')
    return written


if __name__ == '__main__':
    main()
