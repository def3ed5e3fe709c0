# Copyright (c) seavis_mm contributors. All rights reserved.
"""Copy-paste a sounding instance within its own clip: a sounding look-alike.
"""
from typing import List, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.structures.mask import BitmapMasks

from seavis_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ClipCopyPaste(BaseTransform):
    """Paste a second copy of one annotated instance into every frame of its
    clip, shifted by one offset, as a new instance of the same category.

    Why: the recall funnel (configs/seavis/README.md) finds the sounding
    objects that are lost at the mask NMS lost mostly to one mask drawn over
    an object and its look-alike, two objects of one category side by side.
    Such pairs are a small share of the training frames. A copy of an
    annotated (visible and sounding) instance, moved as a whole clip, makes
    one: same look, same motion, a different place, its own id.

    The copy is labelled sounding because its original is (with every
    visible object annotated, ``sounding_instance_ids``, in the frames where
    its original sounds): the clip's audio
    is not changed, and a copy shares its original's sound exactly as the
    two would in a scene where look-alikes sound together (ToyAVIS's rule;
    on real data a pasted look-alike is as loud as its source). Only an
    instance annotated in *every* frame of the clip is copied, so that the
    copy never appears or vanishes within the clip (a visual cue of
    sounding that test videos do not have).

    mmdet's ``CopyPaste`` pastes the objects of another image into one
    image; here the source is the clip itself and one offset holds for all
    of its frames, so the copy moves like its original and keeps one id
    across the clip. Like mmdet's, the pasted pixels occlude what lies
    under them: other instances lose those pixels from their masks, and an
    offset that would hide more than ``1 - min_visible`` of any instance in
    any frame is not used.

    Runs after the per-frame ``TransformBroadcaster`` (the lists of
    ``img``, ``gt_masks``, ``gt_bboxes``, ``gt_bboxes_labels``,
    ``gt_instances_ids`` and ``gt_ignore_flags``, one entry a frame).

    Args:
        prob (float): Probability of pasting a copy into a clip.
            Defaults to 0.5.
        min_visible (float): Smallest share of each instance's pixels, in
            every frame, that must stay visible after pasting. Defaults to
            0.5.
        max_tries (int): Offsets drawn before the clip is left as it is.
            Defaults to 10.
        max_shift (float, optional): Largest offset along each axis, as a
            multiple of the source's size (the larger side of its box in a
            frame): 1.5 puts the copy beside its source, where look-alikes
            merge. None: anywhere in the frame. Defaults to None.
        id_offset (int): Added to the source instance id to make the copy's
            id, so that it differs from every annotated id of the dataset.
            Defaults to 10**7.
    """

    def __init__(self,
                 prob: float = 0.5,
                 min_visible: float = 0.5,
                 max_tries: int = 10,
                 max_shift: Optional[float] = None,
                 id_offset: int = 10**7) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'ClipCopyPaste: prob must be in [0, 1], got '
                             f'{prob}')
        if not 0.0 <= min_visible <= 1.0:
            raise ValueError('ClipCopyPaste: min_visible must be in [0, 1], '
                             f'got {min_visible}')
        if max_tries < 1:
            raise ValueError('ClipCopyPaste: max_tries must be >= 1, got '
                             f'{max_tries}')
        if max_shift is not None and max_shift <= 0:
            raise ValueError('ClipCopyPaste: max_shift must be > 0 or None, '
                             f'got {max_shift}')
        self.prob = prob
        self.max_shift = max_shift
        self.min_visible = min_visible
        self.max_tries = max_tries
        self.id_offset = id_offset

    def transform(self, results: dict) -> dict:
        """Paste one copy, or leave the clip as it is.

        Args:
            results (dict): A clip's per-frame lists.

        Returns:
            dict: The clip with the copy added to every frame, or unchanged.
        """
        for key in ('img', 'gt_masks', 'gt_bboxes', 'gt_bboxes_labels',
                    'gt_instances_ids'):
            if key not in results or not isinstance(results[key], list):
                raise KeyError(
                    f'ClipCopyPaste needs results["{key}"] as a list of '
                    'frames; put it after the TransformBroadcaster that '
                    'loads the images and annotations')
        if np.random.rand() >= self.prob:
            return results
        source = self._pick_source(results)
        if source is None:
            return results
        masks = [
            frame_masks.masks[self._index(ids, source)].astype(bool)
            for frame_masks, ids in zip(results['gt_masks'],
                                        results['gt_instances_ids'])
        ]
        offset = self._draw_offset(results, masks)
        if offset is None:
            return results
        self._paste(results, source, masks, offset)
        return results

    @staticmethod
    def _index(ids: np.ndarray, instance_id: int) -> int:
        return int(np.flatnonzero(np.asarray(ids) == instance_id)[0])

    def _pick_source(self, results: dict) -> Optional[int]:
        """A random instance id annotated, with pixels, in every frame."""
        common = None
        for frame_masks, ids in zip(results['gt_masks'],
                                    results['gt_instances_ids']):
            present = {
                int(i)
                for i, a in zip(ids, frame_masks.areas) if a > 0
            }
            common = present if common is None else common & present
        if not common:
            return None
        return int(np.random.choice(sorted(common)))

    def _draw_offset(self, results: dict,
                     masks: List[np.ndarray]) -> Optional[Tuple[int, int]]:
        """An offset that keeps the copy inside every frame, within
        ``max_shift`` of its source, and leaves every instance at least
        ``min_visible`` of its pixels."""
        height, width = masks[0].shape
        ys, xs = np.nonzero(np.any(np.stack(masks), axis=0))
        top, bottom = int(ys.min()), int(ys.max())
        left, right = int(xs.min()), int(xs.max())
        dy_range = [-top, height - bottom]
        dx_range = [-left, width - right]
        if self.max_shift is not None:
            # the source's size in one frame (the union box spans its
            # motion too)
            size = max(max(np.ptp(np.nonzero(m)[0]),
                           np.ptp(np.nonzero(m)[1])) + 1 for m in masks)
            reach = int(np.ceil(self.max_shift * size))
            dy_range = [max(dy_range[0], -reach), min(dy_range[1], reach + 1)]
            dx_range = [max(dx_range[0], -reach), min(dx_range[1], reach + 1)]
        if dy_range[0] >= dy_range[1] or dx_range[0] >= dx_range[1]:
            return None
        for _ in range(self.max_tries):
            dy = np.random.randint(*dy_range)
            dx = np.random.randint(*dx_range)
            if dy == 0 and dx == 0:
                continue
            if all(
                    self._visible_enough(frame_masks, shift(m, dy, dx))
                    for frame_masks, m in zip(results['gt_masks'], masks)):
                return dy, dx
        return None

    def _visible_enough(self, frame_masks: BitmapMasks,
                        pasted: np.ndarray) -> bool:
        kept = (frame_masks.masks.astype(bool) & ~pasted).sum((1, 2))
        return bool(np.all(kept >= self.min_visible * frame_masks.areas))

    def _paste(self, results: dict, source: int, masks: List[np.ndarray],
               offset: Tuple[int, int]) -> None:
        dy, dx = offset
        for t, mask in enumerate(masks):
            pasted = shift(mask, dy, dx)
            img = np.array(results['img'][t], copy=True)
            # the pixels under the source mask, moved to the copy's place
            img[pasted] = shift(img, dy, dx)[pasted]
            results['img'][t] = img
            ids = np.asarray(results['gt_instances_ids'][t])
            index = self._index(ids, source)
            old = results['gt_masks'][t].masks.astype(bool) & ~pasted[None]
            new_masks = BitmapMasks(
                np.concatenate([old, pasted[None]]).astype(np.uint8),
                *mask.shape)
            results['gt_masks'][t] = new_masks
            results['gt_bboxes'][t] = boxes_of(new_masks,
                                               results['gt_bboxes'][t])
            results['gt_instances_ids'][t] = np.append(
                ids, ids[index] + self.id_offset).astype(ids.dtype)
            labels = np.asarray(results['gt_bboxes_labels'][t])
            results['gt_bboxes_labels'][t] = np.append(
                labels, labels[index]).astype(labels.dtype)
            if 'gt_ignore_flags' in results:
                flags = np.asarray(results['gt_ignore_flags'][t])
                results['gt_ignore_flags'][t] = np.append(
                    flags, flags[index]).astype(flags.dtype)
            snd = results.get('sounding_instance_ids')
            if snd is not None and source in set(snd[t]):
                # every visible object annotated: the copy sounds where
                # its source does (AVISegDataset(sounding_ann_file=...))
                snd[t] = list(snd[t]) + [int(ids[index]) + self.id_offset]

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'min_visible={self.min_visible}, '
                f'max_tries={self.max_tries}, max_shift={self.max_shift})')


def shift(array: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``array`` (a mask ``[H, W]`` or an image ``[H, W, C]``) moved by
    ``(dy, dx)`` pixels; what leaves the frame is dropped, what enters is
    zero."""
    out = np.zeros_like(array)
    height, width = array.shape[:2]
    out[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        array[max(-dy, 0):height - max(dy, 0),
              max(-dx, 0):width - max(dx, 0)]
    return out


def boxes_of(masks: BitmapMasks, like):
    """The tight ``x1, y1, x2, y2`` box of each mask, in ``like``'s type:
    a numpy array, or an mmdet box structure (as mmdet's ``RandomCrop``
    recomputes them, which takes only the latter)."""
    boxes = masks.get_bboxes(dst_type='hbox')
    if isinstance(like, np.ndarray):
        return boxes.numpy().astype(like.dtype)
    return boxes.to(like.device, like.dtype)
