# Copyright (c) seavis_mm contributors. All rights reserved.
"""Drawing of streamed results: mask overlays with class names, track ids
and a sounding indicator (OpenCV, fast enough for every input frame), and
the sounding timeline over the spectrogram (matplotlib + librosa).

Colours come from mmdet's COCO palette (``get_palette``), one per track id,
so a track keeps its colour over the video.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmdet.visualization.palette import get_palette
from mmengine.structures import InstanceData

_PALETTE: Optional[List[Tuple[int, int, int]]] = None


def track_color(track_id: int) -> Tuple[int, int, int]:
    """BGR colour of a track id (mmdet's COCO palette, cycled)."""
    global _PALETTE
    if _PALETTE is None:
        _PALETTE = [tuple(int(c) for c in rgb)
                    for rgb in get_palette('coco', 80)]
    r, g, b = _PALETTE[(int(track_id) * 7) % len(_PALETTE)]
    return b, g, r


@dataclass
class _Drawn:
    """One instance, prepared once per processed frame."""
    mask: np.ndarray  # bool (H, W)
    contours: list
    color: Tuple[int, int, int]
    text: str
    anchor: Tuple[int, int]  # top-left of the label
    sounding: bool


class OverlayPainter:
    """Draws one processed frame's instances on any number of images.

    The contours, label texts and positions are computed once per processed
    frame (:meth:`set_instances`); :meth:`draw` then costs one blend per
    input frame, so drawing a 1 fps result on a 30 fps video stays cheap.

    Args:
        alpha (float): Mask opacity. Defaults to 0.5.
        sound_thr (float, optional): Instances whose ``sound_scores`` are
            above this get the sounding indicator; None: every output
            instance (the tracker outputs only sounding ones). Defaults to
            None.
    """

    def __init__(self, alpha: float = 0.5,
                 sound_thr: Optional[float] = None) -> None:
        self.alpha = alpha
        self.sound_thr = sound_thr
        self._items: List[_Drawn] = []
        self._shape: Optional[Tuple[int, int]] = None

    def set_instances(self, instances: InstanceData,
                      class_names: Optional[Sequence[str]] = None) -> None:
        """Prepare the drawing of ``instances`` (with ``masks``, ``labels``,
        ``scores``, ``instances_id``, optional ``sound_scores`` and
        ``class_names``)."""
        masks = instances.masks
        masks = masks.cpu().numpy() if hasattr(masks, 'cpu') else \
            np.asarray(masks)
        self._shape = masks.shape[1:] if masks.ndim == 3 else None
        names = class_names if class_names is not None else \
            instances.get('class_names', None)
        sound = instances.get('sound_scores', None)
        items = []
        for i in range(len(instances)):
            mask = masks[i].astype(bool)
            if not mask.any():
                continue
            tid = int(instances.instances_id[i])
            label = int(instances.labels[i])
            name = names[i] if names is not None else f'class {label}'
            score = float(instances.scores[i])
            sounding = True
            if self.sound_thr is not None and sound is not None:
                sounding = float(sound[i]) > self.sound_thr
            contours, _ = cv2.findContours(
                mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                cv2.CHAIN_APPROX_SIMPLE)
            ys, xs = np.nonzero(mask)
            items.append(
                _Drawn(
                    mask=mask,
                    contours=contours,
                    color=track_color(tid),
                    text=f'{name} #{tid} {score:.2f}',
                    anchor=(int(xs.min()), int(ys.min())),
                    sounding=sounding))
        self._items = items

    def draw(self, image: np.ndarray) -> np.ndarray:
        """The BGR ``image`` with the prepared instances drawn on it (a
        copy). Masks of another size than ``image`` are resized."""
        out = image.copy()
        h, w = out.shape[:2]
        scale_x = scale_y = 1.0
        if self._shape is not None and tuple(self._shape) != (h, w):
            scale_y, scale_x = h / self._shape[0], w / self._shape[1]
        font_scale = max(0.35, min(h, w) / 900)
        thick = max(1, int(round(min(h, w) / 400)))
        for it in self._items:
            mask = it.mask
            contours = it.contours
            if (scale_x, scale_y) != (1.0, 1.0):
                mask = cv2.resize(
                    mask.astype(np.uint8), (w, h),
                    interpolation=cv2.INTER_NEAREST).astype(bool)
                contours = [(c * [scale_x, scale_y]).astype(np.int32)
                            for c in contours]
            color = np.array(it.color, dtype=np.float32)
            out[mask] = (out[mask] * (1 - self.alpha) +
                         color * self.alpha).astype(np.uint8)
            cv2.drawContours(out, contours, -1, (255, 255, 255), thick)
            x = int(it.anchor[0] * scale_x)
            y = int(it.anchor[1] * scale_y)
            self._label(out, it.text, (x, y), it.color, it.sounding,
                        font_scale, thick)
        return out

    @staticmethod
    def _label(img: np.ndarray, text: str, xy: Tuple[int, int],
               color: Tuple[int, int, int], sounding: bool,
               font_scale: float, thick: int) -> None:
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX,
                                         font_scale, thick)
        icon = th + base if sounding else 0
        x, y = xy
        x = min(max(x, 0), max(img.shape[1] - tw - icon - 4, 0))
        y = max(y, th + base + 2)
        cv2.rectangle(img, (x, y - th - base - 2), (x + tw + icon + 4, y),
                      color, -1)
        cv2.putText(img, text, (x + 2, y - base), cv2.FONT_HERSHEY_SIMPLEX,
                    font_scale, (0, 0, 0), thick, cv2.LINE_AA)
        if sounding:
            draw_speaker(img, (x + tw + 4, y - th - base - 1), th + base - 1,
                         (0, 0, 0))


def draw_speaker(img: np.ndarray, top_left: Tuple[int, int], size: int,
                 color: Tuple[int, int, int]) -> None:
    """A small loudspeaker with sound waves: the sounding indicator."""
    x, y = top_left
    s = max(size, 6)
    body = np.array([[x, y + s * 0.35], [x + s * 0.25, y + s * 0.35],
                     [x + s * 0.5, y + s * 0.1], [x + s * 0.5, y + s * 0.9],
                     [x + s * 0.25, y + s * 0.65], [x, y + s * 0.65]],
                    dtype=np.int32)
    cv2.fillPoly(img, [body], color, cv2.LINE_AA)
    centre = (int(x + s * 0.5), int(y + s * 0.5))
    for r in (0.25, 0.45):
        cv2.ellipse(img, centre, (int(s * r), int(s * r)), 0, -45, 45, color,
                    1, cv2.LINE_AA)


def draw_stream_status(img: np.ndarray, time_s: float,
                       num_sounding: int) -> None:
    """Bottom-left status: time and how many instances sound now."""
    h, w = img.shape[:2]
    font_scale = max(0.35, min(h, w) / 900)
    thick = max(1, int(round(min(h, w) / 400)))
    text = f'{time_s:.2f}s  sounding: {num_sounding}'
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX,
                                     font_scale, thick)
    cv2.rectangle(img, (0, h - th - base - 4), (tw + 6, h), (0, 0, 0), -1)
    cv2.putText(img, text, (3, h - base - 2), cv2.FONT_HERSHEY_SIMPLEX,
                font_scale, (255, 255, 255), thick, cv2.LINE_AA)
    if num_sounding:
        draw_speaker(img, (tw + 8, h - th - base - 3), th + base,
                     (255, 255, 255))


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
