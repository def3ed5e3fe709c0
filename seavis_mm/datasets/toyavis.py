# Copyright (c) seavis_mm contributors. All rights reserved.
"""ToyAVIS: a small synthetic audio-visual instance segmentation dataset.

Two styles: ``v2`` (the default) varies backgrounds, clutter, object sizes,
colours within each category's hue, lighting, blur and noise
(:mod:`.toyavis_v2`); ``v1`` is the first generator, described below and
kept bit for bit so that old numbers reproduce.

Written in the AVISeg layout (``{split}.json``, ``{split}/JPEGImages``,
``{split}/WAVAudios``), deterministic from a seed, so the whole pipeline runs
anywhere with nothing downloaded (docs/en/user_guides/dataset_prepare.md,
"ToyAVIS").

Each video: 128x128 frames at 1 fps, 8-20 frames, 16 kHz mono audio, one
second per frame. 1-4 objects (shape + colour = category) move fast over a
noisy textured background and occlude each other (draw order = depth). Each
category present switches between sounding and silent from frame to frame
(objects of one category sound together); nothing visual changes when an
object sounds. Ground truth, as AVISeg: an object is annotated in a frame
only while it is visible AND sounding (its visible part after occlusion, as
uncompressed RLE); ids persist across silent gaps.
"""
import json
import os
import os.path as osp
import zlib
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import soundfile as sf

TOYAVIS_CLASSES = ('bell', 'drum', 'flute', 'siren', 'buzzer')
# BGR colours for cv2: yellow, red, blue, green, magenta.
_COLOURS_BGR = ((30, 210, 240), (40, 40, 220), (230, 90, 40), (60, 190, 40),
                (220, 40, 220))

SIZE = 128
SR = 16000
FPS = 1
MIN_VISIBLE_PX = 20  # a sliver smaller than this does not count as visible


# -- sounds -----------------------------------------------------------------
def category_sound(cat: int, rng: np.random.Generator,
                   detune: float) -> np.ndarray:
    """One second of category ``cat``'s sound (float64, peak about 0.5).

    bell: 880 Hz + 1760 Hz strikes, decaying; drum: noise bursts at 5 Hz;
    flute: 523 Hz with 6 Hz vibrato; siren: 600 -> 1200 Hz sweep each
    second; buzzer: 220 Hz square wave. ``detune`` (about +-3 %) varies the
    pitch per video.
    """
    t = np.arange(SR) / SR
    k = 1.0 + detune
    if cat == 0:  # bell
        y = np.zeros(SR)
        for start in (0.0, 0.5):
            dt = np.clip(t - start, 0, None)
            env = np.where(t >= start, np.exp(-dt * 7.0), 0.0)
            y += env * (np.sin(2 * np.pi * 880 * k * dt) +
                        0.6 * np.sin(2 * np.pi * 1760 * k * dt))
        y *= 0.35
    elif cat == 1:  # drum
        noise = rng.standard_normal(SR)
        # One-pole low-pass: a thud rather than a hiss.
        noise = _one_pole(noise, 0.85)
        phase = (t * 5.0) % 1.0 / 5.0  # seconds since the last burst
        y = noise * np.exp(-phase / 0.03)
        y *= 0.5 / (np.abs(y).max() + 1e-9)
    elif cat == 2:  # flute
        f = 523.0 * k * (1 + 0.012 * np.sin(2 * np.pi * 6.0 * t))
        ph = 2 * np.pi * np.cumsum(f) / SR
        y = 0.4 * (np.sin(ph) + 0.25 * np.sin(2 * ph))
    elif cat == 3:  # siren
        ph = 2 * np.pi * k * (600.0 * t + 300.0 * t**2)
        y = 0.4 * np.sin(ph)
    elif cat == 4:  # buzzer
        y = 0.18 * np.sign(np.sin(2 * np.pi * 220.0 * k * t))
    else:
        raise ValueError(f'unknown ToyAVIS category {cat}')
    # 5 ms fades: no clicks at the one-second boundaries.
    fade = np.minimum(
        1.0,
        np.minimum(np.arange(SR),
                   np.arange(SR)[::-1]) / (0.005 * SR))
    return y * fade


def _one_pole(x: np.ndarray, a: float) -> np.ndarray:
    from scipy.signal import lfilter
    return lfilter([1 - a], [1, -a], x)


