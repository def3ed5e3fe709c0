# Copyright (c) seavis_mm contributors. All rights reserved.
"""Drawing of streamed results: mask overlays with class names, track ids
and a sounding indicator, and the sounding timeline over the spectrogram
(matplotlib + librosa).

The frames are drawn by :class:`~seavis_mm.visualization.SeaVISLocalVisualizer`
(the one drawing path, shared with ``tools/test.py --show-dir`` and
``browse_dataset``); :class:`OverlayPainter` is the stream's view of it.
Colours come from mmdet's COCO palette, one per track id, so a track keeps
its colour over the video.
"""
import itertools
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.structures import InstanceData

from seavis_mm.visualization import (PreparedFrame, SeaVISLocalVisualizer,
                                     draw_speaker, draw_stream_status,
                                     track_rgb)

__all__ = [
    'OverlayPainter', 'track_color', 'draw_speaker', 'draw_stream_status',
    'plot_timeline'
]

_painter_ids = itertools.count()


def track_color(track_id: int) -> Tuple[int, int, int]:
    """BGR colour of a track id (mmdet's COCO palette, cycled)."""
    r, g, b = track_rgb(track_id)
    return b, g, r


class OverlayPainter:
    """Draws one processed frame's instances on any number of BGR images.

    The contours, label texts and positions are computed once per processed
    frame (:meth:`set_instances`); :meth:`draw` then costs one blend per
    input frame, so drawing a 1 fps result on a 30 fps video stays cheap.
    Both halves are :class:`~seavis_mm.visualization.SeaVISLocalVisualizer`'s
    (:meth:`~seavis_mm.visualization.SeaVISLocalVisualizer.prepare` and
    :meth:`~seavis_mm.visualization.SeaVISLocalVisualizer.draw_prepared`).

    Args:
        alpha (float): Mask opacity. Defaults to 0.5.
        sound_thr (float, optional): Instances whose ``sound_scores`` are
            above this get the sounding indicator; None: every output
            instance (the tracker outputs only sounding ones). Defaults to
            None.
    """

    def __init__(self, alpha: float = 0.5,
                 sound_thr: Optional[float] = None) -> None:
        # a private instance (not the runner's global visualizer), with a
        # name of its own: mmengine keeps visualizers by name
        self.visualizer = SeaVISLocalVisualizer(
            name=f'seavis_overlay_painter_{next(_painter_ids)}',
            alpha=alpha,
            sound_thr=sound_thr)
        self._frame = PreparedFrame([], None)

    @property
    def alpha(self) -> float:
        return self.visualizer.alpha

    @property
    def sound_thr(self) -> Optional[float]:
        return self.visualizer.sound_thr

    @property
    def _items(self) -> list:
        return self._frame.items

    def set_instances(self, instances: InstanceData,
                      class_names: Optional[Sequence[str]] = None) -> None:
        """Prepare the drawing of ``instances`` (with ``masks``, ``labels``,
        ``scores``, ``instances_id``, optional ``sound_scores`` and
        ``class_names``)."""
        self._frame = self.visualizer.prepare(instances, class_names)

    def draw(self, image: np.ndarray) -> np.ndarray:
        """The BGR ``image`` with the prepared instances drawn on it (a
        copy). Masks of another size than ``image`` are resized."""
        return self.visualizer.draw_prepared(image, self._frame, 'bgr')


def plot_timeline(path: str,
                  audio: np.ndarray,
                  sample_rate: int,
                  fps: float,
                  num_frames: int,
                  track_frames: Dict[int, List[int]],
                  track_names: Dict[int, str],
                  title: Optional[str] = None) -> str:
    """Plot which track sounds when, under the audio's log-mel spectrogram.

    Args:
        path (str): Output image (.png).
        audio (np.ndarray): Mono waveform.
        sample_rate (int): Its sample rate.
        fps (float): Processed frames per second.
        num_frames (int): Processed frames.
        track_frames (dict[int, list[int]]): Per track id, the processed
            frames where it was output (sounding).
        track_names (dict[int, str]): Per track id, its class name.
        title (str, optional): Figure title.

    Returns:
        str: ``path``.
    """
    import librosa
    import librosa.display
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    duration = max(num_frames / fps, len(audio) / max(sample_rate, 1))
    ids = sorted(track_frames)
    fig, (ax_spec, ax_tr) = plt.subplots(
        2, 1, sharex=True, figsize=(10, 3 + 0.3 * max(len(ids), 1)),
        gridspec_kw=dict(height_ratios=[2, max(1, 0.4 * len(ids))]))
    if len(audio) >= 2048:
        mel = librosa.feature.melspectrogram(
            y=audio.astype(np.float32), sr=sample_rate, n_mels=64,
            hop_length=512)
        librosa.display.specshow(
            librosa.power_to_db(mel, ref=np.max), sr=sample_rate,
            hop_length=512, x_axis='time', y_axis='mel', ax=ax_spec)
    else:
        ax_spec.text(0.5, 0.5, 'no audio', ha='center', va='center',
                     transform=ax_spec.transAxes)
    ax_spec.set_xlabel('')
    ax_spec.set_title(title or 'sounding tracks over the log-mel spectrogram')
    for row, tid in enumerate(ids):
        frames = sorted(track_frames[tid])
        spans = [(f / fps, 1.0 / fps) for f in frames]
        rgb = tuple(c / 255 for c in track_color(tid)[::-1])
        ax_tr.broken_barh(spans, (row - 0.4, 0.8), facecolors=rgb)
    ax_tr.set_yticks(range(len(ids)))
    ax_tr.set_yticklabels([f'#{t} {track_names.get(t, "")}' for t in ids])
    ax_tr.set_ylim(-0.6, max(len(ids), 1) - 0.4)
    ax_tr.set_xlim(0, duration)
    ax_tr.set_xlabel('time (s)')
    ax_tr.grid(axis='x', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
