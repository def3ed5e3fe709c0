# Copyright (c) seavis_mm contributors. All rights reserved.
"""A tiny SeaVIS built from the real ToyAVIS config, and synthetic clips."""
import os.path as osp

import numpy as np
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.structures import InstanceData

from seavis_mm.registry import MODELS

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'seavis')


def shrink_head(cfg: Config) -> Config:
    """``cfg`` with the tiny head sizes of :func:`tiny_cfg`."""
    head = cfg.model.track_head
    head.num_queries = 6
    head.train_cfg.num_points = 64
    head.transformer_decoder.num_layers = 1
    head.pixel_decoder.encoder.num_layers = 1
    return cfg


def tiny_cfg(name: str = 'seavis_r18_toyavis.py') -> Config:
    return shrink_head(Config.fromfile(osp.join(CONFIG_DIR, name)))


def build_tiny(name: str = 'seavis_r18_toyavis.py'):
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(name).model)
    model.init_weights()
    return model


def build_with_head_option(name: str, attr: str):
    """:func:`build_tiny` of config ``name``, checking that its head has the
    part ``attr`` and that the default config's head does not (the option
    is off by default)."""
    model = build_tiny(name)
    assert getattr(model.track_head, attr) is not None
    assert getattr(build_tiny().track_head, attr) is None
    return model


def loss_backward(model, **batch_kwargs) -> dict:
    """One training forward of ``model`` on :func:`synthetic_batch` (with
    ``batch_kwargs``) and the backward of the summed losses; returns the
    losses."""
    model.train()
    data = model.data_preprocessor(synthetic_batch(**batch_kwargs),
                                   training=True)
    losses = model.loss(**data)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    return losses


def synthetic_batch(num_clips=2, clip_len=3, size=64, seed=0,
                    start_frame=0, labels=(1, 3), visible=False):
    """``data`` as the dataloader gives it: uint8 frames, log-mel patches
    and TrackDataSamples with per-frame sounding ground truth (two
    instances of classes ``labels``). ``visible``: both instances in every
    frame, with ``gt_instances.sounding`` saying which sounds (as
    ``AVISegDataset(sounding_ann_file=...)`` gives it)."""
    rng = np.random.RandomState(seed)
    inputs, samples = [], []
    for n in range(num_clips):
        imgs = torch.from_numpy(
            rng.randint(0, 255, (clip_len, 3, size, size)).astype(np.uint8))
        audio = torch.from_numpy(
            rng.randn(clip_len, 1, 96, 64).astype(np.float32))
        frames = []
        for t in range(clip_len):
            det = DetDataSample()
            masks = np.zeros((2, size, size), np.uint8)
            masks[0, 5:25, 5:25] = 1
            masks[1, 30:60, 30:50] = 1
            # instance 11 sounds every frame, instance 12 only at even t
            keep = [0] if t % 2 and not visible else [0, 1]
            det.gt_instances = InstanceData(
                labels=torch.tensor(labels)[keep],
                masks=BitmapMasks(masks[keep], size, size),
                instances_ids=torch.tensor([11, 12])[keep],
                bboxes=torch.tensor([[5., 5., 25., 25.],
                                     [30., 30., 50., 60.]])[keep])
            if visible:
                det.gt_instances.sounding = torch.tensor([True, t % 2 == 0])
            det.set_metainfo(
                dict(img_shape=(size, size), ori_shape=(size, size),
                     frame_id=start_frame + t, video_id=n, img_id=t,
                     scale_factor=(1., 1.)))
            frames.append(det)
        track = TrackDataSample()
        track.video_data_samples = frames
        inputs.append(dict(imgs=imgs, audio=audio))
        samples.append(track)
    # what the dataloader's pseudo_collate makes of PackAVISInputs' output
    return pseudo_collate([
        dict(inputs=x, data_samples=s) for x, s in zip(inputs, samples)
    ])
