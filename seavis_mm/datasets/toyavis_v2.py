# Copyright (c) seavis_mm contributors. All rights reserved.
"""ToyAVIS style ``v2``: the same categories and sounds, a more varied look.

Style ``v1`` (:func:`~.toyavis.generate_video_v1`) draws every video the
same way: one kind of background, objects of one size range in one colour
per category, constant light. A model trained on it learns the look of the
generator (issue 13, finding 6). Style ``v2`` keeps the category semantics
of docs/en/user_guides/dataset_prepare.md, "ToyAVIS" (shape + colour
family + sound, same-category objects sound together, ground truth =
visible and sounding) and varies everything else, per video or per frame:

* backgrounds from five texture families (smooth blobs, linear / radial
  gradients, stripes or checkers, multi-octave noise, patchwork tiles);
* clutter: static distractor shapes in the background and moving ones that
  occlude the objects; they never sound and are never annotated. Their shape
  or their colour is never a category's (non-category shapes in any colour
  outside the category hues, or category shapes in greys);
* object size (radius 8-24 px, v1: 11-19) and colour: hue jittered within
  the category's hue family, saturation and value jittered, a lit side;
* lighting that drifts over time (global gain, colour tint, a moving spot);
* camera shake (motion blur), sensor noise level and JPEG quality per video;
* the audio noise floor per video.

``variety='high'`` widens every range (the second val set of the zoo).
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import cv2
import numpy as np

from .toyavis import (_COLOURS_BGR, MIN_VISIBLE_PX, SIZE, TOYAVIS_CLASSES,
                      moving_shape, plan_video, shape_mask, step_motion,
                      video_audio)

BACKGROUNDS = ('blobs', 'gradient', 'stripes', 'noise', 'tiles')


@dataclass(frozen=True)
class Variety:
    """Ranges of the ``v2`` look (``(low, high)`` are uniform ranges).

    Attributes:
        radius: Object radius in pixels.
        hue_jitter: Largest hue offset of an object from its category's hue,
            in degrees.
        sat: Object saturation (HSV, 0-1).
        val: Object value (HSV, 0-1).
        static_clutter: Number of static distractors (inclusive range).
        moving_distractors: Number of moving distractors (inclusive).
        light_swing: Amplitude of the slow global gain oscillation.
        light_base: Mean global gain of a video.
        tint: Largest per-channel colour cast.
        spot: Largest strength of the moving spot light.
        blur_prob: Probability that a frame is shaken (motion blur).
        noise: Sensor noise sigma (grey levels) of a video.
        jpeg: JPEG quality of a video.
        audio_noise: Audio noise floor (sigma) of a video.
    """
    radius: Tuple[float, float] = (8.0, 24.0)
    hue_jitter: float = 8.0
    sat: Tuple[float, float] = (0.6, 1.0)
    val: Tuple[float, float] = (0.6, 1.0)
    static_clutter: Tuple[int, int] = (0, 6)
    moving_distractors: Tuple[int, int] = (0, 2)
    light_swing: float = 0.15
    light_base: Tuple[float, float] = (0.8, 1.15)
    tint: float = 0.08
    spot: float = 0.3
    blur_prob: float = 0.2
    noise: Tuple[float, float] = (3.0, 14.0)
    jpeg: Tuple[int, int] = (75, 95)
    audio_noise: Tuple[float, float] = (0.005, 0.02)


VARIETIES: Dict[str, Variety] = dict(
    normal=Variety(),
    high=Variety(radius=(6.0, 30.0),
                 hue_jitter=10.0,
                 sat=(0.5, 1.0),
                 val=(0.45, 1.0),
                 static_clutter=(3, 12),
                 moving_distractors=(1, 3),
                 light_swing=0.3,
                 light_base=(0.65, 1.25),
                 tint=0.12,
                 spot=0.5,
                 blur_prob=0.4,
                 noise=(2.0, 22.0),
                 jpeg=(50, 95),
                 audio_noise=(0.005, 0.03)))


def _bgr_to_hsv(bgr) -> np.ndarray:
    """Hue in degrees, saturation and value in 0-1 of one BGR colour."""
    px = np.asarray(bgr, np.float32).reshape(1, 1, 3) / 255.0
    h, s, v = cv2.cvtColor(px, cv2.COLOR_BGR2HSV)[0, 0]
    return np.array([h, s, v])


def _hsv_to_bgr(h: float, s: float, v: float) -> np.ndarray:
    px = np.array([[[h % 360.0, s, v]]], np.float32)
    return cv2.cvtColor(px, cv2.COLOR_HSV2BGR)[0, 0] * 255.0


# Category hues (degrees), from the v1 colours.
CATEGORY_HUES = np.array([_bgr_to_hsv(c)[0] for c in _COLOURS_BGR])
# A distractor's hue keeps at least this far from every category hue.
_DISTRACTOR_HUE_MARGIN = 25.0


def hue_distance(a, b) -> np.ndarray:
    """Distance between hues on the colour circle (degrees)."""
    d = np.abs(np.asarray(a, float) - np.asarray(b, float)) % 360.0
    return np.minimum(d, 360.0 - d)


def object_colour(cat: int, rng: np.random.Generator,
                  variety: Variety) -> np.ndarray:
    """A BGR colour of category ``cat``'s hue family."""
    hue = CATEGORY_HUES[cat] + rng.uniform(-variety.hue_jitter,
                                           variety.hue_jitter)
    return _hsv_to_bgr(hue, rng.uniform(*variety.sat),
                       rng.uniform(*variety.val))


