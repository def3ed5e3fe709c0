# Copyright (c) seavis_mm contributors. All rights reserved.
"""mmdet-style inferencer: whole videos in, per-frame instances and AVISM
results out.

::

    from seavis_mm.apis import SeaVISInferencer
    inferencer = SeaVISInferencer('seavis_toyavis', weights='iter_400.pth')
    result = inferencer('clip.mp4', out_dir='outputs')
    frames = result['predictions'][0]['instances']   # one InstanceData a frame
    print(result['predictions'][0]['results_file'])  # outputs/preds/clip.json

It has the interface of mmdet's ``DetInferencer`` (model given as a config
path or a model-index name, ``weights``, ``device``; called on one input or
a list, with ``out_dir``, ``show``, ``return_vis``) but is not built on
mmengine's ``BaseInferencer``: that one batches independent images through
``preprocess -> forward``, whereas SeaVIS carries state (audio history,
tracks) from frame to frame of one video, in order. So each video runs
through the streaming :class:`~seavis_mm.apis.OnlineAVISInferencer` (its
``step()`` is the per-frame path, unchanged) and is drawn by
:class:`~seavis_mm.visualization.SeaVISLocalVisualizer`.
"""
import copy
import glob
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import yaml
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from seavis_mm.visualization import SeaVISLocalVisualizer
from .export import StreamResults
from .inference import OnlineAVISInferencer

InputType = Union[str, Tuple[str, Optional[str]], Dict[str, str]]


def _repo_roots() -> List[str]:
    """Where a model index may be: the installed package's ``.mim`` (what
    mim reads) and the checkout the package was imported from."""
    pkg = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return [osp.join(pkg, '.mim'), osp.dirname(pkg)]


def find_model(name: str) -> Tuple[str, dict]:
    """The config file and model-index entry of a model name (or alias) of
    ``model-index.yml`` (``configs/seavis/metafile.yml``).

    Raises:
        ValueError: No model of that name; the message lists them.
    """
    known = []
    for root in _repo_roots():
        index = osp.join(root, 'model-index.yml')
        if not osp.isfile(index):
            continue
        with open(index) as f:
            imports = yaml.safe_load(f).get('Import', [])
        for meta in imports:
            with open(osp.join(root, meta)) as f:
                models = yaml.safe_load(f).get('Models', [])
            for m in models:
                # a name or, as mmengine's inferencers take, an Alias
                names = [m['Name'], *m.get('Alias', [])]
                known.extend(names)
                if name.lower() in (n.lower() for n in names):
                    return osp.join(root, m['Config']), m
    raise ValueError(f'{name!r} is neither a config file nor a model of '
                     f'model-index.yml (models: {", ".join(known)})')


def _video_name(source: str) -> str:
    return osp.splitext(osp.basename(osp.normpath(source)))[0]


def _avis_audio_of(frame_dir: str) -> Optional[str]:
    """AVISeg's ``<split>/WAVAudios/<video>.wav`` beside
    ``<split>/JPEGImages/<video>/``, when it is there."""
    frame_dir = osp.normpath(frame_dir)
    split = osp.dirname(osp.dirname(frame_dir))
    wav = osp.join(split, 'WAVAudios', osp.basename(frame_dir) + '.wav')
    return wav if osp.isfile(wav) else None


