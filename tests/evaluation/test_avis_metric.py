# Copyright (c) seavis_mm contributors. All rights reserved.
"""AVISMetric in mmengine: whole videos of DetDataSamples in, avis/* out."""
import json
import math
import zipfile

import numpy as np
import pytest
import torch
from .avis_eval_cases import (box, make_gt, make_results, perfect_results,
                             standard_videos)
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData
from pycocotools import mask as mask_utils

from seavis_mm.evaluation import AVISMetric
from seavis_mm.evaluation.functional import evaluate_avis
from seavis_mm.registry import METRICS

H, W = 40, 60
CLASSES = ('violin', 'guitar', 'cello')
CAT_IDS = [1, 2, 3]


def _rle(mask):
    r = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': list(r['size']), 'counts': r['counts'].decode()}


def video_sample(video: dict, preds: list) -> TrackDataSample:
    """A TrackDataSample as the model's predict returns it. ``preds``:
    ``[dict(cat, score, masks)]`` tracks of the video (None = absent)."""
    frames = []
    for t in range(video['length']):
        instances = [
            dict(bbox=[0., 0., 1., 1.], bbox_label=CAT_IDS.index(tr['cat']),
                 ignore_flag=0, instance_id=tr['id'],
                 mask=_rle(tr['masks'][t]))
            for tr in video['tracks'] if tr['masks'][t] is not None
        ]
        present = [(k, p) for k, p in enumerate(preds)
                   if p['masks'][t] is not None]
        pred = InstanceData()
        pred.masks = torch.from_numpy(
            np.stack([p['masks'][t] for _, p in present]).astype(bool)
            if present else np.zeros((0, H, W), bool))
        pred.labels = torch.tensor([CAT_IDS.index(p['cat'])
                                    for _, p in present], dtype=torch.long)
        pred.scores = torch.tensor([p['score'] for _, p in present])
        pred.instances_id = torch.tensor([k for k, _ in present],
                                         dtype=torch.long)
        frame = DetDataSample(metainfo=dict(
            video_id=video['id'], frame_id=t, video_length=video['length'],
            ori_shape=(H, W), img_path=f'data/v{video["id"]}/{t:05d}.jpg',
            instances=instances))
        frame.pred_track_instances = pred
        frames.append(frame)
    sample = TrackDataSample()
    sample.video_data_samples = frames
    return sample


def run_metric(metric, videos, preds_per_video):
    metric.dataset_meta = dict(classes=CLASSES, cat_ids=CAT_IDS)
    for v in videos:
        # as mmengine's Evaluator hands them over: to_dict() of each sample
        metric.process({}, [video_sample(v, preds_per_video[v['id']])
                            .to_dict()])
    return metric.evaluate(size=len(videos))


def perfect_preds(videos):
    return {v['id']: [dict(cat=t['cat'], score=1., masks=t['masks'])
                      for t in v['tracks']] for v in videos}


@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
def test_metric_equals_function_on_files(protocol):
    videos = standard_videos()
    res = run_metric(AVISMetric(protocol=protocol), videos,
                     perfect_preds(videos))
    for key in ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA', 'LocA',
                'mAP'):
        assert f'avis/{key}' in res
    ref = evaluate_avis(make_gt(videos, CAT_IDS),
                        perfect_results(videos, 'avism'), protocol)
    for key, value in ref.items():
        assert res[f'avis/{key}'] == pytest.approx(round(value, 2),
                                                   nan_ok=True), key
    if protocol == 'strict':
        assert res['avis/FSLA'] == 100 and res['avis/HOTA'] == 100
        assert res['avis/mAP'] == 100
    else:
        assert res['avis/FAn'] == 0


def test_metric_scores_a_wrong_prediction_lower():
    videos = standard_videos()
    preds = perfect_preds(videos)
    preds[2] = [dict(cat=2, score=.5, masks=[box(0, 0, 5, 5)] * 4)]
    res = run_metric(AVISMetric(), videos, preds)
    assert res['avis/FSLA'] < 100 and res['avis/HOTA'] < 100
    assert res['avis/mAP'] < 100
    ref = evaluate_avis(
        make_gt(videos, CAT_IDS),
        perfect_results(videos[:1]) +
        make_results(2, [dict(cat=2, score=.5, masks=[box(0, 0, 5, 5)] * 4)]))
    assert res['avis/FSLA'] == pytest.approx(round(ref['FSLA'], 2))
    assert res['avis/mAP'] == pytest.approx(round(ref['mAP'], 2))


