# Copyright (c) seavis_mm contributors. All rights reserved.
"""Does a model segment the objects that are visible but silent?

FSLA and HOTA score predictions against the *sounding* objects only, so a
prediction on a silent object and one on the background count the same.
This diagnostic separates them, with a second ground truth that annotates
every visible object (ToyAVIS writes it with ``--write-visible``): per frame,
each visible object is *sounding* when the sounding ground truth has it
(same mask) and *silent* otherwise, and each predicted mask is put in the
first class it overlaps at IoU >= ``iou_thr``: sounding object, silent
object, or neither.

An audio-blind model segments silent objects as often as sounding ones; a
model that follows sound segments them rarely.
"""
from typing import Dict, List, Union

from .avis_data import AVISGroundTruth, load_gt, load_results
from .masks import mask_ious

# A visible object and its sounding annotation hold the same mask; below
# this IoU they are different objects.
_SAME_OBJECT_IOU = 0.9


def silence_breakdown(gt: Union[str, dict, AVISGroundTruth],
                      visible_gt: Union[str, dict, AVISGroundTruth],
                      results: Union[str, list],
                      iou_thr: float = 0.5) -> Dict[str, float]:
    """Count predictions on sounding objects, silent objects and neither.

    Args:
        gt (str | dict | AVISGroundTruth): Ground truth of the sounding
            objects (AVISeg JSON, or :func:`load_gt`'s output).
        visible_gt (str | dict | AVISGroundTruth): The same videos with
            every visible object annotated (``{split}_visible.json`` of
            ToyAVIS).
        results (str | list): Results in AVISM's format (empty masks count
            as absences).
        iou_thr (float): IoU for a prediction to be on an object.

    Returns:
        dict: ``frames``; ``sounding_objects`` / ``silent_objects``
        (object-frames); ``sounding_found`` / ``silent_found`` (the fraction
        of those with a prediction on them, %); ``preds_per_frame`` and its
        split ``on_sounding`` / ``on_silent`` / ``on_nothing`` (%).
    """
    sounding = load_gt(gt)
    visible = load_gt(visible_gt)
    names = (_name(gt, 'gt'), _name(visible_gt, 'visible_gt'))
    if set(sounding.videos) != set(visible.videos):
        only = sorted(set(sounding.videos) ^ set(visible.videos))
        raise ValueError(f'silence_breakdown: {names[0]} and {names[1]} hold '
                         f'different videos (video ids in one only: {only})')
    preds = load_results(results, sounding, protocol='strict')
    counts = dict(frames=0, sounding_objects=0, silent_objects=0,
                  sounding_found=0, silent_found=0, on_sounding=0,
                  on_silent=0, on_nothing=0)
    for vid, video in sounding.videos.items():
        vis_video = visible.videos[vid]
        if vis_video.length != video.length:
            raise ValueError(f'silence_breakdown: video {vid} has '
                             f'"length" {video.length} in {names[0]} and '
                             f'{vis_video.length} in {names[1]}')
        for t in range(video.length):
            snd = _present(video.tracks, t)
            vis = _present(vis_video.tracks, t)
            pred = _present(preds.get(vid, []), t)
            silent = silent_objects(vis, snd)
            on_snd = mask_ious(snd, pred) >= iou_thr  # [objects, preds]
            on_sil = mask_ious(silent, pred) >= iou_thr
            counts['frames'] += 1
            counts['sounding_objects'] += len(snd)
            counts['silent_objects'] += len(silent)
            counts['sounding_found'] += int(on_snd.any(1).sum())
            counts['silent_found'] += int(on_sil.any(1).sum())
            hit_snd = on_snd.any(0)
            hit_sil = on_sil.any(0) & ~hit_snd
            counts['on_sounding'] += int(hit_snd.sum())
            counts['on_silent'] += int(hit_sil.sum())
            counts['on_nothing'] += int((~hit_snd & ~hit_sil).sum())
    num_preds = counts['on_sounding'] + counts['on_silent'] + \
        counts['on_nothing']
    out: Dict[str, float] = dict(
        frames=counts['frames'],
        sounding_objects=counts['sounding_objects'],
        silent_objects=counts['silent_objects'],
        sounding_found=_pct(counts['sounding_found'],
                            counts['sounding_objects']),
        silent_found=_pct(counts['silent_found'], counts['silent_objects']),
        preds_per_frame=num_preds / max(counts['frames'], 1))
    for key in ('on_sounding', 'on_silent', 'on_nothing'):
        out[key] = _pct(counts[key], num_preds)
    return out


def silent_objects(visible: list, sounding: list) -> list:
    """The visible objects of a frame (RLEs) that are not a sounding one:
    those whose mask matches no sounding annotation's."""
    same = mask_ious(visible, sounding)
    return [
        r for r, row in zip(visible, same)
        if not (row >= _SAME_OBJECT_IOU).any()
    ]


def _name(gt, arg: str) -> str:
    """The file a ground truth came from, for error messages."""
    return repr(gt) if isinstance(gt, str) else f'the {arg} argument'


def _present(tracks, t: int) -> List[dict]:
    return [
        tr.segmentations[t] for tr in tracks
        if tr.segmentations[t] is not None
    ]


def _pct(num: int, den: int) -> float:
    return float('nan') if den == 0 else 100.0 * num / den
