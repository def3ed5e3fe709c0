# Copyright (c) seavis_mm contributors. All rights reserved.
"""AVISeg: audio-visual instance segmentation videos in the released layout.

Reads the raw YouTube-VIS style JSON that AVISeg ships (``videos``,
``annotations`` with per-frame ``segmentations``, ``categories``) and the
per-video audio, with no conversion step::

    data_root/
      train.json
      train/JPEGImages/<video>/<frame>.jpg
      train/WAVAudios/<video>.wav         # audio_source='wav'
      train/FEATAudios/<video>.npy        # audio_source='feat', [T, 128]
"""
import json
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import mmengine.fileio as fileio
import pycocotools.mask as mask_utils
from mmdet.datasets import BaseVideoDataset
from mmengine.logging import print_log

from seavis_mm.registry import DATASETS
from .transforms.loading import warn_once

AVISEG_CLASSES = ('person', 'violin', 'guitar', 'cello', 'flute', 'piano',
                  'ukulele', 'accordion', 'guzheng', 'clarinet', 'cat', 'car',
                  'saxophone', 'dog', 'lawn_mover', 'tuba', 'banjo', 'pipa',
                  'bassoon', 'airplane', 'tree_harvester', 'trumpet', 'lion',
                  'bass', 'erhu', 'horse')


class AVISDataError(ValueError):
    """The annotation file or the data layout is not what AVISeg has."""


def safe_join(root: str, rel: str, where: str) -> str:
    """Join ``rel`` under ``root``, refusing paths that leave ``root``.

    A JSON that names ``../../etc/passwd``, ``/etc/passwd``, ``C:\\x`` or a
    URL as a frame would otherwise make the loader read arbitrary files.
    """
    if not isinstance(rel, str) or not rel:
        raise AVISDataError(f'{where}: file name {rel!r} is not a non-empty '
                            'string')
    if (osp.isabs(rel) or rel.startswith(('/', '\\'))
            or re.match(r'^[A-Za-z]:', rel) or '://' in rel):
        raise AVISDataError(
            f'{where}: file name {rel!r} is an absolute path or URL; file '
            f'names must be relative to {root!r}')
    if '..' in re.split(r'[\\/]+', rel):
        raise AVISDataError(
            f'{where}: file name {rel!r} contains ".." and would escape '
            f'{root!r}; refused')
    path = osp.normpath(osp.join(root, rel))
    root_n = osp.normpath(root) if root else '.'
    if osp.commonpath([osp.abspath(path),
                       osp.abspath(root_n)]) != osp.abspath(root_n):
        raise AVISDataError(
            f'{where}: file name {rel!r} resolves outside {root!r}; refused')
    return path


def to_compressed_rle(seg, height: int, width: int, where: str) -> dict:
    """Any COCO segmentation (polygons, uncompressed RLE, compressed RLE) as
    a compressed RLE dict with ``counts`` as ``str`` (what mmdet's
    ``LoadAnnotations(poly2mask=True)`` decodes and JSON can hold)."""
    if isinstance(seg, list):
        polys = [p for p in seg if isinstance(p, list)]
        if not polys or len(polys) != len(seg) or any(
                len(p) < 6 or len(p) % 2 for p in polys):
            raise AVISDataError(
                f'{where}: polygon segmentation must be a list of '
                '[x1, y1, x2, y2, ...] lists of >= 3 points')
        rle = mask_utils.merge(mask_utils.frPyObjects(polys, height, width))
    elif isinstance(seg, dict):
        if 'counts' not in seg or 'size' not in seg:
            raise AVISDataError(f'{where}: RLE segmentation needs "size" '
                                f'and "counts", got keys {sorted(seg)}')
        if list(seg['size']) != [height, width]:
            raise AVISDataError(
                f'{where}: RLE size {seg["size"]} differs from the video '
                f'size [{height}, {width}]')
        counts = seg['counts']
        if isinstance(counts, list):
            if sum(counts) != height * width or any(
                    not isinstance(c, int) or c < 0 for c in counts):
                raise AVISDataError(
                    f'{where}: uncompressed RLE counts must be '
                    f'non-negative ints summing to {height * width}')
            rle = mask_utils.frPyObjects(seg, height, width)
        elif isinstance(counts, (str, bytes)):
            rle = dict(size=[height, width], counts=counts)
        else:
            raise AVISDataError(f'{where}: RLE counts must be a list or a '
                                f'string, got {type(counts).__name__}')
    else:
        raise AVISDataError(
            f'{where}: segmentation must be null, an RLE dict or a polygon '
            f'list, got {type(seg).__name__}')
    counts = rle['counts']
    if isinstance(counts, bytes):
        counts = counts.decode('ascii')
    return dict(size=[height, width], counts=counts)