class SeaVISInferencer:
    """Segment, classify and track the sounding instances of whole videos.

    Args:
        model (str | Config): A config file, a loaded config, or the name
            of a model in ``model-index.yml`` (``mim search seavis_mm``),
            e.g. ``'seavis_toyavis'``, the default recipe's alias.
        weights (str, optional): Checkpoint. seavis_mm publishes no weights
            (the model index says so); None keeps the random init with a
            warning.
        device (str): Torch device. Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config, as
            ``--cfg-options`` of the tools.
        fps (float, optional): Processed frames per second; defaults to the
            config's.
        show_progress (bool): A progress bar over the inputs. Defaults to
            True.
    """

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 cfg_options: Optional[dict] = None,
                 fps: Optional[float] = None,
                 show_progress: bool = True) -> None:
        if isinstance(model, Config):
            cfg = copy.deepcopy(model)
        elif isinstance(model, str):
            path = model if osp.isfile(model) else find_model(model)[0]
            cfg = Config.fromfile(path)
        else:
            raise TypeError('SeaVISInferencer: model must be a config path, '
                            f'a Config or a model name, got '
                            f'{type(model).__name__}')
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        self.cfg = cfg
        self.stream = OnlineAVISInferencer(cfg, weights, device, fps=fps)
        self.show_progress = show_progress
        # the sounding indicator follows the tracker's gate when there is one
        tracker = getattr(self.stream.model, 'tracker', None)
        self.visualizer = SeaVISLocalVisualizer(
            name=f'seavis_inferencer_{id(self)}',
            sound_thr=getattr(tracker, 'sound_thr', None))
        self.visualizer.dataset_meta = dict(self.stream.dataset_meta)

    def __call__(self,
                 inputs: Union[InputType, Sequence[InputType]],
                 out_dir: str = '',
                 show: bool = False,
                 wait_time: float = 0.,
                 return_vis: bool = False,
                 allow_silent: bool = False) -> dict:
        """Run every input video from its first frame.

        Args:
            inputs: A video file (its own audio track), a frame folder (its
                audio: AVISeg's ``WAVAudios/<video>.wav`` beside
                ``JPEGImages/<video>/``), a ``(frame_dir, audio_file)``
                pair or ``dict(frames=..., audio=...)``, or a list of these.
            out_dir (str): When given, writes ``preds/<video>.json`` (the
                AVISM results file, what ``tools/analysis_tools/
                eval_results.py`` scores) and ``vis/<video>/<k>.jpg`` (the
                drawn frames); ``<video>`` is the file or folder name, with
                ``_<index>`` added when two inputs share it.
            show (bool): Show each drawn frame in a window.
            wait_time (float): Seconds each shown frame stays.
            return_vis (bool): Return the drawn frames (RGB).
            allow_silent (bool): Run videos without audio on silence.

        Returns:
            dict: ``predictions``: one dict per input with ``video``,
            ``times`` (s), ``instances`` (one ``InstanceData`` per processed
            frame: ``masks``, ``labels``, ``scores``, ``instances_id``,
            ``sound_scores``, ``class_names``), ``avism`` (the results in
            AVISM's format) and ``results_file`` (its path under
            ``out_dir``, else None); ``visualization``: per input, the list
            of drawn RGB frames (empty unless ``return_vis``).
        """
        if isinstance(inputs, (str, tuple, dict)):
            inputs = [inputs]
        inputs = list(inputs)
        bar = ProgressBar(len(inputs)) if self.show_progress else None
        result: dict = dict(predictions=[], visualization=[])
        used = set()
        for i, item in enumerate(inputs):
            source, reader = self._reader(item, allow_silent)
            # outputs are named after the video; a second input of the same
            # name (clip.mp4 and its frame folder clip/) gets its index
            name = _video_name(source)
            if name in used:
                name = f'{name}_{i}'
            used.add(name)
            pred, vis = self._run_one(source, reader, name, out_dir, show,
                                      wait_time, return_vis)
            result['predictions'].append(pred)
            result['visualization'].append(vis)
            if bar is not None:
                bar.update()
        return result

    def _reader(self, item: InputType, allow_silent: bool):
        from seavis_mm.apis import open_slice_reader
        if isinstance(item, dict):
            source, audio = item['frames'], item.get('audio')
        elif isinstance(item, tuple):
            source, audio = item
        else:
            source, audio = item, None
        if not osp.exists(source):
            raise FileNotFoundError(f'SeaVISInferencer: input {source!r} '
                                    'does not exist (expected a video file '
                                    'or a folder of frames)')
        if osp.isdir(source) and audio is None:
            audio = _avis_audio_of(source)
        reader = open_slice_reader(
            source,
            self.stream.fps,
            audio_path=audio,
            allow_silent=allow_silent,
            audio_lookahead=self.stream.audio_lookahead)
        return source, reader

    def _run_one(self, source: str, reader, name: str, out_dir: str,
                 show: bool, wait_time: float,
                 return_vis: bool) -> Tuple[dict, List[np.ndarray]]:
        self.stream.reset()
        times, instances, vis = [], [], []
        results: Optional[StreamResults] = None
        vis_dir = osp.join(out_dir, 'vis', name) if out_dir else None
        if vis_dir:
            os.makedirs(vis_dir, exist_ok=True)
            for old in glob.glob(osp.join(vis_dir, '*.jpg')):
                os.remove(old)
        for s in reader:
            inst = self.stream.step(
                s.image, s.audio, s.sample_rate, audio_end=s.audio_end)
            if results is None:
                h, w = s.image.shape[:2]
                results = StreamResults(h, w, self.stream.cat_ids)
            results.add(s.index, inst)
            times.append(s.time)
            instances.append(inst)
            if not (out_dir or show or return_vis):
                continue
            drawn = self.visualizer.draw_instances(s.image, inst, 'bgr')
            if vis_dir:
                cv2.imwrite(osp.join(vis_dir, f'{s.index:05d}.jpg'), drawn)
            if show:
                self.visualizer.show(
                    drawn[..., ::-1], win_name=name, wait_time=wait_time)
            if return_vis:
                vis.append(np.ascontiguousarray(drawn[..., ::-1]))
        if results is None:
            warnings.warn(f'SeaVISInferencer: {source!r} gave no frame')
            results = StreamResults(0, 0, self.stream.cat_ids)
        avism = results.to_avism()
        results_file = None
        if out_dir:
            results_file = results.write_json(
                osp.join(out_dir, 'preds', f'{name}.json'))
            print_log(f'{source}: {len(instances)} frames, results in '
                      f'{results_file}', logger='current')
        pred = dict(
            video=source,
            times=times,
            instances=instances,
            avism=avism,
            results_file=results_file)
        return pred, vis
