# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISLocalVisualizer: the one drawing path, rendered and checked pixel
by pixel."""
import cv2
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmdet.visualization import TrackLocalVisualizer
from mmengine.structures import InstanceData

from seavis_mm.apis import OverlayPainter, track_color
from seavis_mm.registry import VISUALIZERS
from seavis_mm.visualization import SeaVISLocalVisualizer, track_rgb

H, W = 100, 360


def _box(y0, y1, x0, x1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def _pred(sound=(0.9, -0.9)):
    inst = InstanceData()
    inst.masks = torch.as_tensor(np.stack([_box(50, 90, 10, 150),
                                           _box(50, 90, 200, 340)]))
    inst.labels = torch.tensor([0, 1])
    inst.scores = torch.tensor([0.9, 0.8])
    inst.instances_id = torch.tensor([3, 8])
    inst.sound_scores = torch.tensor(sound, dtype=torch.float32)
    return inst


def _vis(name, **kwargs):
    vis = VISUALIZERS.build(dict(type='SeaVISLocalVisualizer', name=name,
                                 **kwargs))
    vis.dataset_meta = dict(classes=('violin', 'piano'))
    return vis


def _blend(color, alpha=0.5, base=100):
    return (base * (1 - alpha) + np.array(color, np.float32) * alpha).astype(
        np.uint8)


def test_registered_subclass_of_mmdet_track_visualizer():
    vis = _vis('vis_registered')
    assert isinstance(vis, SeaVISLocalVisualizer)
    assert isinstance(vis, TrackLocalVisualizer)


def test_draws_mask_contour_label_and_sound_indicator():
    vis = _vis('vis_pixels', sound_thr=0.3)
    img = np.full((H, W, 3), 100, np.uint8)
    out = vis.draw_instances(img, _pred())
    assert np.array_equal(img, np.full_like(img, 100))  # input untouched
    # inside each mask, off its contour: the track's colour blended in
    assert np.array_equal(out[70, 80], _blend(track_rgb(3)))
    assert np.array_equal(out[70, 270], _blend(track_rgb(8)))
    assert track_rgb(3) != track_rgb(8)
    # the contour is white
    assert np.array_equal(out[89, 80], [255, 255, 255])
    # outside every mask and label: untouched
    assert np.array_equal(out[10, 180], [100, 100, 100])
    # labels: filled with the track colour above each mask's top-left
    frame = vis.prepare(_pred())
    assert [it.text for it in frame.items] == ['violin #3 0.90',
                                               'piano #8 0.80']
    assert [it.sounding for it in frame.items] == [True, False]
    row = out[48]  # just above the masks, inside the label boxes
    assert (row[:190] == track_rgb(3)).all(axis=1).sum() > 0
    assert (row[190:] == track_rgb(8)).all(axis=1).sum() > 0

    # the sounding indicator: the same instance drawn sounding and silent
    # differs only right of its label text (the loudspeaker)
    sounding = vis.draw_instances(img, _pred(sound=(0.9, 0.9)))
    silent = vis.draw_instances(img, _pred(sound=(-0.9, -0.9)))
    diff = np.nonzero((sounding != silent).any(axis=2))
    assert diff[0].size > 0
    assert diff[0].max() <= 50  # only in the label band, down to its mask
    # in the sounding image the label band is wider (room for the icon)
    w_sound = (sounding[48, :190] == track_rgb(3)).all(axis=1).sum()
    w_silent = (silent[48, :190] == track_rgb(3)).all(axis=1).sum()
    assert w_sound > w_silent


def test_bgr_and_resize():
    vis = _vis('vis_bgr')
    frame = vis.prepare(_pred())
    img = np.full((H, W, 3), 100, np.uint8)
    rgb = vis.draw_prepared(img, frame, 'rgb')
    bgr = vis.draw_prepared(img, frame, 'bgr')
    assert np.array_equal(rgb[..., ::-1], bgr)
    big = vis.draw_prepared(np.full((2 * H, 2 * W, 3), 100, np.uint8),
                            frame, 'rgb')
    assert np.array_equal(big[140, 160], _blend(track_rgb(3)))
    with pytest.raises(ValueError, match='channel_order'):
        vis.draw_prepared(img, frame, 'hsv')


def test_painter_is_the_visualizer():
    """The demo's OverlayPainter draws exactly what the visualizer draws."""
    inst = _pred()
    inst.class_names = ['violin', 'piano']
    painter = OverlayPainter(sound_thr=0.3)
    painter.set_instances(inst)
    img = np.random.RandomState(0).randint(0, 255, (H, W, 3), np.uint8)
    vis = _vis('vis_same', sound_thr=0.3)
    expect = vis.draw_instances(img[..., ::-1], inst, 'rgb')[..., ::-1]
    assert np.array_equal(painter.draw(img), expect)
    assert track_color(3) == track_rgb(3)[::-1]


def test_add_datasample_ground_truth_and_prediction(tmp_path):
    """What TrackVisualizationHook calls: GT (BitmapMasks, instances_ids)
    left, prediction right, written as a BGR file."""
    vis = _vis('vis_sample')
    sample = DetDataSample()
    gt = InstanceData()
    gt.masks = BitmapMasks(np.stack([_box(10, 40, 10, 40)]).astype(np.uint8),
                           H, W)
    gt.labels = torch.tensor([1])
    gt.instances_ids = torch.tensor([5])
    sample.gt_instances = gt
    sample.pred_track_instances = _pred()
    img = np.full((H, W, 3), 100, np.uint8)
    out = str(tmp_path / 'x.png')
    vis.add_datasample('x', img, data_sample=sample, out_file=out,
                       pred_score_thr=0.85)
    drawn = cv2.imread(out)[..., ::-1]
    assert drawn.shape == (H, 2 * W, 3)
    assert np.array_equal(drawn[25, 25], _blend(track_rgb(5)))
    assert np.array_equal(drawn[70, W + 80], _blend(track_rgb(3)))
    # the 0.8-score prediction is under pred_score_thr: not drawn
    assert np.array_equal(drawn[70, W + 270], [100, 100, 100])
