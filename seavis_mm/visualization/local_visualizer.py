# Copyright (c) seavis_mm contributors. All rights reserved.
"""The one drawing path of seavis_mm: masks, class, track id and the
sounding indicator of each instance.

:class:`SeaVISLocalVisualizer` is mmdet's ``TrackLocalVisualizer`` (so
``TrackVisualizationHook`` and ``add_datasample`` work as in mmdet) with its
``_draw_instances`` replaced. mmdet's draws with matplotlib (figure canvas
render per image, tens of ms) and knows nothing of sound; this one draws
with OpenCV, and splits the work so that a stream can prepare a processed
frame's instances once (:meth:`~SeaVISLocalVisualizer.prepare`: contours,
texts, positions) and blend them onto every input frame shown until the
next one (:meth:`~SeaVISLocalVisualizer.draw_prepared`: one blend per
frame). The demo (through ``seavis_mm.apis.OverlayPainter``),
``tools/analysis_tools/browse_dataset.py`` and ``tools/test.py --show-dir``
all draw through it.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmdet.visualization import TrackLocalVisualizer
from mmengine.structures import InstanceData

from seavis_mm.registry import VISUALIZERS
from .palette import track_rgb

Color = Tuple[int, int, int]


@dataclass
class PreparedInstance:
    """One instance, prepared once per processed frame."""
    mask: np.ndarray  # bool (H, W)
    contours: list
    color: Color  # RGB
    text: str
    anchor: Tuple[int, int]  # top-left of the label, (x, y)
    sounding: bool


@dataclass
class PreparedFrame:
    """The instances of one processed frame, ready to be drawn on images of
    any size (masks are resized to the image)."""
    items: List[PreparedInstance]
    shape: Optional[Tuple[int, int]]  # (H, W) of the masks


def _as_numpy_masks(masks) -> np.ndarray:
    """(N, H, W) bool from a tensor, an array or mmdet's BitmapMasks."""
    if hasattr(masks, 'to_ndarray'):  # BitmapMasks / PolygonMasks
        masks = masks.to_ndarray()
    elif hasattr(masks, 'cpu'):
        masks = masks.cpu().numpy()
    return np.asarray(masks).astype(bool)


def draw_speaker(img: np.ndarray, top_left: Tuple[int, int], size: int,
                 color: Color) -> None:
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


def _text_scale(h: int, w: int) -> Tuple[float, int]:
    """Font scale and stroke width for an image of this size."""
    return max(0.35, min(h, w) / 900), max(1, int(round(min(h, w) / 400)))


def draw_stream_status(img: np.ndarray, time_s: float,
                       num_sounding: int) -> None:
    """Bottom-left status of a stream: time and how many instances sound
    now (drawn in place)."""
    h, w = img.shape[:2]
    font_scale, thick = _text_scale(h, w)
    text = f'{time_s:.2f}s  sounding: {num_sounding}'
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX,
                                     font_scale, thick)
    cv2.rectangle(img, (0, h - th - base - 4), (tw + 6, h), (0, 0, 0), -1)
    cv2.putText(img, text, (3, h - base - 2), cv2.FONT_HERSHEY_SIMPLEX,
                font_scale, (255, 255, 255), thick, cv2.LINE_AA)
    if num_sounding:
        draw_speaker(img, (tw + 8, h - th - base - 3), th + base,
                     (255, 255, 255))


