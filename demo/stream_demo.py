# Copyright (c) seavis_mm contributors. All rights reserved.
"""Stream a video with sound through SeaVIS and write the overlay video.

The model runs at its config's ``fps`` (1 for AVISeg / ToyAVIS; ``--fps``
raises it): processed frame ``k`` is the input frame at ``k / fps`` with the
audio slice ``[k / fps, (k + 1) / fps)``. Its masks, class names, track ids
and a sounding indicator are drawn on every input frame of that slice; the
output keeps the input's frame rate and its original audio (copied as is
when the codec fits an .mp4, else re-encoded to AAC).

Examples::

    python demo/stream_demo.py clip.mp4 configs/seavis/seavis_r18_toyavis.py \\
        ckpt.pth --out clip_seg.mp4 --show-timeline clip_timeline.png \\
        --out-dir clip_results
    # a folder of frames (AVISeg layout) and its wav
    python demo/stream_demo.py data/toyavis/val/JPEGImages/val_00000 \\
        CONFIG CKPT --audio data/toyavis/val/WAVAudios/val_00000.wav \\
        --out val_00000.mp4

``--out-dir DIR`` writes ``DIR/results.json`` (AVISM's results format, one
RLE per processed frame: the file the evaluator reads) and
``DIR/instance_ids/%05d.png`` (uint16: track id + 1, 0 = background).

Bad inputs (docs/reliability.md): a video without audio stops with an error
unless ``--allow-silent`` (then it runs on silence and says so); a file that
can not be read stops with a one-line error naming it (exit status 1);
damaged packets and timestamp gaps are bridged and reported once; frames of
another size than the first are resized to it (one warning), so the overlay
video, results.json and the id maps keep one size; NaN / inf audio samples
are zeroed (one warning).
"""
import argparse
import os
import os.path as osp
import sys
import warnings
from typing import Dict, List, Optional, Tuple

import cv2

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from seavis_mm.apis import (AVWriter, OnlineAVISInferencer, OverlayPainter,
                            StreamResults, instance_id_map, open_slice_reader,
                            plot_timeline, write_instance_png)
from seavis_mm.apis.inference import model_fps
from seavis_mm.apis.video_io import MP4_COPY_AUDIO_CODECS, VideoSliceReader
from seavis_mm.apis.visualization import draw_stream_status
from seavis_mm.deployment import BACKENDS


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Stream a video with sound through SeaVIS.')
    parser.add_argument('video', help='video file with an audio stream, or '
                        'a folder of frames (with --audio)')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='output video (.mp4) with the overlay')
    parser.add_argument('--audio', help='audio file for a frame folder')
    parser.add_argument(
        '--fps', type=float, help='processed frames per second (default: '
        "the config's, the rate the model was trained at)")
    parser.add_argument(
        '--input-fps', type=float,
        help="frame rate of a frame folder (default: the config's fps, "
        'as AVISeg frames are at the rate the model was trained at)')
    parser.add_argument('--show-timeline', metavar='PNG',
                        help='plot of which track sounds when, over the '
                        'spectrogram')
    parser.add_argument('--out-dir', help='write results.json (AVISM format)'
                        ' and instance_ids/%%05d.png here')
    parser.add_argument('--allow-silent', action='store_true',
                        help='run a video without audio on silence')
    parser.add_argument('--device', default='cpu', help='torch device')
    parser.add_argument(
        '--backend', default='pytorch', choices=BACKENDS,
        help='what runs the per-frame network (docs/benchmarks.md: speed '
        'and agreement of each); default: %(default)s')
    parser.add_argument(
        '--blas-threads', type=int, default=1,
        help="numpy's BLAS threads (log-mel front end); 0 leaves them alone "
        '(default: %(default)s: spinning BLAS threads slow torch down)')
    parser.add_argument('--video-id', type=int, default=0,
                        help='video_id written to results.json')
    args = parser.parse_args(argv)
    if not (args.out or args.out_dir or args.show_timeline):
        parser.error('nothing to write: give --out, --out-dir and/or '
                     '--show-timeline')
    return args


def _open_writer(args, reader, first_image: np.ndarray) -> AVWriter:
    h, w = first_image.shape[:2]
    info = reader.info
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    if info.audio is None:
        return AVWriter(args.out, w, h, info.rate)
    if isinstance(reader, VideoSliceReader) and \
            info.audio.codec in MP4_COPY_AUDIO_CODECS:
        # the original audio packets, bit for bit
        return AVWriter(args.out, w, h, info.rate,
                        copy_audio_from=reader.path,
                        audio_time_offset=info.start_time)
    return AVWriter(args.out, w, h, info.rate,
                    audio_rate=info.audio.sample_rate,
                    audio_channels=min(info.audio.channels, 2))


class FrameResizedWarning(UserWarning):
    """Input frames changed size; the demo resizes them to the first."""


