# Copyright (c) seavis_mm contributors. All rights reserved.
"""How well per-frame audio category probabilities name what sounds.

The sounding gate can pass an object only if the frame's audio embedding
carries its sound. A multi-label tagger on that embedding (``AudioTagger``,
or ``SeaVISHead(sound_class_prior=...)``'s ``audio_cls``) makes it
measurable: per kind of frame (none, and the recall funnel's
:data:`~.recall_funnel.SOURCES`), the share of the sounding categories it
names, the share of the silent ones it names (false positives), and the
share of frames whose set of named categories is exactly right.
"""
from typing import Dict, Sequence

import numpy as np

from .recall_funnel import SOURCES, source_kind

#: the kinds of frame reported: no sounding object, then the funnel's
KINDS = ('none', ) + SOURCES


def tagging_by_sources(probs: np.ndarray,
                       frame_labels: Sequence[Sequence[int]],
                       thr: float = 0.5) -> Dict[str, Dict[str, float]]:
    """Category recall, false positives and exact sets per kind of frame.

    Args:
        probs (np.ndarray): ``[F, C]`` per-frame category probabilities.
        frame_labels (Sequence[Sequence[int]]): per frame, the label of
            each sounding object (one entry per object: two drums are
            ``[1, 1]``, a ``multiple_one_kind`` frame).
        thr (float): A category is named above this probability.

    Returns:
        dict: per kind in :data:`KINDS` with frames, ``frames``,
        ``category_recall`` (% of the frames' sounding categories named),
        ``false_positive`` (% of the other categories named) and
        ``exact`` (% of frames named exactly).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or len(probs) != len(frame_labels):
        raise ValueError(f'tagging_by_sources: probs of shape {probs.shape} '
                         f'for {len(frame_labels)} frames')
    num_classes = probs.shape[1]
    acc = {k: np.zeros(5) for k in KINDS}  # frames, hit, pos, fp, neg
    exact = {k: 0 for k in KINDS}
    for p, labels in zip(probs, frame_labels):
        truth = np.zeros(num_classes, bool)
        truth[list(labels)] = True
        kind = 'none' if not len(labels) else source_kind(
            len(labels), int(truth.sum()))
        named = p > thr
        acc[kind] += [1, (named & truth).sum(), truth.sum(),
                      (named & ~truth).sum(), (~truth).sum()]
        exact[kind] += int((named == truth).all())
    out = {}
    for kind, (frames, hit, pos, fp, neg) in acc.items():
        if not frames:
            continue
        out[kind] = dict(
            frames=int(frames),
            category_recall=round(100.0 * hit / pos, 2) if pos else None,
            false_positive=round(100.0 * fp / neg, 2) if neg else None,
            exact=round(100.0 * exact[kind] / frames, 2))
    return out


def format_tagging(name: str, stats: Dict[str, Dict[str, float]]) -> str:
    """A table of :func:`tagging_by_sources`."""
    lines = [f'{name}: audio tags, %  frames  category recall  '
             'false positive  exact set']
    for kind, s in stats.items():
        rec = '-' if s['category_recall'] is None else \
            f'{s["category_recall"]:.1f}'
        fp = '-' if s['false_positive'] is None else \
            f'{s["false_positive"]:.1f}'
        lines.append(f'  {kind:18s} {s["frames"]:6d} {rec:>16s} {fp:>15s} '
                     f'{s["exact"]:10.1f}')
    return '\n'.join(lines)
