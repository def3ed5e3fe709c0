# Copyright (c) seavis_mm contributors. All rights reserved.
"""Which visible instance sounds in which frame, from two annotation files.

AVISeg annotates only the objects that sound. ToyAVIS can also write every
visible object (``{split}_visible.json``, ``make_toyavis.py
--write-visible``). Training on the visible file with a sounding flag per
instance and frame lets the masks learn *what is there* and the sounding
probability *what sounds*, apart (``AVISegDataset(sounding_ann_file=...)``).

The two files number their annotations independently, so an instance is
matched by what both files hold for it: the video, the category and the
mask of the frame, which a sounding annotation copies from the visible one.
"""
from typing import Callable, Dict, List, Set, Tuple

from .aviseg_dataset import AVISDataError

# (video id, frame, category id, compressed RLE counts) -> visible ann id
_Key = Tuple[int, int, int, str]


def sounding_instance_ids(visible: Dict[int, List[dict]],
                          sounding: Dict[int, List[dict]],
                          lengths: Dict[int, int],
                          to_rle: Callable[[dict, int, int, str], dict],
                          visible_file: str,
                          sounding_file: str) -> Dict[int, List[Set[int]]]:
    """Per video, per frame, the ids of the visible annotations that sound.

    Args:
        visible (dict): video id -> its annotations in ``visible_file``
            (every visible object).
        sounding (dict): video id -> its annotations in ``sounding_file``
            (the sounding objects only, AVISeg's own file).
        lengths (dict): video id -> number of frames.
        to_rle (callable): ``(ann, frame, video_id, file) -> compressed
            RLE`` or None for a null or empty mask (the dataset's own
            decoding, so that both files are compared as the loader reads
            them; ``file`` names the annotation's file in its errors).
        visible_file (str): its name, for errors.
        sounding_file (str): its name, for errors.

    Returns:
        dict: video id -> a list over frames of sets of visible annotation
        ids.

    Raises:
        AVISDataError: a video of ``sounding_file`` is not in
            ``visible_file``, or a sounding mask matches no visible
            annotation (or more than one) of its video, category and frame.
    """
    index: Dict[_Key, List[int]] = {}
    for vid, anns in visible.items():
        for ann in anns:
            for t in range(len(ann['segmentations'])):
                rle = to_rle(ann, t, vid, visible_file)
                if rle is not None:
                    key = (vid, t, ann['category_id'], rle['counts'])
                    index.setdefault(key, []).append(ann['id'])
    out: Dict[int, List[Set[int]]] = {
        vid: [set() for _ in range(n)]
        for vid, n in lengths.items()
    }
    for vid, anns in sounding.items():
        if not anns:
            continue
        if vid not in lengths:
            raise AVISDataError(
                f'{sounding_file}: video id {vid} has sounding annotations '
                f'but is not in {visible_file}')
        for ann in anns:
            for t in range(len(ann['segmentations'])):
                rle = to_rle(ann, t, vid, sounding_file)
                if rle is None:
                    continue
                hits = index.get((vid, t, ann['category_id'], rle['counts']),
                                 [])
                if len(hits) != 1:
                    found = 'no' if not hits else f'{len(hits)}'
                    raise AVISDataError(
                        f'{sounding_file}: annotation id {ann["id"]} (video '
                        f'id {vid}, frame {t}, category_id '
                        f'{ann["category_id"]}): {found} annotation of '
                        f'{visible_file} has the same category and mask in '
                        'that frame; expected exactly one (the visible file '
                        'must annotate every sounding object, with the same '
                        'mask)')
                out[vid][t].add(hits[0])
    return out
