# Copyright (c) seavis_mm contributors. All rights reserved.
"""Turn raw videos (.mp4 / .mkv / ...) into the AVISeg layout with PyAV.

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
from typing import List

import numpy as np

VIDEO_EXTS = ('.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v')


def _stream_start(stream) -> float:
    if stream.start_time is None or stream.time_base is None:
        return 0.0
    return float(stream.start_time * stream.time_base)


def extract_wav(video_path: str, wav_path: str, sr: int = 16000) -> int:
    """Decode the first audio stream of ``video_path`` to a mono wav.

    The audio is aligned to the video's start: audio that starts later is
    preceded by silence, audio that starts earlier is trimmed.

    Returns:
        int: Number of samples written.
    """
    import av
    import soundfile as sf

    with av.open(video_path) as container:
        if not container.streams.audio:
            raise ValueError(f'{video_path!r} has no audio stream')
        astream = container.streams.audio[0]
        vstart = (_stream_start(container.streams.video[0])
                  if container.streams.video else 0.0)
        resampler = av.AudioResampler(format='flt', layout='mono', rate=sr)
        chunks, first_time = [], None
        for frame in container.decode(astream):
            if first_time is None and frame.time is not None:
                first_time = float(frame.time)
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    y = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    offset = int(round(((first_time or 0.0) - vstart) * sr))
    if offset > 0:
        y = np.concatenate([np.zeros(offset, np.float32), y])
    elif offset < 0:
        y = y[-offset:]
    if not np.isfinite(y).all():
        raise ValueError(f'{video_path!r}: decoded audio holds NaN/inf')
    os.makedirs(osp.dirname(osp.abspath(wav_path)), exist_ok=True)
    sf.write(wav_path, np.clip(y, -1, 1), sr, subtype='PCM_16')
    return len(y)


def extract_frames(video_path: str, frame_dir: str, fps: float) -> List[str]:
    """Write the frame shown at each ``k / fps`` as ``<k:05d>.jpg``.

    Returns:
        list[str]: The written file names (relative to ``frame_dir``).
    """
    import av
    import cv2

    os.makedirs(frame_dir, exist_ok=True)
    names: List[str] = []

    def emit(img: np.ndarray) -> None:
        name = f'{len(names):05d}.jpg'
        cv2.imwrite(osp.join(frame_dir, name), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        names.append(name)

    with av.open(video_path) as container:
        if not container.streams.video:
            raise ValueError(f'{video_path!r} has no video stream')
        vstream = container.streams.video[0]
        start = _stream_start(vstream)
        last, last_end = None, 0.0
        for frame in container.decode(vstream):
            t = (float(frame.time) if frame.time is not None else 0.0) - start
            # Every target time before this frame shows the previous frame.
            while last is not None and len(names) / fps < t - 1e-6:
                emit(last)
            last = frame.to_ndarray(format='bgr24')
            rate = vstream.average_rate or 25
            last_end = t + 1.0 / float(rate)
        while last is not None and len(names) / fps < last_end - 1e-6:
            emit(last)
    if not names:
        raise ValueError(f'{video_path!r}: no video frames decoded')
    return names


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
    for i, path in enumerate(videos):
        name = osp.splitext(osp.basename(path))[0]
        wav = osp.join(args.out, args.split, 'WAVAudios', name + '.wav')
        n = extract_wav(path, wav, args.sr)
        msg = f'{name}: {n / args.sr:.2f} s of audio -> {wav}'
        if args.frames_fps:
            fdir = osp.join(args.out, args.split, 'JPEGImages', name)
            names = extract_frames(path, fdir, args.frames_fps)
            msg += f', {len(names)} frames -> {fdir}'
            import cv2
            h, w = cv2.imread(osp.join(fdir, names[0])).shape[:2]
            entries.append(
                dict(id=i + 1,
                     file_names=[f'{name}/{n}' for n in names],
                     length=len(names),
                     height=h,
                     width=w))
        print(msg)
    if args.write_json:
        from seavis_mm.datasets import AVISEG_CLASSES, TOYAVIS_CLASSES
        classes = dict(aviseg=AVISEG_CLASSES,
                       toyavis=TOYAVIS_CLASSES)[args.classes]
        cats = [dict(id=i + 1, name=c) for i, c in enumerate(classes)]
        with open(json_path, 'w') as f:
            json.dump(dict(videos=entries, annotations=[], categories=cats), f)
        print(f'wrote {json_path} ({len(entries)} videos)')


if __name__ == '__main__':
    main()
