# Copyright (c) seavis_mm contributors. All rights reserved.
"""Which visible instance sounds in which frame, from two annotation files.

AVISeg annotates only the objects that sound. ToyAVIS can also write every
visible object (``{split}_visible.json``, ``make_toyavis.py
--write-visible``). Training on the visible file with a sounding flag per
instance and frame lets the masks learn *what is there* and the sounding
probability *what sounds*, apart (``AVISegDataset(sounding_ann_file=...)``).

The two files number their annotations independently, so an instance is
matched by what both files hold for it: the category and the mask of the
frame, which a sounding annotation copies from the visible one. The
visible side is the frame's instances as the dataset already decoded them.
"""
from typing import Dict, List, Tuple

import pycocotools.mask as mask_utils

from .aviseg_dataset import AVISDataError, to_compressed_rle

#: a sounding mask of one frame: (annotation, label, compressed RLE counts)
SoundingMask = Tuple[dict, int, str]


def sounding_masks(by_video: Dict[int, List[dict]],
                   sizes: Dict[int, Tuple[int, int]],
                   cat2label: Dict[int, int],
                   sounding_file: str) -> Dict[Tuple[int, int],
                                               List[SoundingMask]]:
    """``(video id, frame) ->`` the sounding file's non-empty masks there.

    Args:
        by_video (dict): video id -> its (checked) annotations in
            ``sounding_file``.
        sizes (dict): video id -> ``(height, width)``.
        cat2label (dict): JSON category id -> label.
        sounding_file (str): its name, for errors.
    """
    out: Dict[Tuple[int, int], List[SoundingMask]] = {}
    for vid, anns in by_video.items():
        h, w = sizes[vid]
        for ann in anns:
            for t, seg in enumerate(ann['segmentations']):
                if seg is None:
                    continue
                rle = to_compressed_rle(
                    seg, h, w,
                    f'{sounding_file}: annotation id {ann["id"]}, frame {t}')
                if int(mask_utils.area(rle)):  # empty: absent, as visible
                    out.setdefault((vid, t), []).append(
                        (ann, cat2label[ann['category_id']], rle['counts']))
    return out


def sounding_instance_ids(instances: List[dict],
                          sounding: List[SoundingMask], visible_file: str,
                          sounding_file: str, frame: int) -> List[int]:
    """The ids of the frame's visible instances that sound, sorted.

    Args:
        instances (list[dict]): the frame's instances from
            ``visible_file``, as ``AVISegDataset`` lists them (``mask``
            compressed RLE, ``bbox_label``, ``instance_id``).
        sounding (list): :func:`sounding_masks` of the frame.
        visible_file (str): its name, for errors.
        sounding_file (str): its name, for errors.
        frame (int): the frame's index, for errors.

    Raises:
        AVISDataError: a sounding mask matches no visible instance of its
            category in the frame, or more than one.
    """
    index: Dict[Tuple[int, str], List[int]] = {}
    for inst in instances:
        index.setdefault((inst['bbox_label'], inst['mask']['counts']),
                         []).append(inst['instance_id'])
    ids = []
    for ann, label, counts in sounding:
        hits = index.get((label, counts), [])
        if len(hits) != 1:
            found = 'no' if not hits else f'{len(hits)}'
            raise AVISDataError(
                f'{sounding_file}: annotation id {ann["id"]} (video id '
                f'{ann["video_id"]}, frame {frame}, category_id '
                f'{ann["category_id"]}): {found} annotation of '
                f'{visible_file} has the same category and mask in that '
                'frame; expected exactly one (the visible file must annotate '
                'every sounding object, with the same mask)')
        ids.append(hits[0])
    return sorted(ids)
