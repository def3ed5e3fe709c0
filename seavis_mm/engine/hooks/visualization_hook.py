# Copyright (c) seavis_mm contributors. All rights reserved.
"""mmdet's ``TrackVisualizationHook`` for the AVISeg layout."""
import os.path as osp

import mmcv
from mmdet.engine.hooks import TrackVisualizationHook
from mmdet.structures import DetDataSample
from mmengine.fileio import get
from mmengine.utils import mkdir_or_exist

from seavis_mm.registry import HOOKS


@HOOKS.register_module()
class AVISVisualizationHook(TrackVisualizationHook):
    """``TrackVisualizationHook`` (``tools/test.py --show / --show-dir``)
    with one change: the folder of a video's drawn frames.

    mmdet names it after the third-last part of the frame's path (MOT's
    ``<video>/img1/<frame>``); in AVISeg's ``<split>/JPEGImages/<video>/
    <frame>.jpg`` that is ``JPEGImages`` for every video, so all videos'
    ``00000.jpg`` would overwrite each other. Here it is the frame's own
    folder, the video. Drawing is the config's visualizer
    (``SeaVISLocalVisualizer``), as in mmdet.
    """

    def visualize_single_image(self, img_data_sample: DetDataSample,
                               step: int) -> None:
        img_path = img_data_sample.img_path
        img = mmcv.imfrombytes(
            get(img_path, backend_args=self.backend_args),
            channel_order='rgb')
        out_file = None
        if self.test_out_dir is not None:
            video_name = osp.basename(osp.dirname(img_path))
            mkdir_or_exist(osp.join(self.test_out_dir, video_name))
            out_file = osp.join(self.test_out_dir, video_name,
                                osp.basename(img_path))
        self._visualizer.add_datasample(
            osp.basename(img_path) if self.show else 'test_img',
            img,
            data_sample=img_data_sample,
            show=self.show,
            wait_time=self.wait_time,
            pred_score_thr=self.score_thr,
            out_file=out_file,
            step=step)
