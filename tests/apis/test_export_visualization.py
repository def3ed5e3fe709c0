# Copyright (c) seavis_mm contributors. All rights reserved.
"""Results export (AVISM format, id PNGs) and drawing."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from pycocotools import mask as mask_utils

from seavis_mm.apis import (OverlayPainter, StreamResults, instance_id_map,
                            plot_timeline, track_color, write_instance_png)


def _inst(masks, labels, scores, ids, sound=None):
    inst = InstanceData()
    inst.masks = torch.as_tensor(np.asarray(masks, bool))
    inst.labels = torch.tensor(labels)
    inst.scores = torch.tensor(scores, dtype=torch.float32)
    inst.instances_id = torch.tensor(ids)
    if sound is not None:
        inst.sound_scores = torch.tensor(sound, dtype=torch.float32)
    return inst


def _box(y0, y1, x0, x1, h=20, w=30):
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = True
    return m


def test_stream_results_avism_format():
    res = StreamResults(20, 30, cat_ids=[7, 8, 9])
    res.add(0, _inst([_box(0, 5, 0, 5)], [0], [0.9], [4]))
    res.add(1, _inst([_box(0, 5, 0, 5), _box(10, 15, 10, 20)], [1, 2],
                     [0.5, 0.8], [4, 6]))
    res.add(2, _inst(np.zeros((0, 20, 30)), [], [], []))
    res.add(3, _inst([_box(1, 6, 1, 6)], [1], [0.7], [4]))
    out = res.to_avism(video_id=12)
    assert [r['video_id'] for r in out] == [12, 12]
    t4, t6 = out
    assert t4['category_id'] == 8  # majority label 1 -> cat id 8
    assert t4['score'] == pytest.approx((0.9 + 0.5 + 0.7) / 3)
    assert t6['category_id'] == 9 and t6['score'] == pytest.approx(0.8)
    assert len(t4['segmentations']) == len(t6['segmentations']) == 4
    for f, expect in enumerate([25, 25, 0, 25]):
        rle = t4['segmentations'][f]
        assert isinstance(rle['counts'], str) and rle['size'] == [20, 30]
        assert int(mask_utils.area(dict(rle))) == expect
    assert int(mask_utils.area(dict(t6['segmentations'][0]))) == 0
    with pytest.raises(ValueError, match='expected'):
        res.add(4, _inst(np.zeros((1, 5, 5)), [0], [0.5], [1]))


def test_instance_id_map_and_png(tmp_path):
    inst = _inst([_box(0, 10, 0, 10), _box(5, 15, 5, 15)], [0, 1],
                 [0.4, 0.9], [0, 300])
    ids = instance_id_map(inst, 20, 30)
    assert ids.dtype == np.uint16
    assert ids[0, 0] == 1 and ids[7, 7] == 301  # higher score on top
    assert ids[19, 29] == 0
    path = str(tmp_path / 'a' / '00000.png')
    write_instance_png(path, ids)
    back = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    assert back.dtype == np.uint16 and np.array_equal(back, ids)


def test_overlay_painter():
    img = np.full((20, 30, 3), 100, np.uint8)
    inst = _inst([_box(8, 18, 2, 12), _box(8, 18, 15, 28)], [0, 1],
                 [0.9, 0.8], [0, 1], sound=[0.7, -0.2])
    inst.class_names = ['violin', 'piano']
    painter = OverlayPainter(alpha=0.5, sound_thr=0.3)
    painter.set_instances(inst)
    assert [it.sounding for it in painter._items] == [True, False]
    out = painter.draw(img)
    assert out.shape == img.shape and np.array_equal(img, np.full_like(
        img, 100))  # input untouched
    expect = (100 * 0.5 + np.array(track_color(0)) * 0.5).astype(np.uint8)
    assert np.array_equal(out[14, 7], expect)  # inside, off the contour
    # the same prepared frame drawn on a larger image (masks resized)
    big = painter.draw(np.full((40, 60, 3), 100, np.uint8))
    assert np.array_equal(big[28, 14], expect)
    assert track_color(0) != track_color(1)


def test_plot_timeline(tmp_path):
    sr = 16000
    audio = np.sin(2 * np.pi * 440 * np.arange(3 * sr) / sr)
    path = plot_timeline(
        str(tmp_path / 't.png'), audio, sr, 1.0, 3, {0: [0, 1], 3: [2]},
        {0: 'bell', 3: 'drum'})
    img = cv2.imread(path)
    assert img is not None and img.shape[1] >= 800
    # no tracks and no audio still gives a plot
    path = plot_timeline(str(tmp_path / 'e.png'), np.zeros(0), sr, 1.0, 3,
                         {}, {})
    assert cv2.imread(path) is not None
