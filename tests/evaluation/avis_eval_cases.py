# Copyright (c) seavis_mm contributors. All rights reserved.
"""Hand-made AVIS ground truth and predictions for the evaluation tests."""
from typing import List, Optional, Sequence

import numpy as np
from pycocotools import mask as mask_utils

H, W = 40, 60


def box(x0: int, y0: int, x1: int, y1: int, h: int = H,
        w: int = W) -> np.ndarray:
    """A binary mask, ones in [y0, y1) x [x0, x1)."""
    m = np.zeros((h, w), dtype=np.uint8)
    m[y0:y1, x0:x1] = 1
    return m


def rle(mask: Optional[np.ndarray]) -> Optional[dict]:
    """Compressed RLE with str counts (results files), None stays None."""
    if mask is None:
        return None
    r = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': [int(s) for s in r['size']],
            'counts': r['counts'].decode()}


def uncompressed_rle(mask: np.ndarray) -> dict:
    """Uncompressed RLE (YouTube-VIS ground-truth style): run lengths of the
    column-major pixels, starting with zeros."""
    flat = mask.flatten(order='F').astype(np.uint8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat[0] == 1:
        counts = [0] + counts
    return {'size': list(mask.shape), 'counts': counts}


def box_polygon(mask: np.ndarray) -> list:
    """A box mask as a polygon list; pycocotools rasterises
    ``[x0, y0, x1, y0, x1, y1, x0, y1]`` to exactly ``box(x0, y0, x1, y1)``
    (AVISeg's ground truth is polygons)."""
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    assert mask.sum() == (x1 - x0) * (y1 - y0), 'not a box'
    return [[int(v) for v in (x0, y0, x1, y0, x1, y1, x0, y1)]]


def make_gt(videos: Sequence[dict], categories: Sequence[int],
            seg_format: str = 'uncompressed') -> dict:
    """AVISeg ground truth. ``videos``: ``[dict(id, length, tracks=[dict(id,
    cat, masks=[mask | None] * length)], h=H, w=W, name=...)]``;
    ``seg_format``: ``'uncompressed'`` RLE (YouTube-VIS), ``'polygon'``
    (box masks only) or ``'rle'`` (compressed)."""
    out = dict(videos=[], annotations=[],
               categories=[dict(id=c, name=f'cat{c}') for c in categories])
    for v in videos:
        h, w, n = v.get('h', H), v.get('w', W), v['length']
        name = v.get('name', f'video{v["id"]:03d}')
        out['videos'].append(
            dict(id=v['id'], length=n, height=h, width=w,
                 file_names=[f'{name}/{t:05d}.jpg' for t in range(n)]))
        for tr in v['tracks']:
            masks = tr['masks']
            assert len(masks) == n
            if seg_format == 'uncompressed':
                segs = [None if m is None else uncompressed_rle(m)
                        for m in masks]
            elif seg_format == 'polygon':
                segs = [None if m is None else box_polygon(m) for m in masks]
            else:
                segs = [rle(m) for m in masks]
            out['annotations'].append(
                dict(id=tr['id'], video_id=v['id'], category_id=tr['cat'],
                     segmentations=segs, height=h, width=w,
                     areas=[None if m is None else int(m.sum())
                            for m in masks],
                     bboxes=[None if m is None else [0, 0, 1, 1]
                             for m in masks],
                     iscrowd=0))
    return out


def make_results(video_id: int, tracks: Sequence[dict],
                 fmt: str = 'null', h: int = H, w: int = W) -> List[dict]:
    """Results of one video. ``tracks``: ``[dict(cat, score, masks)]``.
    ``fmt='avism'`` writes the empty mask where a track is absent (AVISM's
    files), ``'null'`` writes null."""
    out = []
    for tr in tracks:
        segs = []
        for m in tr['masks']:
            if m is None and fmt == 'avism':
                m = np.zeros((h, w), dtype=np.uint8)
            segs.append(rle(m))
        out.append(dict(video_id=video_id, score=tr['score'],
                        category_id=tr['cat'], segmentations=segs))
    return out


def perfect_results(gt_videos: Sequence[dict], fmt: str = 'null') -> list:
    """The ground truth itself, as results (score 1)."""
    out = []
    for v in gt_videos:
        out += make_results(
            v['id'], [dict(cat=t['cat'], score=1.0, masks=t['masks'])
                      for t in v['tracks']], fmt, v.get('h', H),
            v.get('w', W))
    return out


def standard_videos() -> List[dict]:
    """Two videos with every frame type.

    video 1 (7 frames): track 11 (cat 1) in frames 0-3, track 12 (cat 2) in
    frames 2-5; frame 6 silent. Frame types: s s m m s s n.
    video 2 (4 frames): track 21 (cat 1) in frames 1-2. Types: n s s n.
    """
    a = [box(2 + t, 3, 20 + t, 20) for t in range(7)]
    b = [box(30, 10 + t, 50, 30 + t) for t in range(7)]
    c = [box(5, 5, 25 + 2 * t, 25) for t in range(4)]
    return [
        dict(id=1, length=7, tracks=[
            dict(id=11, cat=1, masks=a[:4] + [None] * 3),
            dict(id=12, cat=2, masks=[None] * 2 + b[2:6] + [None]),
        ]),
        dict(id=2, length=4, tracks=[
            dict(id=21, cat=1, masks=[None, c[1], c[2], None]),
        ]),
    ]


def random_case(seed: int = 0, num_videos: int = 4, h: int = 300,
                w: int = 400) -> tuple:
    """A generated case for cross-checks: GT tracks of 3 classes with small,
    medium and large masks that come and go, and predictions that shift,
    drop frames, switch ids, swap classes and add false tracks.

    Returns:
        (videos, results_null, results_avism): the GT video specs (for
        :func:`make_gt`) and the same predictions in both result formats.
    """
    rng = np.random.default_rng(seed)
    videos, preds = [], []
    next_id = 100
    for vid in range(1, num_videos + 1):
        n = int(rng.integers(5, 9))
        tracks, vpreds = [], []
        for _ in range(int(rng.integers(1, 4))):
            cat = int(rng.integers(1, 4))
            side = int(rng.choice([40, 160, 290]))
            x = int(rng.integers(0, w - side))
            y = int(rng.integers(0, h - side))
            present = rng.random(n) < 0.7
            masks = [box(x, y, x + side, y + side, h, w) if p else None
                     for p in present]
            if not any(present):
                masks[0] = box(x, y, x + side, y + side, h, w)
            tracks.append(dict(id=next_id, cat=cat, masks=masks))
            next_id += 1
            # prediction: shifted, some frames dropped, maybe split in two
            dx = int(rng.integers(-side // 4, side // 4 + 1))
            pmasks = [None if m is None or rng.random() < 0.15 else
                      np.roll(m, dx, axis=1) for m in masks]
            pcat = cat if rng.random() < 0.8 else int(rng.integers(1, 4))
            if rng.random() < 0.4:
                cut = int(rng.integers(1, n))
                vpreds.append(dict(cat=pcat, score=float(rng.random()),
                                   masks=pmasks[:cut] + [None] * (n - cut)))
                vpreds.append(dict(cat=pcat, score=float(rng.random()),
                                   masks=[None] * cut + pmasks[cut:]))
            else:
                vpreds.append(dict(cat=pcat, score=float(rng.random()),
                                   masks=pmasks))
        if rng.random() < 0.7:  # a false track (e.g. a silent object)
            side = 60
            fm = box(0, 0, side, side, h, w)
            vpreds.append(dict(cat=int(rng.integers(1, 4)),
                               score=float(rng.random()),
                               masks=[fm if rng.random() < 0.6 else None
                                      for _ in range(n)]))
        # every prediction present somewhere (so both formats mean the same)
        vpreds = [p for p in vpreds if any(m is not None for m in p['masks'])]
        videos.append(dict(id=vid, length=n, tracks=tracks, h=h, w=w))
        preds.append((vid, vpreds))
    res_null = [r for vid, p in preds
                for r in make_results(vid, p, 'null', h, w)]
    res_avism = [r for vid, p in preds
                 for r in make_results(vid, p, 'avism', h, w)]
    return videos, res_null, res_avism