# -- shapes -----------------------------------------------------------------
def shape_mask(cat: int, cx: float, cy: float, r: float,
               angle: float) -> np.ndarray:
    """Binary mask (uint8) of category ``cat``'s shape centred at
    ``(cx, cy)`` with radius ``r``."""
    m = np.zeros((SIZE, SIZE), np.uint8)
    c = (int(round(cx)), int(round(cy)))
    if cat == 0:  # disc
        cv2.circle(m, c, int(round(r)), 1, -1)
    elif cat == 4:  # ring
        cv2.circle(m, c, int(round(r)), 1, -1)
        cv2.circle(m, c, int(round(r * 0.55)), 0, -1)
    else:
        if cat == 1:  # square, nearly axis-aligned (else it reads as diamond)
            s = r * 0.85
            pts = np.array([(-s, -s), (s, -s), (s, s), (-s, s)])
            a = angle * 0.15
        elif cat == 2:  # triangle
            ang = np.deg2rad([90, 210, 330])
            pts = np.stack([np.cos(ang), -np.sin(ang)], 1) * r * 1.1
            a = angle
        else:  # diamond: tall and narrow, upright
            pts = np.array([(0, -r), (0.6 * r, 0), (0, r), (-0.6 * r, 0)])
            a = 0.0
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        pts = pts @ rot.T + np.array([cx, cy])
        cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    return m


def _background(rng: np.random.Generator) -> np.ndarray:
    """Smooth random colour texture plus fine grain (float32, BGR)."""
    low = rng.uniform(50, 170, size=(6, 6, 3)).astype(np.float32)
    bg = cv2.resize(low, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    mid = rng.normal(0, 14, size=(24, 24, 3)).astype(np.float32)
    bg += cv2.resize(mid, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)
    return bg


def mask_to_uncompressed_rle(mask: np.ndarray) -> dict:
    """Binary mask as YouTube-VIS's uncompressed RLE (column-major run
    lengths, starting with a run of zeros)."""
    h, w = mask.shape
    flat = mask.flatten(order='F').astype(bool)
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate([[0], change, [flat.size]])).tolist()
    if flat[0]:
        runs = [0] + runs
    return dict(size=[h, w], counts=[int(r) for r in runs])


# -- pieces shared by the styles --------------------------------------------
def schedule_sounding(rng: np.random.Generator, cats: np.ndarray,
                      num_frames: int) -> Dict[int, np.ndarray]:
    """Per category present: a Markov chain of sounding / silent over
    frames (bool ``[T]``; it flips with probability 0.35 a frame)."""
    schedule = {}
    for c in sorted(set(cats.tolist())):
        state = rng.random() < 0.55
        states = []
        for _ in range(num_frames):
            states.append(state)
            if rng.random() < 0.35:
                state = not state
        schedule[c] = np.array(states)
    return schedule


def plan_video(rng: np.random.Generator,
               num_frames_range: Tuple[int, int]
               ) -> Tuple[int, np.ndarray, Dict[int, np.ndarray]]:
    """Number of frames, the objects' categories (1-4 objects) and the
    sounding schedule of a video."""
    num_frames = int(rng.integers(num_frames_range[0],
                                  num_frames_range[1] + 1))
    n_obj = int(rng.integers(1, 5))
    cats = rng.integers(0, len(TOYAVIS_CLASSES), size=n_obj)
    return num_frames, cats, schedule_sounding(rng, cats, num_frames)


def moving_shape(rng: np.random.Generator,
                 radius: Tuple[float, float],
                 speed: Tuple[float, float] = (4, 12),
                 max_spin: float = 0.4,
                 **extra) -> dict:
    """A shape's radius ``r`` and its motion state (``pos``, ``vel``,
    ``angle``, ``spin``), for :func:`step_motion`, plus ``extra`` keys."""
    r = rng.uniform(*radius)
    v = rng.uniform(*speed)
    theta = rng.uniform(0, 2 * np.pi)
    return dict(r=r,
                pos=rng.uniform(r, SIZE - r, size=2),
                vel=np.array([np.cos(theta), np.sin(theta)]) * v,
                angle=rng.uniform(0, 2 * np.pi),
                spin=rng.uniform(-max_spin, max_spin),
                **extra)