def distractor_colour(rng: np.random.Generator,
                      grey: bool = False) -> np.ndarray:
    """A BGR colour that is no category's: a grey (low saturation) or a
    saturated hue far from every category hue."""
    if grey or rng.random() < 0.4:
        return _hsv_to_bgr(0.0, rng.uniform(0, 0.2), rng.uniform(0.15, 0.95))
    while True:
        hue = rng.uniform(0, 360)
        if hue_distance(hue, CATEGORY_HUES).min() >= _DISTRACTOR_HUE_MARGIN:
            return _hsv_to_bgr(hue, rng.uniform(0.45, 1.0),
                               rng.uniform(0.35, 1.0))


# -- backgrounds -----------------------------------------------------------
def _bg_colour(rng: np.random.Generator) -> np.ndarray:
    """A background colour: any hue, muted."""
    return _hsv_to_bgr(rng.uniform(0, 360), rng.uniform(0, 0.6),
                       rng.uniform(0.15, 0.9))


def _resized_noise(rng: np.random.Generator, cells: int,
                   sigma: float) -> np.ndarray:
    low = rng.normal(0, sigma, size=(cells, cells, 3)).astype(np.float32)
    return cv2.resize(low, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)


def background(rng: np.random.Generator, family: str) -> np.ndarray:
    """A float32 BGR background of one texture family."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    c0, c1 = _bg_colour(rng), _bg_colour(rng)
    if family == 'blobs':  # v1's texture, random contrast
        cells = int(rng.integers(3, 9))
        low = rng.uniform(30, 200, size=(cells, cells, 3)).astype(np.float32)
        bg = cv2.resize(low, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    elif family == 'gradient':
        if rng.random() < 0.5:  # linear
            a = rng.uniform(0, 2 * np.pi)
            w = (np.cos(a) * (xx - 0.5) + np.sin(a) * (yy - 0.5)) + 0.5
        else:  # radial
            cx, cy = rng.uniform(0, 1, size=2)
            w = np.sqrt((xx - cx)**2 + (yy - cy)**2) / 1.2
        w = np.clip(w, 0, 1)[..., None]
        bg = c0 * (1 - w) + c1 * w
    elif family == 'stripes':
        a = rng.uniform(0, np.pi)
        period = rng.uniform(6, 32) / SIZE
        u = np.cos(a) * xx + np.sin(a) * yy
        if rng.random() < 0.5:  # soft stripes
            w = 0.5 + 0.5 * np.sin(2 * np.pi * u / period)
        else:  # checkers
            v = -np.sin(a) * xx + np.cos(a) * yy
            w = ((np.floor(u / period) + np.floor(v / period)) % 2)
            w = cv2.GaussianBlur(w.astype(np.float32), (3, 3), 0)
        bg = c0 * (1 - w[..., None]) + c1 * w[..., None]
    elif family == 'noise':  # multi-octave value noise on a base colour
        bg = np.broadcast_to(c0, (SIZE, SIZE, 3)).astype(np.float32)
        grey = rng.random() < 0.5
        for cells, sigma in ((4, 40), (8, 25), (16, 15), (32, 8)):
            n = _resized_noise(rng, cells, sigma)
            bg = bg + (n[..., :1] if grey else n)
    elif family == 'tiles':
        bg = np.empty((SIZE, SIZE, 3), np.float32)
        bg[:] = c0
        for _ in range(int(rng.integers(8, 30))):
            x0, y0 = rng.integers(-16, SIZE, size=2)
            w, h = rng.integers(8, 48, size=2)
            cv2.rectangle(bg, (int(x0), int(y0)), (int(x0 + w), int(y0 + h)),
                          _bg_colour(rng).tolist(), -1)
        bg = cv2.GaussianBlur(bg, (3, 3), 0)
    else:
        raise ValueError(f'unknown background family {family!r}; expected '
                         f'one of {BACKGROUNDS}')
    grain = _resized_noise(rng, 24, rng.uniform(0, 12))
    return np.asarray(bg, np.float32) + grain


# -- distractors -----------------------------------------------------------
DISTRACTOR_SHAPES = ('ellipse', 'cross', 'star', 'bar', 'grey_category')


def distractor_mask(kind: str, cx: float, cy: float, r: float, angle: float,
                    aux: float) -> np.ndarray:
    """Binary mask (uint8) of a distractor shape; ``aux`` in [0, 1) picks
    a variant (aspect ratio, which category shape for ``grey_category``)."""
    m = np.zeros((SIZE, SIZE), np.uint8)
    c = (int(round(cx)), int(round(cy)))
    deg = float(np.rad2deg(angle))
    if kind == 'ellipse':  # elongated: never reads as a disc
        axes = (int(round(r)), max(1, int(round(r / (1.8 + 1.5 * aux)))))
        cv2.ellipse(m, c, axes, deg, 0, 360, 1, -1)
    elif kind == 'bar':
        axes = (r, max(1.5, r / (2.5 + 2 * aux)))
        box = cv2.boxPoints(((cx, cy), (2 * axes[0], 2 * axes[1]), deg))
        cv2.fillPoly(m, [np.round(box).astype(np.int32)], 1)
    elif kind == 'cross':
        for rot in (0, 90):
            box = cv2.boxPoints(((cx, cy), (2 * r, 0.55 * r), deg + rot))
            cv2.fillPoly(m, [np.round(box).astype(np.int32)], 1)
    elif kind == 'star':
        k = np.arange(10)
        rad = np.where(k % 2 == 0, r, r * 0.45)
        ang = angle + k * np.pi / 5
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
        cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    elif kind == 'grey_category':
        return shape_mask(int(aux * len(TOYAVIS_CLASSES)), cx, cy, r, angle)
    else:
        raise ValueError(f'unknown distractor shape {kind!r}; expected one '
                         f'of {DISTRACTOR_SHAPES}')
    return m


def _new_distractor(rng: np.random.Generator, variety: Variety) -> dict:
    kind = DISTRACTOR_SHAPES[int(rng.integers(len(DISTRACTOR_SHAPES)))]
    d = moving_shape(rng, variety.radius, (1, 10), 0.3, kind=kind)
    d.update(aux=rng.random(),
             colour=distractor_colour(rng, grey=kind == 'grey_category'))
    return d


def _distractor_mask_of(d: dict) -> np.ndarray:
    return distractor_mask(d['kind'], d['pos'][0], d['pos'][1], d['r'],
                           d['angle'], d['aux']).astype(bool)


# -- lighting and camera ---------------------------------------------------
def _lighting(rng: np.random.Generator, variety: Variety,
              num_frames: int) -> np.ndarray:
    """Per-frame multiplicative light maps ``[T, H, W, 3]`` (float32)."""
    t = np.arange(num_frames, dtype=np.float32)
    period = rng.uniform(4, 16)
    gain = rng.uniform(*variety.light_base) * (
        1 + variety.light_swing * np.sin(2 * np.pi * t / period +
                                         rng.uniform(0, 2 * np.pi)))
    tint0 = 1 + rng.uniform(-variety.tint, variety.tint, size=3)
    tint1 = 1 + rng.uniform(-variety.tint, variety.tint, size=3)
    w = (t / max(num_frames - 1, 1))[:, None]
    tint = tint0 * (1 - w) + tint1 * w  # the colour cast drifts
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    strength = rng.uniform(0, variety.spot)
    sigma = rng.uniform(20, 60)
    p0, p1 = rng.uniform(0, SIZE, size=(2, 2))
    maps = np.empty((num_frames, SIZE, SIZE, 3), np.float32)
    for k in range(num_frames):
        cx, cy = p0 * (1 - w[k, 0]) + p1 * w[k, 0]
        spot = np.exp(-((xx - cx)**2 + (yy - cy)**2) / (2 * sigma**2))
        light = gain[k] * (1 + strength * (spot - 0.3))
        maps[k] = light[..., None] * tint[k]
    return maps


def _shake(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Linear motion blur (a shaken camera), 3-7 px at a random angle."""
    length = int(rng.integers(3, 8))
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2),
                                  float(rng.uniform(0, 180)), 1.0)
    k = cv2.warpAffine(k, rot, (length, length))
    return cv2.filter2D(img, -1, k / max(float(k.sum()), 1e-6))


