# Copyright (c) seavis_mm contributors. All rights reserved.
"""Test helpers for the streaming API: a tiny deterministic model, its
config, and small videos with sound written with PyAV.

The fake model stands in for SeaVIS until the real one lands. It has the
same interface (``predict`` loops over frames through ``predict_frame``,
state reset at ``frame_id == 0``) and its output depends on the image, the
frame's audio patch and the stream state, so the tests notice when the
streaming path feeds it something different from the dataset path.
"""
import os.path as osp
import time
from fractions import Fraction
from typing import Optional

import av
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.structures import InstanceData

from seavis_mm.registry import MODELS

CLASSES = ('bell', 'drum', 'flute', 'siren', 'buzzer')


@MODELS.register_module(name='StreamTestAVISModel', force=True)
class StreamTestAVISModel(BaseModel):
    """Deterministic stand-in: one instance per frame, the pixels brighter
    than the frame's mean; its score and sound score come from the audio
    patch; its label and id from a per-stream frame counter."""

    def __init__(self,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        # something for a checkpoint to hold
        self.gain = torch.nn.Parameter(torch.ones(1))
        self.counter = 0
        self.calls = 0
        # (frame_id, patch) of every frame whose audio reached the model,
        # processed (predict_frame) or dropped (observe_audio), in order
        self.audio_seen = []
        self.delay = 0.0  # seconds predict_frame sleeps (a slow model)
        self._next_frame = 0

    def forward(self, inputs, data_samples=None, mode: str = 'predict'):
        if mode != 'predict':
            raise NotImplementedError(mode)
        return self.predict(inputs, data_samples)

    def predict(self, inputs: dict, data_samples: list) -> list:
        imgs, audio = inputs['imgs'][0], inputs['audio'][0]
        track = data_samples[0]
        for t in range(len(track)):
            track[t].pred_track_instances = self.predict_frame(
                imgs[t:t + 1], audio[t:t + 1], track[t])
        return [track]

    def reset_stream(self) -> None:
        self.counter = 0
        self.audio_seen = []
        self._next_frame = 0

    def observe_audio(self, audio) -> None:
        """A dropped frame's audio patch ``[1, 1, 96, 64]`` (the history;
        as SeaVIS.observe_audio, no visual work)."""
        self.audio_seen.append((self._next_frame, audio[0, 0].numpy().copy()))
        self._next_frame += 1

    def predict_frame(self, img, audio, data_sample) -> InstanceData:
        meta = data_sample.metainfo
        if meta['frame_id'] == 0:
            self.counter = 0
            self.audio_seen = []
        self.calls += 1
        self.audio_seen.append((meta['frame_id'], audio[0, 0].numpy().copy()))
        self._next_frame = meta['frame_id'] + 1
        if self.delay:
            time.sleep(self.delay)
        h, w = meta['img_shape'][:2]
        oh, ow = meta['ori_shape'][:2]
        gray = img[0, :, :h, :w].float().mean(0)
        small = (gray > gray.mean()).float()
        mask = F.interpolate(
            small[None, None], size=(oh, ow), mode='nearest')[0, 0].bool()
        energy = audio.float().mean() * self.gain
        inst = InstanceData()
        inst.masks = mask[None]
        inst.labels = torch.tensor([self.counter % len(CLASSES)])
        inst.scores = torch.sigmoid(energy / 10).reshape(1).detach()
        inst.instances_id = torch.tensor([self.counter // 2])
        inst.sound_scores = audio[0, 0, -8:].float().mean().reshape(1)
        self.counter += 1
        return inst


def fake_config(data_root: str = 'data/toyavis/', fps: float = 1) -> Config:
    """A config in the shape of configs/_base_/datasets/toyavis.py with the
    fake model."""
    test_pipeline = [
        dict(
            type='TransformBroadcaster',
            transforms=[
                dict(type='LoadImageFromFile', backend_args=None),
                dict(type='Resize', scale=(64, 64), keep_ratio=True),
                dict(type='LoadTrackAnnotations', with_mask=True),
            ]),
        dict(type='LoadAudioWindows'),
        dict(type='PackAVISInputs')
    ]
    return Config(
        dict(
            default_scope='seavis_mm',
            custom_imports=dict(
                imports=['stream_fakes'], allow_failed_imports=False),
            fps=fps,
            model=dict(
                type='StreamTestAVISModel',
                data_preprocessor=dict(
                    type='AVISDataPreprocessor',
                    mean=[0.0, 0.0, 0.0],
                    std=[1.0, 1.0, 1.0],
                    bgr_to_rgb=False,
                    pad_size_divisor=8)),
            test_dataloader=dict(
                batch_size=1,
                sampler=dict(type='DefaultSampler', shuffle=False),
                dataset=dict(
                    type='AVISegDataset',
                    data_root=data_root,
                    metainfo=dict(classes=CLASSES),
                    ann_file='val.json',
                    data_prefix=dict(
                        img_path='val/JPEGImages/',
                        audio_path='val/WAVAudios/',
                        feat_path='val/FEATAudios/'),
                    fps=fps,
                    audio_source='wav',
                    test_mode=True,
                    pipeline=test_pipeline))))


def write_config(path: str, **kwargs) -> str:
    fake_config(**kwargs).dump(path)
    return path


def write_checkpoint(path: str, classes=CLASSES, cat_ids=None) -> str:
    """A checkpoint the way mmengine's runner saves one (meta with the
    dataset's classes)."""
    meta = dict(dataset_meta=dict(classes=tuple(classes)))
    if cat_ids is not None:
        meta['dataset_meta']['cat_ids'] = list(cat_ids)
    torch.save(dict(meta=meta, state_dict={'gain': torch.ones(1)}), path)
    return path


def frame_level(index: int) -> int:
    """Grey level that encodes an input frame's index (survives lossy
    coding)."""
    return 20 + (index * 7) % 200


def slice_amplitude(second: int) -> float:
    return 0.05 + 0.1 * (second % 5)


def write_test_mp4(path: str,
                   seconds: float = 3.0,
                   fps: int = 10,
                   size=(48, 64),
                   sample_rate: int = 44100,
                   channels: int = 2,
                   with_audio: bool = True,
                   audio_codec: str = 'aac',
                   audio_seconds: Optional[float] = None) -> str:
    """A small mp4: a bright square moving over a grey background whose
    level encodes the frame index, and a 440 Hz tone whose amplitude steps
    every second (``slice_amplitude``), ``audio_seconds`` long (default:
    as long as the video)."""
    h, w = size
    n = int(round(seconds * fps))
    codec = 'libx264' if 'libx264' in av.codecs_available else 'mpeg4'
    with av.open(path, 'w') as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, 'yuv420p'
        if codec == 'libx264':
            vs.options = {'crf': '10'}
        if with_audio:
            a = out.add_stream(audio_codec, rate=sample_rate)
            a.layout = 'stereo' if channels == 2 else 'mono'
        for i in range(n):
            img = np.full((h, w, 3), frame_level(i), np.uint8)
            x = (i * 3) % (w - 16)
            img[8:24, x:x + 16] = 250
            f = av.VideoFrame.from_ndarray(img, format='bgr24')
            f.pts = i
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
        if with_audio:
            total = int(round((audio_seconds or seconds) * sample_rate))
            t = np.arange(total) / sample_rate
            amp = np.array([slice_amplitude(int(s)) for s in t])
            y = (amp * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            data = np.stack([y] * channels)
            for s0 in range(0, total, 1024):
                chunk = np.ascontiguousarray(data[:, s0:s0 + 1024])
                af = av.AudioFrame.from_ndarray(
                    chunk, format='fltp', layout=a.layout.name)
                af.sample_rate = sample_rate
                af.pts = s0
                af.time_base = Fraction(1, sample_rate)
                for p in a.encode(af):
                    out.mux(p)
            for p in a.encode(None):
                out.mux(p)
    return path


def remux(src: str, dst: str, options: Optional[dict] = None) -> str:
    """The same packets in another container (or with muxer ``options``,
    e.g. ``movflags=faststart``)."""
    with av.open(src) as i, av.open(dst, 'w', options=options or {}) as o:
        add = getattr(o, 'add_stream_from_template', None)
        streams = {
            s.index: add(s) if add else o.add_stream(template=s)
            for s in i.streams
        }
        for pk in i.demux():
            if pk.dts is None:
                continue
            pk.stream = streams[pk.stream.index]
            o.mux(pk)
    return dst


def stream_info(path: str) -> dict:
    """Streams of a media file, as PyAV sees them (for assertions)."""
    with av.open(path) as c:
        info = dict(video=None, audio=None)
        if c.streams.video:
            v = c.streams.video[0]
            frames = sum(1 for _ in c.decode(video=0))
            info['video'] = dict(
                codec=v.codec_context.name, frames=frames,
                width=v.codec_context.width, height=v.codec_context.height,
                rate=float(v.average_rate))
        with av.open(path) as c2:
            if c2.streams.audio:
                a = c2.streams.audio[0]
                samples = sum(f.samples for f in c2.decode(audio=0))
                info['audio'] = dict(
                    codec=a.codec_context.name,
                    sample_rate=a.codec_context.sample_rate,
                    duration=samples / a.codec_context.sample_rate)
        return info


HERE = osp.dirname(osp.abspath(__file__))