def step_motion(obj: dict, rng: np.random.Generator,
                max_speed: float = 12.0) -> None:
    """Move ``obj`` (``pos``, ``vel``, ``r``, ``angle``, ``spin``) one frame
    in place: a random kick, a speed limit, a bounce off the borders."""
    obj['vel'] += rng.normal(0, 1.0, size=2)
    speed = np.linalg.norm(obj['vel'])
    if speed > max_speed:
        obj['vel'] *= max_speed / speed
    obj['pos'] = obj['pos'] + obj['vel']
    for d in range(2):
        if obj['pos'][d] < obj['r'] or obj['pos'][d] > SIZE - obj['r']:
            obj['vel'][d] = -obj['vel'][d]
            obj['pos'][d] = np.clip(obj['pos'][d], obj['r'], SIZE - obj['r'])
    obj['angle'] += obj['spin']


def video_audio(rng: np.random.Generator,
                schedule: Dict[int, np.ndarray],
                num_frames: int,
                noise: float = 0.01) -> np.ndarray:
    """The video's audio (float32): each second is the sum of the sounding
    categories' sounds over a noise floor of sigma ``noise``."""
    audio = rng.normal(0, noise, size=num_frames * SR)
    for c, states in schedule.items():
        detune = rng.uniform(-0.03, 0.03)
        base = category_sound(c, rng, detune)
        for t in np.flatnonzero(states):
            snd = category_sound(c, rng, detune) if c == 1 else base
            audio[t * SR:(t + 1) * SR] += rng.uniform(0.6, 1.0) * snd
    peak = np.abs(audio).max()
    audio = audio / max(1.0, peak / 0.95)  # never clip
    return audio.astype(np.float32)


# -- one video --------------------------------------------------------------
STYLES = ('v1', 'v2')
VARIETY_LEVELS = ('normal', 'high')


def generate_video(rng: np.random.Generator,
                   num_frames_range: Tuple[int, int] = (8, 20),
                   style: str = 'v2',
                   variety: str = 'normal') -> dict:
    """Generate one ToyAVIS video in memory, in either style.

    Args:
        rng (np.random.Generator): The video's generator.
        num_frames_range (tuple[int, int]): Frames a video, inclusive.
        style (str): ``'v2'`` (varied backgrounds, clutter, sizes, colours,
            lighting, blur and noise: :mod:`.toyavis_v2`) or ``'v1'`` (the
            first generator, kept bit for bit so that old numbers
            reproduce).
        variety (str): ``'normal'`` or ``'high'``; ``v2`` only.

    Returns:
        dict: See :func:`generate_video_v1`; ``v2`` adds ``jpeg_quality``
        and ``look``.
    """
    check_style(style, variety)
    if style == 'v1':
        return generate_video_v1(rng, num_frames_range)
    from .toyavis_v2 import generate_video_v2
    return generate_video_v2(rng, num_frames_range, variety)


def check_style(style: str, variety: str) -> None:
    """Raise a clear error for an unknown style or variety."""
    if style not in STYLES:
        raise ValueError(f'ToyAVIS style must be one of {STYLES}, got '
                         f'{style!r}')
    if variety not in VARIETY_LEVELS:
        raise ValueError(f'ToyAVIS variety must be one of {VARIETY_LEVELS},'
                         f' got {variety!r}')
    if style == 'v1' and variety != 'normal':
        raise ValueError(f'ToyAVIS style v1 has one look; variety '
                         f'{variety!r} needs style v2')


def generate_video_v1(
    rng: np.random.Generator, num_frames_range: Tuple[int,
                                                      int] = (8, 20)) -> dict:
    """Generate one ToyAVIS video in memory, the first (``v1``) style.

    Returns:
        dict: ``frames`` (list of BGR uint8 images), ``audio`` (float32,
        ``len(frames) * 16000`` samples), ``objects`` (list of dicts with
        ``category`` (0-based), ``visible`` (bool ``[T, H, W]``, the visible
        part), ``sounding`` (bool ``[T]``)).
    """
    num_frames, cats, schedule = plan_video(rng, num_frames_range)
    n_obj = len(cats)
    objs = []
    for i in range(n_obj):
        o = moving_shape(rng, (11, 19), cat=int(cats[i]))
        o['shade'] = rng.uniform(0.85, 1.1)
        objs.append(o)
    # Draw order = depth: later objects occlude earlier ones.
    order = rng.permutation(n_obj)

    bg = _background(rng)
    frames = []
    visible = np.zeros((n_obj, num_frames, SIZE, SIZE), bool)
    for t in range(num_frames):
        img = bg.copy()
        full = [None] * n_obj
        for i in order:
            o = objs[i]
            m = shape_mask(o['cat'], o['pos'][0], o['pos'][1], o['r'],
                           o['angle']).astype(bool)
            full[i] = m
            colour = np.array(_COLOURS_BGR[o['cat']], np.float32) * o['shade']
            img[m] = colour
        covered = np.zeros((SIZE, SIZE), bool)
        for i in order[::-1]:  # front to back
            vis = full[i] & ~covered
            if vis.sum() >= MIN_VISIBLE_PX:
                visible[i, t] = vis
            covered |= full[i]
        img += rng.normal(0, 9, size=img.shape).astype(np.float32)
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
        for o in objs:
            step_motion(o, rng)

    audio = video_audio(rng, schedule, num_frames)
    objects = [
        dict(category=o['cat'],
             visible=visible[i],
             sounding=schedule[o['cat']]) for i, o in enumerate(objs)
    ]
    return dict(frames=frames, audio=audio, objects=objects)