def _shade(mask: np.ndarray, pos, r: float, light_angle: float,
           depth: float) -> np.ndarray:
    """Per-pixel gain of an object lit from one side (``1 +- depth``)."""
    ys, xs = np.nonzero(mask)
    u = ((xs - pos[0]) * np.cos(light_angle) +
         (ys - pos[1]) * np.sin(light_angle)) / max(r, 1.0)
    return (1 + depth * np.clip(u, -1, 1)).astype(np.float32)


# -- one video -------------------------------------------------------------
def generate_video_v2(rng: np.random.Generator,
                      num_frames_range: Tuple[int, int] = (8, 20),
                      variety: str = 'normal') -> dict:
    """Generate one ToyAVIS video in the varied ``v2`` style.

    Args:
        rng (np.random.Generator): The video's generator.
        num_frames_range (tuple[int, int]): Frames a video, inclusive.
        variety (str): ``'normal'`` or ``'high'`` (wider ranges).

    Returns:
        dict: As :func:`~.toyavis.generate_video_v1` (``frames``, ``audio``,
        ``objects``), plus ``jpeg_quality`` and ``look`` (the video's
        drawn choices: ``background`` family, ``num_distractors``).
    """
    if variety not in VARIETIES:
        raise ValueError(f'variety must be one of {tuple(VARIETIES)}, got '
                         f'{variety!r}')
    var = VARIETIES[variety]
    num_frames, cats, schedule = plan_video(rng, num_frames_range)
    n_obj = len(cats)
    objs = []
    for i in range(n_obj):
        o = moving_shape(rng, var.radius, cat=int(cats[i]))
        o.update(colour=object_colour(o['cat'], rng, var),
                 light=rng.uniform(0, 2 * np.pi),
                 depth=rng.uniform(0, 0.2))
        objs.append(o)
    movers = [
        _new_distractor(rng, var)
        for _ in range(int(rng.integers(var.moving_distractors[0],
                                        var.moving_distractors[1] + 1)))
    ]
    # Depth order of objects (ids 0..n_obj-1) and moving distractors
    # (ids n_obj..): later items occlude earlier ones.
    order = rng.permutation(n_obj + len(movers))

    family = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    bg = background(rng, family)
    n_static = int(
        rng.integers(var.static_clutter[0], var.static_clutter[1] + 1))
    for _ in range(n_static):  # clutter painted into the background
        d = _new_distractor(rng, var)
        bg[_distractor_mask_of(d)] = d['colour']
    light = _lighting(rng, var, num_frames)
    noise = rng.uniform(*var.noise)

    frames = []
    visible = np.zeros((n_obj, num_frames, SIZE, SIZE), bool)
    for t in range(num_frames):
        img = bg.copy()
        full = {}
        for i in order:
            if i < n_obj:
                o = objs[i]
                m = shape_mask(o['cat'], o['pos'][0], o['pos'][1], o['r'],
                               o['angle']).astype(bool)
                gain = _shade(m, o['pos'], o['r'], o['light'], o['depth'])
                img[m] = o['colour'][None] * gain[:, None]
            else:
                d = movers[i - n_obj]
                m = _distractor_mask_of(d)
                img[m] = d['colour']
            full[i] = m
        covered = np.zeros((SIZE, SIZE), bool)
        for i in order[::-1]:  # front to back
            if i < n_obj:
                vis = full[i] & ~covered
                if vis.sum() >= MIN_VISIBLE_PX:
                    visible[i, t] = vis
            covered |= full[i]
        img = img * light[t]
        if rng.random() < var.blur_prob:
            img = _shake(img, rng)
        img += rng.normal(0, noise, size=img.shape).astype(np.float32)
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
        for o in objs + movers:
            step_motion(o, rng)

    audio = video_audio(rng, schedule, num_frames,
                        noise=rng.uniform(*var.audio_noise))
    objects = [
        dict(category=o['cat'],
             visible=visible[i],
             sounding=schedule[o['cat']]) for i, o in enumerate(objs)
    ]
    return dict(frames=frames,
                audio=audio,
                objects=objects,
                jpeg_quality=int(rng.integers(var.jpeg[0], var.jpeg[1] + 1)),
                look=dict(background=family,
                          num_distractors=n_static + len(movers)))