class _FrameSizer:
    """Keeps every frame of a stream at the first frame's size (the overlay
    video, results.json and the id maps have one size), warning once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.size: Optional[Tuple[int, int]] = None
        self.num_resized = 0

    def __call__(self, img: np.ndarray) -> np.ndarray:
        if self.size is None:
            self.size = img.shape[:2]
        if img.shape[:2] == self.size:
            return img
        if self.num_resized == 0:
            warnings.warn(
                f'{self.source}: a frame of {img.shape[1]}x{img.shape[0]} '
                f'in a stream that started at {self.size[1]}x{self.size[0]};'
                ' such frames are resized to the first size',
                FrameResizedWarning)
        self.num_resized += 1
        h, w = self.size
        return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)


def _finite(audio: np.ndarray) -> np.ndarray:
    """NaN / inf samples as 0 for the writer and the timeline (the
    inferencer zeroes them too, and warns)."""
    if audio.size and not np.isfinite(audio).all():
        return np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    return audio


def _stereo_or_mono(audio: np.ndarray) -> np.ndarray:
    """AAC here is mono or stereo: fold more channels down to two."""
    if audio.shape[1] <= 2:
        return audio
    return np.stack([audio[:, 0::2].mean(1), audio[:, 1::2].mean(1)], 1)


def run(args: argparse.Namespace) -> Dict[str, object]:
    inferencer = OnlineAVISInferencer(
        args.config,
        args.checkpoint,
        device=args.device,
        backend=args.backend,
        fps=args.fps,
        blas_threads=args.blas_threads or None)
    reader = open_slice_reader(
        args.video,
        inferencer.fps,
        audio_path=args.audio,
        input_fps=args.input_fps or model_fps(inferencer.cfg),
        allow_silent=args.allow_silent,
        keep_frames=bool(args.out),
        audio_lookahead=inferencer.audio_lookahead)
    print_log(
        f'{args.video}: {reader.info.width}x{reader.info.height} at '
        f'{float(reader.info.rate):g} fps, audio: '
        f'{reader.info.audio or "none (running on silence: --allow-silent)"}'
        f'; processing at {inferencer.fps:g} fps', logger='current')

    # the sounding indicator follows the tracker's gate when there is one
    tracker = getattr(inferencer.model, 'tracker', None)
    painter = OverlayPainter(sound_thr=getattr(tracker, 'sound_thr', None))
    writer = None
    results = None
    mono_audio: List[np.ndarray] = []
    id_dir = osp.join(args.out_dir, 'instance_ids') if args.out_dir else None
    encode_audio = False
    progress = ProgressBar(len(reader)) if len(reader) else None
    sizer = _FrameSizer(args.video)
    inferencer.reset()
    num = 0
    try:
        for s in reader:
            s.image = sizer(s.image)
            s.frames = [(t, sizer(img)) for t, img in s.frames]
            inst = inferencer.step(
                s.image, s.audio, s.sample_rate, audio_end=s.audio_end)
            h, w = s.image.shape[:2]
            if results is None:
                results = StreamResults(h, w, inferencer.cat_ids)
            results.add(s.index, inst)
            if args.show_timeline:
                mono_audio.append(
                    _finite(s.audio).mean(axis=1) if s.audio.size else
                    np.zeros(0, np.float32))
            if id_dir:
                write_instance_png(
                    osp.join(id_dir, f'{s.index:05d}.png'),
                    instance_id_map(inst, h, w))
            if args.out:
                if writer is None:
                    writer = _open_writer(args, reader, s.image)
                    encode_audio = writer.encodes_audio
                painter.set_instances(inst)
                for _, img in s.frames:
                    drawn = painter.draw(img)
                    draw_stream_status(drawn, s.time, len(inst))
                    writer.write_frame(drawn)
                if encode_audio and len(s.audio):
                    writer.write_audio(_stereo_or_mono(_finite(s.audio)))
            num += 1
            if progress is not None:
                progress.update()
    finally:
        if writer is not None:
            writer.close()
    sys.stdout.write('\n')
    if num == 0:
        raise ValueError(f'{args.video}: no frames could be read')

    outputs: Dict[str, object] = dict(num_frames=num)
    if args.out:
        outputs['out'] = args.out
        print_log(f'overlay video written to {args.out}', logger='current')
    if args.out_dir:
        path = results.write_json(
            osp.join(args.out_dir, 'results.json'), args.video_id)
        outputs['results'] = path
        print_log(
            f'{len(results.tracks)} tracks written to {path} and '
            f'{num} id maps to {id_dir}', logger='current')
    if args.show_timeline:
        audio = np.concatenate(mono_audio) if mono_audio else np.zeros(0)
        names = {
            tid: inferencer.class_name(results.track_label(tid))
            for tid in results.tracks
        }
        plot_timeline(
            args.show_timeline,
            audio,
            reader.sample_rate if hasattr(reader, 'sample_rate') else 16000,
            inferencer.fps,
            num, {tid: t['frames']
                  for tid, t in results.tracks.items()},
            names,
            title=osp.basename(args.video))
        outputs['timeline'] = args.show_timeline
        print_log(f'timeline written to {args.show_timeline}',
                  logger='current')
    return outputs


def main(argv=None) -> None:
    run(parse_args(argv))


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as e:
        # unusable input: one line naming the file, not a traceback
        sys.exit(f'stream_demo: error: {type(e).__name__}: {e}')
