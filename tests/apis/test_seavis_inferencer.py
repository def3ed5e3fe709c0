# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISInferencer, the mmdet-style front end: a video file, a frame folder
with its audio, a list; per-frame instances, the AVISM results file, the
drawn frames."""
import json
import os.path as osp
import re

import numpy as np
import pytest
import torch

from seavis_mm.apis import OnlineAVISInferencer, SeaVISInferencer
from seavis_mm.apis.seavis_inferencer import find_model
from seavis_mm.registry import MODELS
from .._scripts import load_script
from .small_seavis import OPEN_TRACKER, small_seavis_cfg

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# random weights output something only with the thresholds at zero
OPEN = {f'model.tracker.{k}': v for k, v in OPEN_TRACKER.items()}


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """One random initialisation, shared by the inferencers compared."""
    cfg = small_seavis_cfg(fps=1.0)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    path = str(tmp_path_factory.mktemp('w') / 'random.pth')
    torch.save({'state_dict': model.state_dict()}, path)
    return path


def _inputs(root):
    return (osp.join(root, 'mp4', 'val', 'val_00000.mp4'),
            osp.join(root, 'val', 'JPEGImages', 'val_00000'))


def test_video_and_frame_folder(toyavis_root, weights, tmp_path):
    cfg = small_seavis_cfg(fps=1.0)
    inferencer = SeaVISInferencer(cfg, weights=weights, cfg_options=OPEN)
    mp4, frames = _inputs(toyavis_root)
    out_dir = str(tmp_path / 'out')
    result = inferencer([mp4, frames], out_dir=out_dir, return_vis=True)
    preds, vis = result['predictions'], result['visualization']
    assert [p['video'] for p in preds] == [mp4, frames]
    for pred, drawn, name in zip(preds, vis, ['val_00000', 'val_00000_1']):
        n = len(pred['instances'])
        assert n == 5 and len(pred['times']) == n and len(drawn) == n
        assert sum(len(i) for i in pred['instances']) > 0
        assert pred['results_file'] == osp.join(out_dir, 'preds',
                                                f'{name}.json')
        with open(pred['results_file']) as f:
            assert json.load(f) == pred['avism']
        assert len(pred['avism']) == len(
            {int(t) for i in pred['instances'] for t in i.instances_id})
        assert osp.isfile(osp.join(out_dir, 'vis', name, '00004.jpg'))
    # per frame, exactly what the streaming inferencer's step() gives
    cfg = small_seavis_cfg(fps=1.0)
    cfg.merge_from_dict(OPEN)
    stream = OnlineAVISInferencer(cfg, weights=weights)
    a = preds[0]['instances']
    streamed = list(stream(mp4))
    assert len(streamed) == len(a)
    for (t, frame, inst), mine, img in zip(streamed, a, vis[0]):
        assert torch.equal(inst.masks, mine.masks)
        assert inst.instances_id.tolist() == mine.instances_id.tolist()
        # the drawn frame: RGB, the track's colour blended over its mask
        assert img.shape == frame.shape
        for k in range(len(mine)):
            m = mine.masks[k].numpy()
            if not m.any():
                continue
            # colour blended over the mask (pixels: test_local_visualizer)
            assert not np.array_equal(img[m], frame[..., ::-1][m])


def test_model_by_name_and_errors(toyavis_root, tmp_path):
    config, entry = find_model('seavis_r18_toyavis')
    assert osp.samefile(
        config, osp.join(ROOT, 'configs', 'seavis', 'seavis_r18_toyavis.py'))
    assert entry['Results'][0]['Dataset'] == 'ToyAVIS'
    # the default recipe by its alias (the metafile's Alias, as mmdet's)
    config, entry = find_model('SeaVIS_ToyAVIS')
    default = load_script('tools/analysis_tools/collect_zoo.py').DEFAULT
    assert osp.basename(config) == default + '.py'
    assert entry['Alias'] == ['seavis_toyavis']
    with pytest.raises(ValueError, match='seavis_toyavis'):
        find_model('no_such_model')
    with pytest.warns(UserWarning, match='no checkpoint'):
        inferencer = SeaVISInferencer('seavis_r18_toyavis')
    assert inferencer.cfg.filename.endswith('seavis_r18_toyavis.py')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        inferencer(str(tmp_path / 'missing.mp4'))


def test_readme_and_guide_show_it():
    readme = open(osp.join(ROOT, 'README.md')).read()
    blocks = re.findall(r'```python\n(.*?)```', readme, re.S)
    (usage, ) = [b for b in blocks if 'SeaVISInferencer' in b]
    assert len(usage.strip().splitlines()) <= 5
    guide = osp.join(ROOT, 'docs', 'en', 'user_guides', 'inference.md')
    text = open(guide).read()
    assert 'SeaVISInferencer' in text and 'OnlineAVISInferencer' in text