@VISUALIZERS.register_module()
class SeaVISLocalVisualizer(TrackLocalVisualizer):
    """Draws sounding instances: mask, white contour, a label with class,
    track id and score, and a loudspeaker on the label of instances that
    sound.

    Args:
        name (str): Name of the instance. Defaults to 'visualizer'.
        image (np.ndarray, optional): The RGB image to draw on.
        vis_backends (list, optional): Visual backend configs.
        save_dir (str, optional): Where the backends save.
        line_width (int | float): Contour width in pixels at 400 px; it
            scales with the image. Defaults to 3 (mmdet's).
        alpha (float): Mask opacity. Defaults to 0.5.
        sound_thr (float, optional): Instances whose ``sound_scores`` are
            above this get the sounding indicator; None: every instance that
            has no ``sound_scores`` or is output at all (SeaVIS's tracker
            outputs only sounding instances, and ground truth holds only
            sounding ones). Defaults to None.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[list] = None,
                 save_dir: Optional[str] = None,
                 line_width: float = 3,
                 alpha: float = 0.5,
                 sound_thr: Optional[float] = None) -> None:
        super().__init__(name, image, vis_backends, save_dir, line_width,
                         alpha)
        self.sound_thr = sound_thr

    # ------------------------------------------------------------------
    # the two halves of a drawing
    # ------------------------------------------------------------------
    def prepare(self,
                instances: InstanceData,
                class_names: Optional[Sequence[str]] = None
                ) -> PreparedFrame:
        """Contours, colours, texts and positions of ``instances``: masks
        (tensor, array or BitmapMasks), ``labels``, optional ``scores``,
        ``instances_id`` (predictions) or ``instances_ids`` (ground truth),
        optional ``sound_scores`` and ``class_names``.

        Class names come from ``class_names``, else ``instances.class_names``,
        else ``dataset_meta['classes']``.
        """
        if 'masks' not in instances or len(instances) == 0:
            return PreparedFrame([], None)
        masks = _as_numpy_masks(instances.masks)
        shape = tuple(masks.shape[1:]) if masks.ndim == 3 else None
        names = class_names if class_names is not None else \
            instances.get('class_names', None)
        classes = self.dataset_meta.get('classes') if self.dataset_meta \
            else None
        ids = instances.get('instances_id', instances.get('instances_ids'))
        scores = instances.get('scores', None)
        sound = instances.get('sound_scores', None)
        items = []
        for i in range(len(instances)):
            mask = masks[i]
            if not mask.any():
                continue
            tid = int(ids[i]) if ids is not None else i
            label = int(instances.labels[i])
            if names is not None:
                name = names[i]
            elif classes is not None and 0 <= label < len(classes):
                name = classes[label]
            else:
                name = f'class {label}'
            text = f'{name} #{tid}'
            if scores is not None:
                text += f' {float(scores[i]):.2f}'
            sounding = True
            if self.sound_thr is not None and sound is not None:
                sounding = float(sound[i]) > self.sound_thr
            contours, _ = cv2.findContours(
                mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                cv2.CHAIN_APPROX_SIMPLE)
            ys, xs = np.nonzero(mask)
            items.append(
                PreparedInstance(
                    mask=mask,
                    contours=contours,
                    color=track_rgb(tid),
                    text=text,
                    anchor=(int(xs.min()), int(ys.min())),
                    sounding=sounding))
        return PreparedFrame(items, shape)

    def draw_prepared(self,
                      image: np.ndarray,
                      frame: PreparedFrame,
                      channel_order: str = 'rgb') -> np.ndarray:
        """``image`` (a copy) with the prepared instances drawn on it.

        Args:
            image (np.ndarray): ``H x W x 3`` uint8; masks of another size
                are resized to it.
            frame (PreparedFrame): From :meth:`prepare`.
            channel_order (str): ``'rgb'`` (mmengine's convention) or
                ``'bgr'`` (OpenCV's, the demo's frames).
        """
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f"channel_order must be 'rgb' or 'bgr', got "
                             f'{channel_order!r}')
        out = np.ascontiguousarray(image).copy()
        h, w = out.shape[:2]
        scale_x = scale_y = 1.0
        if frame.shape is not None and tuple(frame.shape) != (h, w):
            scale_y, scale_x = h / frame.shape[0], w / frame.shape[1]
        font_scale, thick = _text_scale(h, w)
        line = max(1, int(round(self.line_width * min(h, w) / 1200)))
        for it in frame.items:
            mask, contours = it.mask, it.contours
            if (scale_x, scale_y) != (1.0, 1.0):
                mask = cv2.resize(
                    mask.astype(np.uint8), (w, h),
                    interpolation=cv2.INTER_NEAREST).astype(bool)
                contours = [(c * [scale_x, scale_y]).astype(np.int32)
                            for c in contours]
            color = it.color[::-1] if channel_order == 'bgr' else it.color
            out[mask] = (out[mask] * (1 - self.alpha) +
                         np.array(color, np.float32) * self.alpha).astype(
                             np.uint8)
            cv2.drawContours(out, contours, -1, (255, 255, 255), line)
            self._label(out, it.text, (int(it.anchor[0] * scale_x),
                                       int(it.anchor[1] * scale_y)), color,
                        it.sounding, font_scale, thick)
        return out

    def draw_instances(self,
                       image: np.ndarray,
                       instances: InstanceData,
                       channel_order: str = 'rgb') -> np.ndarray:
        """:meth:`prepare` then :meth:`draw_prepared` (a copy of
        ``image``)."""
        return self.draw_prepared(image, self.prepare(instances),
                                  channel_order)

    def _draw_instances(self, image: np.ndarray,
                        instances: InstanceData) -> np.ndarray:
        """What ``add_datasample`` (and so ``TrackVisualizationHook``)
        draws: the RGB ``image`` with ``instances``."""
        drawn = self.draw_instances(image, instances, 'rgb')
        self.set_image(drawn)
        return drawn

    @staticmethod
    def _label(img: np.ndarray, text: str, xy: Tuple[int, int],
               color: Color, sounding: bool, font_scale: float,
               thick: int) -> None:
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