# -- dataset ----------------------------------------------------------------
def _video_rng(seed: int, split: str, index: int) -> np.random.Generator:
    # crc32 is stable across runs (str hash is salted per process).
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index])


def write_split(out_dir: str,
                split: str,
                num_videos: int,
                seed: int = 0,
                num_frames_range: Tuple[int, int] = (8, 20),
                write_visible: bool = False,
                style: str = 'v2',
                variety: str = 'normal',
                on_video: Optional[Callable[[], None]] = None
                ) -> Dict[str, float]:
    """Write one split (``{split}.json``, frames and wavs) under ``out_dir``.

    Args:
        out_dir (str): Dataset root.
        split (str): Split name (``train``, ``val``, ...).
        num_videos (int): Number of videos.
        seed (int): Seed; each video's content depends only on
            ``(seed, split, index)``.
        num_frames_range (tuple[int, int]): Frames a video, inclusive.
        write_visible (bool): Also write ``{split}_visible.json``: the same
            JSON annotating every visible object, silent or not (what an
            audio-blind oracle would output).
        style (str): Generator style, ``'v2'`` or ``'v1'`` (see
            :func:`generate_video`).
        variety (str): ``'normal'`` or ``'high'`` (``v2`` only).
        on_video (callable, optional): Called after each video is written
            (a progress bar's ``update``).

    Returns:
        dict: Frame statistics (see :func:`frame_stats`).
    """
    check_style(style, variety)
    img_root = osp.join(out_dir, split, 'JPEGImages')
    wav_root = osp.join(out_dir, split, 'WAVAudios')
    os.makedirs(img_root, exist_ok=True)
    os.makedirs(wav_root, exist_ok=True)
    videos, anns, vis_anns = [], [], []
    counts = np.zeros(4, np.int64)  # 0, 1, 2+ sounding, visible-silent
    num_frames_total = 0
    for index in range(num_videos):
        vid = index + 1
        name = f'{split}_{index:05d}'
        video = generate_video(_video_rng(seed, split, index),
                               num_frames_range, style, variety)
        quality = video.get('jpeg_quality', 92)  # v1: always 92
        os.makedirs(osp.join(img_root, name), exist_ok=True)
        file_names = []
        for t, frame in enumerate(video['frames']):
            fn = f'{name}/{t:05d}.jpg'
            cv2.imwrite(osp.join(img_root, fn), frame,
                        [cv2.IMWRITE_JPEG_QUALITY, quality])
            file_names.append(fn)
        sf.write(osp.join(wav_root, name + '.wav'),
                 video['audio'],
                 SR,
                 subtype='PCM_16')
        num_t = len(file_names)
        videos.append(
            dict(id=vid,
                 file_names=file_names,
                 length=num_t,
                 height=SIZE,
                 width=SIZE))
        n_sounding = np.zeros(num_t, np.int64)
        vis_silent = np.zeros(num_t, bool)
        for obj in video['objects']:
            is_vis = obj['visible'].reshape(num_t, -1).any(1)
            annotated = is_vis & obj['sounding']
            n_sounding += annotated
            vis_silent |= is_vis & ~obj['sounding']
            for keep, target in ((annotated, anns), (is_vis, vis_anns)):
                if keep.any():
                    target.append(
                        _annotation(
                            len(target) + 1, vid, obj['category'] + 1,
                            obj['visible'], keep))
        counts += [(n_sounding == 0).sum(), (n_sounding == 1).sum(),
                   (n_sounding >= 2).sum(),
                   vis_silent.sum()]
        num_frames_total += num_t
        if on_video is not None:
            on_video()
    categories = [
        dict(id=i + 1, name=n, supercategory='object')
        for i, n in enumerate(TOYAVIS_CLASSES)
    ]
    info = dict(
        description='ToyAVIS synthetic audio-visual instance segmentation',
        seed=seed,
        fps=FPS,
        sample_rate=SR)
    if style != 'v1':  # v1 files stay byte-identical to the first ones
        info.update(style=style, variety=variety)
    names_anns = [(split, anns)]
    if write_visible:
        names_anns.append((f'{split}_visible', vis_anns))
    for name, split_anns in names_anns:
        with open(osp.join(out_dir, f'{name}.json'), 'w') as f:
            json.dump(
                dict(info=info,
                     videos=videos,
                     annotations=split_anns,
                     categories=categories), f)
    return frame_stats(counts, num_frames_total)