def _require(obj: dict, key: str, types, where: str):
    if not isinstance(obj, dict) or key not in obj:
        raise AVISDataError(f'{where}: missing field {key!r}')
    value = obj[key]
    if not isinstance(value, types) or isinstance(value, bool):
        names = (types.__name__ if isinstance(types, type) else '/'.join(
            t.__name__ for t in types))
        raise AVISDataError(f'{where}: field {key!r} must be {names}, got '
                            f'{type(value).__name__} ({value!r:.60})')
    return value


@DATASETS.register_module()
class AVISegDataset(BaseVideoDataset):
    """AVISeg dataset (and ToyAVIS) with per-frame audio.

    ``data_list[i]`` is one video, ``dict(video_id, video_length, images)``,
    each frame as in ``docs/en/advanced_guides/data_flow.md`` section 1. Only
    instances that sound in a frame are listed there (a null segmentation is
    a frame where the instance is silent or invisible); ``instance_id`` is the
    annotation id, stable over the video. Frames without sounding instances
    are kept in training: they teach the model to output nothing.

    Labels are the index of the JSON category's name in
    ``metainfo['classes']`` (default: the 26 AVISeg classes);
    ``metainfo['cat_ids']`` gets the JSON id of each label (a class absent
    from the JSON keeps ``label + 1``, the AVISeg numbering).

    Args:
        fps (float): Frame rate of the annotated frames. AVISeg: 1.
        audio_source (str): ``'wav'`` (log-mel from the wav) or ``'feat'``
            (released VGGish features).
        missing_audio (str): ``'error'`` (default) or ``'silence'`` (a video
            without its audio file gets silence, with one warning).
        check_files (bool): Check at start-up that every frame file and the
            audio file of every video exist. Defaults to True.
        sounding_ann_file (str, optional): Train on every visible object:
            ``ann_file`` then annotates every visible object (ToyAVIS
            ``{split}_visible.json``) and this file, AVISeg's own, the
            sounding ones. Each frame gets ``sounding_instance_ids`` (the
            visible annotation ids that sound in it), which
            ``PackAVISInputs`` turns into ``gt_instances.sounding``
            (:mod:`seavis_mm.datasets.sounding_flags`). Relative to
            ``data_root`` as ``ann_file`` is. None (default): ``ann_file``
            holds only the sounding objects, as AVISeg does.
        *args, **kwargs: ``BaseVideoDataset`` arguments (``data_root``,
            ``ann_file``, ``data_prefix=dict(img_path=..., audio_path=...,
            feat_path=...)``, ``metainfo``, ``pipeline``, ``test_mode``...).
    """

    METAINFO = dict(classes=AVISEG_CLASSES)

    def __init__(self,
                 *args,
                 fps: float = 1.0,
                 audio_source: str = 'wav',
                 missing_audio: str = 'error',
                 check_files: bool = True,
                 sounding_ann_file: Optional[str] = None,
                 **kwargs) -> None:
        if audio_source not in ('wav', 'feat'):
            raise ValueError("audio_source must be 'wav' or 'feat', got "
                             f'{audio_source!r}')
        if missing_audio not in ('error', 'silence'):
            raise ValueError("missing_audio must be 'error' or 'silence', "
                             f'got {missing_audio!r}')
        if not fps > 0:
            raise ValueError(f'fps must be > 0, got {fps}')
        self.fps = float(fps)
        self.audio_source = audio_source
        self.missing_audio = missing_audio
        self.check_files = check_files
        root = kwargs.get('data_root') or ''
        if sounding_ann_file and root and not osp.isabs(sounding_ann_file):
            sounding_ann_file = osp.join(root, sounding_ann_file)
        self.sounding_ann_file = sounding_ann_file
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------
    def _prefix(self, key: str) -> str:
        """Resolved prefix of ``key``; audio folders default to the
        siblings of ``JPEGImages`` (``WAVAudios`` / ``FEATAudios``)."""
        if self.data_prefix.get(key):
            return self.data_prefix[key]
        img = self.data_prefix.get('img_path', '')
        sibling = dict(audio_path='WAVAudios', feat_path='FEATAudios')[key]
        head, tail = osp.split(osp.normpath(img)) if img else ('', '')
        if tail != 'JPEGImages':
            raise AVISDataError(
                f'data_prefix has no {key!r} and img_path {img!r} does not '
                f'end with JPEGImages/ to derive it; set data_prefix='
                f"dict(img_path=..., {key}='.../{sibling}/')")
        return osp.join(head, sibling)

    def _load_json(self, path: Optional[str] = None) -> dict:
        path = self.ann_file if path is None else path
        try:
            with fileio.get_local_path(path) as local_path:
                with open(local_path, 'r') as f:
                    raw = json.load(f)
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'annotation file {path!r} not found') from e
        except json.JSONDecodeError as e:
            raise AVISDataError(
                f'annotation file {path!r} is not valid JSON: '
                f'{e}') from e
        if not isinstance(raw, dict):
            raise AVISDataError(f'{path}: expected a JSON object '
                                'with videos / annotations / categories')
        return raw

    def _parse_categories(self, raw: dict) -> Dict[int, int]:
        """JSON category id -> label; writes ``metainfo['cat_ids']``."""
        where = f'{self.ann_file}'
        cats = _require(raw, 'categories', list, where)
        classes = list(self.metainfo['classes'])
        cat2label, unknown = {}, []
        cat_ids = [i + 1 for i in range(len(classes))]
        for i, cat in enumerate(cats):
            w = f'{where}: categories[{i}]'
            cid = _require(cat, 'id', int, w)
            name = _require(cat, 'name', str, w)
            if cid in cat2label:
                raise AVISDataError(f'{w}: duplicate category id {cid}')
            if name not in classes:
                unknown.append(name)
                continue
            cat2label[cid] = classes.index(name)
            cat_ids[classes.index(name)] = cid
        if unknown:
            raise AVISDataError(
                f'{where}: categories {unknown} are not in '
                f'metainfo["classes"] {tuple(classes)}; set metainfo='
                'dict(classes=...) to the dataset\'s class names')
        self._metainfo['cat_ids'] = cat_ids
        return cat2label

    def _frame_instances(self, anns: List[dict], t: int, h: int, w: int,
                         cat2label: Dict[int, int], where: str) -> List[dict]:
        instances = []
        for ann in anns:
            seg = ann['segmentations'][t]
            if seg is None:
                continue
            w_t = f'{where}, annotation id {ann["id"]}, frame {t}'
            rle = to_compressed_rle(seg, h, w, w_t)
            if int(mask_utils.area(rle)) == 0:
                # An empty mask is the same as null: nothing visible sounds.
                continue
            x, y, bw, bh = mask_utils.toBbox(rle).tolist()
            instances.append(
                dict(bbox=[x, y, x + bw, y + bh],
                     bbox_label=cat2label[ann['category_id']],
                     ignore_flag=int(bool(ann.get('iscrowd', 0))),
                     mask=rle,
                     instance_id=ann['id']))
        return instances

    @staticmethod
    def _group_annotations(anns: List[dict], lengths: Dict[int, int],
                           cat2label: Dict[int, int], src: str,
                           by_video: Dict[int, List[dict]]) -> None:
        """Check each annotation of ``src`` against its video and append it
        to ``by_video[video_id]``."""
        ann_ids = set()
        for j, ann in enumerate(anns):
            where = f'{src}: annotations[{j}]'
            aid = _require(ann, 'id', int, where)
            vid = _require(ann, 'video_id', int, where)
            cid = _require(ann, 'category_id', int, where)
            segs = _require(ann, 'segmentations', list, where)
            if aid in ann_ids:
                raise AVISDataError(f'{where}: duplicate annotation id {aid}')
            ann_ids.add(aid)
            if vid not in lengths:
                raise AVISDataError(f'{where} (id {aid}): video_id {vid} is '
                                    'not in "videos"')
            if cid not in cat2label:
                raise AVISDataError(f'{where} (id {aid}): category_id {cid} '
                                    'is not in "categories"')
            if len(segs) != lengths[vid]:
                raise AVISDataError(
                    f'{where} (id {aid}): {len(segs)} segmentations for a '
                    f'video of {lengths[vid]} frames')
            by_video[vid].append(ann)

    def _sounding_masks(self, raw: dict, lengths: Dict[int, int],
                        cat2label: Dict[int, int]) -> Optional[dict]:
        """With ``sounding_ann_file``: its checked, non-empty masks by
        ``(video id, frame)`` (:func:`~.sounding_flags.sounding_masks`);
        else None."""
        if not self.sounding_ann_file:
            return None
        # imported here: sounding_flags raises this module's AVISDataError
        from .sounding_flags import sounding_masks
        src = self.sounding_ann_file
        other = self._load_json(src)
        if other.get('categories') != raw.get('categories'):
            raise AVISDataError(
                f'{src}: "categories" differ from those of {self.ann_file}; '
                'the sounding and the visible files must share them')
        for i, video in enumerate(_require(other, 'videos', list, src)):
            vid = _require(video, 'id', int, f'{src}: videos[{i}]')
            if lengths.get(vid) != len(video.get('file_names', ())):
                raise AVISDataError(
                    f'{src}: videos[{i}] (id {vid}) is not a video of '
                    f'{self.ann_file} with the same frames')
        by_video: Dict[int, List[dict]] = {vid: [] for vid in lengths}
        self._group_annotations(
            _require(other, 'annotations', list, src), lengths, cat2label,
            src, by_video)
        sizes = {v['id']: (v['height'], v['width']) for v in raw['videos']}
        return sounding_masks(by_video, sizes, cat2label, src)

    def load_data_list(self) -> List[dict]:
        """Parse the raw AVISeg JSON into one ``dict`` per video."""
        raw = self._load_json()
        src = self.ann_file
        cat2label = self._parse_categories(raw)
        videos = _require(raw, 'videos', list, src)
        if not videos:
            raise AVISDataError(f'{src}: "videos" is empty')
        if 'annotations' in raw or not self.test_mode:
            anns = _require(raw, 'annotations', list, src)
        else:
            anns = []  # a test split may come without ground truth

        img_root = self.data_prefix.get('img_path', '') or ''
        audio_root = self._prefix('audio_path') \
            if self.audio_source == 'wav' else None
        feat_root = self._prefix('feat_path') \
            if self.audio_source == 'feat' else None

        by_video: Dict[int, List[dict]] = {}
        lengths: Dict[int, int] = {}
        data_list, img_id = [], 0
        for i, video in enumerate(videos):
            where = f'{src}: videos[{i}]'
            vid = _require(video, 'id', int, where)
            names = _require(video, 'file_names', list, where)
            if vid in lengths:
                raise AVISDataError(f'{where}: duplicate video id {vid}')
            if not names:
                raise AVISDataError(f'{where} (id {vid}): "file_names" is '
                                    'empty; a video needs at least 1 frame')
            if video.get('length', len(names)) != len(names):
                raise AVISDataError(
                    f'{where} (id {vid}): "length" is {video["length"]} but '
                    f'there are {len(names)} file_names')
            _require(video, 'height', int, where)
            _require(video, 'width', int, where)
            lengths[vid] = len(names)
            by_video[vid] = []

        self._group_annotations(anns, lengths, cat2label, src, by_video)
        sounding = self._sounding_masks(raw, lengths, cat2label)
        if sounding is not None:
            # imported here, as in _sounding_masks
            from .sounding_flags import sounding_instance_ids

        for video in videos:
            vid, names = video['id'], video['file_names']
            h, w = video['height'], video['width']
            where = f'{src}: video id {vid}'
            if h <= 0 or w <= 0:
                raise AVISDataError(f'{where}: height/width must be > 0')
            paths = [
                safe_join(img_root, fn, f'{where}, file_names[{t}]')
                for t, fn in enumerate(names)
            ]
            name = self._video_name(names[0], where)
            where = f'{src}: video {name!r} (id {vid})'
            audio_path = osp.join(audio_root, name + '.wav') \
                if audio_root is not None else None
            feat_path = osp.join(feat_root, name + '.npy') \
                if feat_root is not None else None
            if self.check_files:
                self._check_files(where, paths, audio_path or feat_path)
            images = []
            for t, path in enumerate(paths):
                images.append(
                    dict(img_id=img_id,
                         img_path=path,
                         frame_id=t,
                         video_id=vid,
                         video_name=name,
                         height=h,
                         width=w,
                         fps=self.fps,
                         audio_path=audio_path,
                         feat_path=feat_path,
                         audio_source=self.audio_source,
                         missing_audio=self.missing_audio,
                         instances=self._frame_instances(
                             by_video[vid], t, h, w, cat2label, where)))
                if sounding is not None:
                    images[-1]['sounding_instance_ids'] = \
                        sounding_instance_ids(
                            images[-1]['instances'],
                            sounding.get((vid, t), []), src,
                            self.sounding_ann_file, t)
                img_id += 1
            data_list.append(
                dict(video_id=vid, video_length=len(images), images=images))
        num_inst = sum(
            len(f['instances']) for v in data_list for f in v['images'])
        kind = 'sounding' if sounding is None else 'visible'
        print_log(
            f'AVISegDataset {src}: {len(data_list)} videos, {img_id} '
            f'frames, {num_inst} {kind} instance masks', 'current')
        return data_list

    @staticmethod
    def _video_name(file_name: str, where: str) -> str:
        parts = [
            p for p in re.split(r'[\\/]+', file_name) if p not in ('', '.')
        ]
        if len(parts) < 2:
            raise AVISDataError(
                f'{where}: file name {file_name!r} has no video folder; '
                'AVISeg file names are "<video>/<frame>.jpg"')
        return parts[0]

    def _check_files(self, where: str, frames: Sequence[str],
                     audio: Optional[str]) -> None:
        for t, path in enumerate(frames):
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{where}: frame {t} file {path!r} not found')
        if audio is None or osp.isfile(audio):
            return
        if self.missing_audio == 'error':
            raise FileNotFoundError(
                f'{where}: audio file {audio!r} not found (set '
                "missing_audio='silence' to use silence instead)")
        warn_once((audio, 'missing'),
                  f'{where}: audio file {audio!r} not found; using silence '
                  "(missing_audio='silence')")

    def filter_data(self) -> List[dict]:
        """Keep every frame: frames with no sounding instance are
        informative negatives (mmdet would drop them)."""
        return self.data_list

    def get_video_info(self, idx: int) -> Tuple[str, int]:
        """``(video_name, video_length)`` of video ``idx``."""
        info = self.get_data_info(idx)
        return info['images'][0]['video_name'], info['video_length']
