# Copyright (c) seavis_mm contributors. All rights reserved.
"""Turn raw videos (.mp4 / .mkv / ...) into the AVISeg layout.

The videos are read by the stream's own reader (``seavis_mm.media``) and
resampled by the stream's resampler, so a video's wav here and the audio
the demo streams from it are the same signal (to 16-bit rounding).

Writes ``OUT/{split}/WAVAudios/<video>.wav`` (mono, 16 kHz, PCM 16 bit) and,
with ``--frames-fps``, ``OUT/{split}/JPEGImages/<video>/<k:05d>.jpg``: frame
``k`` is the picture shown at time ``k / fps`` (AVISeg: 1 fps), so it pairs
with the audio slice ``[k / fps, (k + 1) / fps)``. ``--write-json`` also
writes ``OUT/{split}.json`` listing the videos (no annotations), enough to
run a model on the videos with ``AVISegDataset(test_mode=True)``.

Example::

    python tools/dataset_converters/extract_audio.py raw_videos/ data/mine \
        --split test --frames-fps 1 --write-json
"""
import argparse
import json
import os
import os.path as osp
from typing import List, Tuple

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

VIDEO_EXTS = ('.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v')


def read_video(video_path: str, fps: float = 1.0, frames: bool = False
               ) -> Tuple[np.ndarray, int, float, List[np.ndarray]]:
    """Decode a video's audio (and the frames at ``k / fps``) through the
    stream's own reader, so the dataset and the stream slice one way.

    Returns:
        tuple: mono float32 audio at the file's rate, from the first video
        frame (audio before it dropped, a late start silence) to the end of
        the last slice plus the stream's ``audio_lookahead`` (the resampler
        needs what follows); that rate; the end of the last slice (s, the
        video's length); and the BGR frame shown at each ``k / fps`` (empty
        unless ``frames``).
    """
    from seavis_mm.apis.inference import OnlineAVISInferencer
    from seavis_mm.media import VideoSliceReader

    reader = VideoSliceReader(
        video_path, fps,
        audio_lookahead=OnlineAVISInferencer.audio_lookahead)
    chunks, images, num = [], [], 0
    for s in reader:
        if s.audio.size:
            chunks.append(s.audio.mean(axis=1))
        if frames:
            images.append(s.image)
        num += 1
    y = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return y.astype(np.float32), reader.sample_rate, num / fps, images


def write_wav(y: np.ndarray, sr_in: int, end: float, wav_path: str,
              video_path: str, sr: int = 16000) -> int:
    """Resample with the stream's resampler, cut at ``end`` seconds and
    write a 16-bit mono wav.

    Returns:
        int: Number of samples written.
    """
    import soundfile as sf

    from seavis_mm.datasets.audio import resample
    y = resample(y, sr_in, sr)[:int(round(end * sr))]
    if not np.isfinite(y).all():
        raise ValueError(f'{video_path!r}: decoded audio holds NaN/inf')
    os.makedirs(osp.dirname(osp.abspath(wav_path)), exist_ok=True)
    sf.write(wav_path, np.clip(y, -1, 1), sr, subtype='PCM_16')
    return len(y)


def extract_wav(video_path: str, wav_path: str, sr: int = 16000) -> int:
    """Decode the first audio stream of ``video_path`` to a mono wav,
    exactly as the stream hears it (the media layer's slicing, downmix and
    resampler; aligned to the video's start).

    Returns:
        int: Number of samples written.
    """
    y, sr_in, end, _ = read_video(video_path)
    return write_wav(y, sr_in, end, wav_path, video_path, sr)


def write_frames(images: List[np.ndarray], frame_dir: str) -> List[str]:
    """Write frames as ``<k:05d>.jpg``; returns the file names."""
    import cv2

    os.makedirs(frame_dir, exist_ok=True)
    names = []
    for k, img in enumerate(images):
        name = f'{k:05d}.jpg'
        cv2.imwrite(osp.join(frame_dir, name), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        names.append(name)
    return names


def extract_frames(video_path: str, frame_dir: str, fps: float) -> List[str]:
    """Write the frame shown at each ``k / fps`` as ``<k:05d>.jpg`` (the
    stream's processed frames).

    Returns:
        list[str]: The written file names (relative to ``frame_dir``).
    """
    _, _, _, images = read_video(video_path, fps, frames=True)
    if not images:
        raise ValueError(f'{video_path!r}: no video frames decoded')
    return write_frames(images, frame_dir)


def find_videos(path: str) -> List[str]:
    if osp.isfile(path):
        return [path]
    found = []
    for root, _, files in os.walk(path):
        found += [
            osp.join(root, f) for f in files if f.lower().endswith(VIDEO_EXTS)
        ]
    return sorted(found)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('videos', help='a video file or a folder of videos')
    parser.add_argument('out', help='dataset root to write into')
    parser.add_argument('--split', default='train')
    parser.add_argument('--sr', type=int, default=16000)
    parser.add_argument('--frames-fps',
                        type=float,
                        default=None,
                        help='also write frames at this rate (AVISeg: 1)')
    parser.add_argument(
        '--write-json',
        action='store_true',
        help='write OUT/{split}.json listing the videos (needs '
        '--frames-fps)')
    parser.add_argument(
        '--classes',
        default='aviseg',
        choices=['aviseg', 'toyavis'],
        help='categories written to the json (what the model was trained on)')
    parser.add_argument('--force',
                        action='store_true',
                        help='overwrite an existing json')
    args = parser.parse_args(argv)

    videos = find_videos(args.videos)
    if not videos:
        raise SystemExit(f'no videos ({", ".join(VIDEO_EXTS)}) under '
                         f'{args.videos!r}')
    if args.write_json and args.frames_fps is None:
        raise SystemExit('--write-json needs --frames-fps')
    json_path = osp.join(args.out, f'{args.split}.json')
    if args.write_json and osp.exists(json_path) and not args.force:
        raise SystemExit(f'{json_path!r} exists; pass --force to overwrite')
    entries = []
    progress = ProgressBar(len(videos))
    for i, path in enumerate(videos):
        name = osp.splitext(osp.basename(path))[0]
        wav = osp.join(args.out, args.split, 'WAVAudios', name + '.wav')
        y, sr_in, end, images = read_video(path, args.frames_fps or 1.0,
                                           frames=bool(args.frames_fps))
        n = write_wav(y, sr_in, end, wav, path, args.sr)
        msg = f'{name}: {n / args.sr:.2f} s of audio -> {wav}'
        if args.frames_fps:
            if not images:
                raise ValueError(f'{path!r}: no video frames decoded')
            fdir = osp.join(args.out, args.split, 'JPEGImages', name)
            names = write_frames(images, fdir)
            msg += f', {len(names)} frames -> {fdir}'
            h, w = images[0].shape[:2]
            entries.append(
                dict(id=i + 1,
                     file_names=[f'{name}/{n}' for n in names],
                     length=len(names),
                     height=h,
                     width=w))
        print_log(msg, logger='current')
        progress.update()
    if args.write_json:
        from seavis_mm.datasets import AVISEG_CLASSES, TOYAVIS_CLASSES
        classes = dict(aviseg=AVISEG_CLASSES,
                       toyavis=TOYAVIS_CLASSES)[args.classes]
        cats = [dict(id=i + 1, name=c) for i, c in enumerate(classes)]
        with open(json_path, 'w') as f:
            json.dump(dict(videos=entries, annotations=[], categories=cats), f)
        print_log(f'wrote {json_path} ({len(entries)} videos)',
                  logger='current')


if __name__ == '__main__':
    main()