def frame_stats(counts: np.ndarray, num_frames: int) -> Dict[str, float]:
    """Fractions of frames with 0 / 1 / 2+ sounding (annotated) objects and
    with at least one visible but silent object."""
    n = max(num_frames, 1)
    return dict(frames=int(num_frames),
                frac_0_sounding=float(counts[0] / n),
                frac_1_sounding=float(counts[1] / n),
                frac_2plus_sounding=float(counts[2] / n),
                frac_visible_silent=float(counts[3] / n))


def _annotation(ann_id: int, vid: int, cat_id: int, visible: np.ndarray,
                keep: np.ndarray) -> dict:
    segs, boxes, areas = [], [], []
    for t in range(len(keep)):
        if not keep[t]:
            segs.append(None)
            boxes.append(None)
            areas.append(None)
            continue
        m = visible[t]
        ys, xs = np.nonzero(m)
        segs.append(mask_to_uncompressed_rle(m))
        boxes.append([
            int(xs.min()),
            int(ys.min()),
            int(xs.max() - xs.min() + 1),
            int(ys.max() - ys.min() + 1)
        ])
        areas.append(int(m.sum()))
    return dict(id=ann_id,
                video_id=vid,
                category_id=cat_id,
                segmentations=segs,
                bboxes=boxes,
                areas=areas,
                iscrowd=0,
                height=SIZE,
                width=SIZE)


def make_toyavis(out_dir: str,
                 train_videos: int = 80,
                 val_videos: int = 20,
                 seed: int = 0,
                 num_frames_range: Tuple[int, int] = (8, 20),
                 write_visible: bool = False,
                 export_mp4: int = 0,
                 mp4_fps: int = 10,
                 style: str = 'v2',
                 variety: str = 'normal',
                 on_video: Optional[Callable[[], None]] = None
                 ) -> Dict[str, Dict[str, float]]:
    """Generate ToyAVIS under ``out_dir`` (train and val splits).

    Args:
        out_dir (str): Dataset root to write.
        train_videos (int): Videos in ``train``.
        val_videos (int): Videos in ``val``.
        seed (int): Seed; the same seed gives identical files.
        num_frames_range (tuple[int, int]): Frames a video, inclusive.
        write_visible (bool): Also write ``{split}_visible.json`` (every
            visible object annotated, silent or not).
        export_mp4 (int): Also export the first N videos of ``val`` (or
            ``train`` when val is empty) to ``out_dir/mp4/<split>/``.
        mp4_fps (int): Frame rate of the exported mp4s.
        style (str): ``'v2'`` (varied look, the default) or ``'v1'`` (the
            first generator, bit for bit).
        variety (str): ``'normal'`` or ``'high'`` (``v2`` only).
        on_video (callable, optional): Called after each written video.

    Returns:
        dict: Per split, the frame statistics of :func:`frame_stats`.
    """
    check_style(style, variety)
    stats = {}
    for split, n in (('train', train_videos), ('val', val_videos)):
        if n > 0:
            stats[split] = write_split(out_dir, split, n, seed,
                                       num_frames_range, write_visible,
                                       style, variety, on_video)
    if export_mp4 > 0:
        split = 'val' if val_videos > 0 else 'train'
        n = min(export_mp4, val_videos if split == 'val' else train_videos)
        for index in range(n):
            name = f'{split}_{index:05d}'
            export_video_mp4(out_dir,
                             split,
                             name,
                             osp.join(out_dir, 'mp4', split, name + '.mp4'),
                             fps_out=mp4_fps)
    return stats