def test_ann_file_and_per_video(tmp_path):
    videos = standard_videos()
    gt_file = tmp_path / 'val.json'
    gt_file.write_text(json.dumps(make_gt(videos, CAT_IDS, 'polygon')))
    metric = AVISMetric(ann_file=str(gt_file), metric=['FSLA', 'HOTA'])
    res = run_metric(metric, videos[:1], perfect_preds(videos))
    # only the processed video is scored
    assert set(metric.per_video_results) == {1}
    assert res['avis/FSLA'] == 100 and res['avis/HOTA'] == 100
    assert 'avis/mAP' not in res


def test_format_only_writes_avism_results(tmp_path):
    videos = standard_videos()
    prefix = str(tmp_path / 'out' / 'results')
    metric = AVISMetric(format_only=True, outfile_prefix=prefix)
    assert run_metric(metric, videos, perfect_preds(videos)) == {}
    results = json.loads(open(prefix + '.json').read())
    assert len(results) == 3
    for r in results:
        assert set(r) == {'video_id', 'score', 'category_id',
                          'segmentations'}
        length = {1: 7, 2: 4}[r['video_id']]
        # one RLE per frame, the empty mask where the track is absent
        assert len(r['segmentations']) == length
        assert all(isinstance(s['counts'], str) for s in r['segmentations'])
    with zipfile.ZipFile(prefix + '.submission_file.zip') as zf:
        assert zf.namelist() == ['results.json']
    # the written file scores 100 offline
    res = evaluate_avis(make_gt(videos, CAT_IDS), prefix + '.json')
    assert res['FSLA'] == 100 and res['HOTA'] == pytest.approx(100)


def test_video_split_over_items_and_incomplete_video():
    videos = standard_videos()[:1]
    sample = video_sample(videos[0], perfect_preds(videos)[1])
    metric = AVISMetric()
    metric.dataset_meta = dict(classes=CLASSES, cat_ids=CAT_IDS)
    frames = sample.video_data_samples
    for chunk in (frames[:3], frames[3:]):
        part = TrackDataSample()
        part.video_data_samples = chunk
        metric.process({}, [part.to_dict()])
    assert metric.evaluate(size=1)['avis/FSLA'] == 100
    part = TrackDataSample()
    part.video_data_samples = frames[:3]
    metric.process({}, [part.to_dict()])
    with pytest.raises(ValueError, match='missing frames'):
        metric.evaluate(size=1)


def test_registered_and_in_evaluator():
    metric = METRICS.build(dict(type='AVISMetric', protocol='aviseval'))
    assert isinstance(metric, AVISMetric)
    evaluator = Evaluator([dict(type='AVISMetric')])
    evaluator.dataset_meta = dict(classes=CLASSES, cat_ids=CAT_IDS)
    videos = standard_videos()
    for v in videos:
        evaluator.process(
            [video_sample(v, perfect_preds(videos)[v['id']])])
    res = evaluator.evaluate(len(videos))
    assert res['avis/FSLA'] == 100 and not math.isnan(res['avis/AssA'])


def test_bad_config_and_inputs():
    with pytest.raises(ValueError, match='protocol'):
        AVISMetric(protocol='official')
    with pytest.raises(ValueError, match='metrics'):
        AVISMetric(metric=['mAP', 'IDF1'])
    with pytest.raises(ValueError, match='outfile_prefix'):
        AVISMetric(format_only=True)
    metric = AVISMetric()
    metric.dataset_meta = dict(classes=CLASSES, cat_ids=CAT_IDS)
    sample = video_sample(standard_videos()[1],
                          [dict(cat=1, score=1., masks=[box(0, 0, 5, 5)] * 4)])
    frame = sample.video_data_samples[0]
    frame.pred_track_instances.masks = torch.zeros((1, 10, 10), dtype=bool)
    with pytest.raises(ValueError, match='original image size'):
        metric.process({}, [sample.to_dict()])