# -- mp4 export -------------------------------------------------------------
def export_video_mp4(data_root: str,
                     split: str,
                     video_name: str,
                     out_path: str,
                     fps_out: int = 10,
                     fps_in: float = FPS,
                     scale: int = 1,
                     codec: Optional[str] = None) -> str:
    """Write one video of an AVISeg-layout dataset as an .mp4 with sound.

    Frame ``k`` (at ``fps_in``) is shown for ``[k / fps_in, (k + 1) /
    fps_in)``; the wav is encoded as AAC, so the container lasts as long as
    the frames. Video: H.264 (``libx264``) when PyAV's FFmpeg has it, else
    MPEG-4 part 2.

    Args:
        data_root (str): Dataset root.
        split (str): Split folder (``train`` / ``val``).
        video_name (str): Video folder name under ``JPEGImages``.
        out_path (str): Output ``.mp4``.
        fps_out (int): Output frame rate. Defaults to 10.
        fps_in (float): Frame rate of the dataset's frames. Defaults to 1.
        scale (int): Integer upscaling of the frames. Defaults to 1.
        codec (str, optional): Force a video codec.

    Returns:
        str: ``out_path``.
    """
    import av

    from .audio import load_audio

    frame_dir = osp.join(data_root, split, 'JPEGImages', video_name)
    wav_path = osp.join(data_root, split, 'WAVAudios', video_name + '.wav')
    if not osp.isdir(frame_dir):
        raise FileNotFoundError(f'video {video_name!r}: frame folder '
                                f'{frame_dir!r} not found')
    names = sorted(n for n in os.listdir(frame_dir)
                   if n.lower().endswith(('.jpg', '.jpeg', '.png')))
    if not names:
        raise FileNotFoundError(f'video {video_name!r}: no frames in '
                                f'{frame_dir!r}')
    frames = []
    for n in names:
        img = cv2.imread(osp.join(frame_dir, n), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f'video {video_name!r}: frame {n!r} in '
                             f'{frame_dir!r} could not be decoded')
        if scale != 1:
            img = cv2.resize(img,
                             None,
                             fx=scale,
                             fy=scale,
                             interpolation=cv2.INTER_NEAREST)
        frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    audio = load_audio(wav_path, SR)
    duration = len(frames) / fps_in
    num_samples = int(round(duration * SR))
    audio = np.pad(audio[:num_samples], (0, max(0, num_samples - len(audio))))

    if codec is None:
        codec = 'libx264' if 'libx264' in av.codecs_available else 'mpeg4'
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    h, w = frames[0].shape[:2]
    with av.open(out_path, 'w') as container:
        vstream = container.add_stream(codec, rate=fps_out)
        vstream.width, vstream.height, vstream.pix_fmt = w, h, 'yuv420p'
        if codec == 'mpeg4':
            vstream.bit_rate = 2_000_000
        astream = container.add_stream('aac', rate=SR)
        astream.layout = 'mono'
        num_out = int(round(duration * fps_out))
        for i in range(num_out):
            k = min(int(i * fps_in / fps_out), len(frames) - 1)
            vf = av.VideoFrame.from_ndarray(frames[k], format='rgb24')
            vf.pts = i
            for packet in vstream.encode(vf):
                container.mux(packet)
        for packet in vstream.encode():
            container.mux(packet)
        chunk = 1024
        for start in range(0, num_samples, chunk):
            part = audio[start:start + chunk]
            af = av.AudioFrame.from_ndarray(part[None, :].astype(np.float32),
                                            format='fltp',
                                            layout='mono')
            af.sample_rate = SR
            af.pts = start
            for packet in astream.encode(af):
                container.mux(packet)
        for packet in astream.encode():
            container.mux(packet)
    return out_path


def video_names(data_root: str, split: str) -> List[str]:
    """Video folder names of a split, in JSON order."""
    with open(osp.join(data_root, f'{split}.json')) as f:
        videos = json.load(f)['videos']
    return [v['file_names'][0].split('/')[0] for v in videos]


__all__: Sequence[str] = [
    'TOYAVIS_CLASSES', 'STYLES', 'VARIETY_LEVELS', 'make_toyavis',
    'write_split', 'generate_video', 'generate_video_v1',
    'export_video_mp4', 'category_sound', 'mask_to_uncompressed_rle',
    'video_names'
]
