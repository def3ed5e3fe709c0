# Copyright (c) seavis_mm contributors. All rights reserved.
"""Run a source through the model and write what users keep, as it comes:
the overlay video with the original audio (a file or a live URL), a window
(``show``), one JSON line per processed frame, the id maps, and at the end
(also when stopped early) the AVISM results file and the sound timeline.

A file is processed frame by frame (every processed frame, as fast as the
model goes) unless ``realtime``; a live source, or a file with
``realtime``, runs on a :class:`~seavis_mm.media.LiveClock`: the model gets
the newest complete slice, the skipped ones' audio still enters the audio
history (:meth:`OnlineAVISInferencer.observe`) and their input frames the
output video (drawn with the latest result). :class:`StreamRunner` is what
``demo/stream_demo.py`` and the web page run.
"""
import json
import os
import os.path as osp
import sys
import threading
from typing import Dict, List, Optional

import cv2
import numpy as np
from mmengine.logging import print_log
from mmengine.structures import InstanceData
from mmengine.utils import ProgressBar

from seavis_mm.evaluation.functional import encode_mask, rle_to_json
from seavis_mm.media import (MP4_COPY_AUDIO_CODECS, AVWriter, FrameSizer,
                             LiveClock, LiveSliceReader, StreamSlice,
                             VideoSliceReader, is_url)
from .export import StreamResults, instance_id_map, write_instance_png
from .inference import OnlineAVISInferencer
from .visualization import OverlayPainter, draw_stream_status, plot_timeline

WINDOW_NAME = 'seavis_mm'


class ShowUnavailableError(RuntimeError):
    """``show`` was asked for but no window can be opened."""


def finite(audio: np.ndarray) -> np.ndarray:
    """NaN / inf samples as 0 for the writer and the timeline (the
    inferencer zeroes them too, and warns)."""
    if audio.size and not np.isfinite(audio).all():
        return np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    return audio


def stereo_or_mono(audio: np.ndarray) -> np.ndarray:
    """AAC here is mono or stereo: fold more channels down to two."""
    if audio.shape[1] <= 2:
        return audio
    return np.stack([audio[:, 0::2].mean(1), audio[:, 1::2].mean(1)], 1)


def check_display() -> None:
    """Raise a clear error when ``show`` can not open a window (a headless
    OpenCV build, or no display)."""
    if sys.platform.startswith('linux') and not (
            os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        raise ShowUnavailableError(
            '--show needs a display (DISPLAY is not set); write the overlay '
            'with --out FILE, or stream it with --out udp://HOST:PORT')
    try:
        cv2.namedWindow(WINDOW_NAME, cv2.WINDOW_NORMAL)
    except cv2.error as e:
        raise ShowUnavailableError(
            '--show needs an OpenCV built with a GUI (this one is not: '
            'opencv-python-headless?); pip install opencv-python, or use '
            f'--out instead ({str(e).strip().splitlines()[-1]})') from e


def instances_json(inst, names: List[str]) -> List[dict]:
    """The instances of one frame as JSON: id, class, scores, box and the
    mask as a compressed RLE."""
    out = []
    masks = inst.masks.cpu().numpy() if hasattr(inst.masks, 'cpu') else \
        np.asarray(inst.masks)
    sound = inst.sound_scores.tolist() if 'sound_scores' in inst else \
        [None] * len(inst)
    for i, (tid, label, score) in enumerate(
            zip(inst.instances_id.tolist(), inst.labels.tolist(),
                inst.scores.tolist())):
        ys, xs = np.nonzero(masks[i])
        box = [int(xs.min()), int(ys.min()), int(xs.max()) + 1,
               int(ys.max()) + 1] if len(xs) else None
        out.append(
            dict(id=int(tid), label=int(label), category=names[i],
                 score=round(float(score), 5),
                 sound_score=None if sound[i] is None else
                 round(float(sound[i]), 5),
                 bbox=box, area=int(len(xs)),
                 segmentation=rle_to_json(encode_mask(masks[i]))))
    return out


class StreamRunner:
    """Stream a reader's slices through an inferencer, writing as it goes.

    Args:
        inferencer (OnlineAVISInferencer): The model.
        reader: A slice reader (:func:`~seavis_mm.media.open_slice_reader`).
        out (str, optional): Overlay video file or URL.
        out_dir (str, optional): ``results.json`` (AVISM format, at the
            end), ``frames.jsonl`` (one line per processed frame, written
            as it comes) and ``instance_ids/%05d.png``.
        timeline (str, optional): Sound timeline image (at the end).
        show (bool): Show the overlay in a window (q / Esc stops).
        realtime (bool): Run a file at its real-time rate on the live clock
            (live sources always are). Defaults to False.
        video_id (int): ``video_id`` in ``results.json``.
        status (bool): Print the live status line (lag, drops).
        stop (threading.Event, optional): Set to stop early (signals); the
            outputs are finished with the results so far.
        max_wait (float, optional): Live: seconds a slice may wait for the
            model before it is dropped (the clock's ``grace``; default one
            slice period). More trades latency for fewer drops.
    """

    def __init__(self,
                 inferencer: OnlineAVISInferencer,
                 reader,
                 out: Optional[str] = None,
                 out_dir: Optional[str] = None,
                 timeline: Optional[str] = None,
                 show: bool = False,
                 realtime: bool = False,
                 video_id: int = 0,
                 status: bool = True,
                 stop: Optional[threading.Event] = None,
                 max_wait: Optional[float] = None) -> None:
        self.inferencer = inferencer
        self.reader = reader
        self.out = out
        self.out_dir = out_dir
        self.timeline = timeline
        self.show = show
        self.live = isinstance(reader, LiveSliceReader) or realtime
        self.video_id = video_id
        self.status = status
        self.stop = stop if stop is not None else threading.Event()
        self.max_wait = max_wait
        if show:
            check_display()
        tracker = getattr(inferencer.model, 'tracker', None)
        # the sounding indicator follows the tracker's gate when there is one
        self.painter = OverlayPainter(
            sound_thr=getattr(tracker, 'sound_thr', None))
        self.sizer = FrameSizer(reader.info.path)
        self.writer: Optional[AVWriter] = None
        self.results: Optional[StreamResults] = None
        self.mono_audio: List[np.ndarray] = []
        self.id_dir = osp.join(out_dir, 'instance_ids') if out_dir else None
        self.jsonl = None
        self.clock: Optional[LiveClock] = None
        self.num_processed = 0
        self.num_slices = 0
        self.stopped_early = False
        self.painter_instances = InstanceData()  # the latest result

    # -- outputs ------------------------------------------------------------
    def _open_writer(self, first_image: np.ndarray) -> AVWriter:
        h, w = first_image.shape[:2]
        info, reader = self.reader.info, self.reader
        if not is_url(self.out):
            os.makedirs(osp.dirname(osp.abspath(self.out)), exist_ok=True)
        if info.audio is None:
            return AVWriter(self.out, w, h, info.rate)
        if type(reader) is VideoSliceReader and not self.out.endswith(
                '.webm') and info.audio.codec in MP4_COPY_AUDIO_CODECS:
            # the original audio packets, bit for bit
            return AVWriter(self.out, w, h, info.rate,
                            copy_audio_from=reader.path,
                            audio_time_offset=info.start_time)
        return AVWriter(self.out, w, h, info.rate,
                        audio_rate=info.audio.sample_rate,
                        audio_channels=min(info.audio.channels, 2))

    def _write_frames(self, s: StreamSlice) -> None:
        """Draw the latest result on the slice's input frames; write them
        and the slice's audio; show the last one."""
        drawn = None
        for _, img in s.frames:
            drawn = self.painter.draw(img)
            draw_stream_status(drawn, s.time, len(self.painter_instances))
            if self.writer is not None:
                self.writer.write_frame(drawn)
        if self.writer is not None and self.writer.encodes_audio and \
                len(s.audio):
            self.writer.write_audio(stereo_or_mono(finite(s.audio)))
        if self.show and drawn is not None:
            cv2.imshow(WINDOW_NAME, drawn)
            if cv2.waitKey(1) & 0xFF in (27, ord('q')):
                self.stop.set()

    def _prepare(self, s: StreamSlice) -> None:
        s.image = self.sizer(s.image)
        s.frames = [(t, self.sizer(img)) for t, img in s.frames]
        if self.timeline:
            self.mono_audio.append(
                finite(s.audio).mean(axis=1) if s.audio.size else
                np.zeros(0, np.float32))
        if self.out and self.writer is None:
            self.writer = self._open_writer(s.image)
        self.num_slices += 1

    def _observe(self, s: StreamSlice) -> None:
        """A dropped slice: its audio into the history, its frames out."""
        self._prepare(s)
        self.inferencer.observe(s.audio, s.sample_rate,
                                audio_end=s.audio_end)
        self._write_frames(s)

    def _process(self, s: StreamSlice) -> None:
        self._prepare(s)
        inst = self.inferencer.step(
            s.image, s.audio, s.sample_rate, audio_end=s.audio_end)
        h, w = s.image.shape[:2]
        if self.results is None:
            self.results = StreamResults(h, w, self.inferencer.cat_ids)
        self.results.add(s.index, inst)
        if self.id_dir:
            write_instance_png(
                osp.join(self.id_dir, f'{s.index:05d}.png'),
                instance_id_map(inst, h, w))
        self.painter.set_instances(inst)
        self.painter_instances = inst
        self._write_frames(s)
        self.num_processed += 1
        lag = self.clock.done(s) if self.clock is not None else None
        if self.jsonl is not None:
            line = dict(frame=s.index, time=round(s.time, 6),
                        instances=instances_json(inst, inst.class_names))
            if self.clock is not None:
                line.update(lag=round(lag, 4),
                            dropped=self.clock.stats.dropped)
            self.jsonl.write(json.dumps(line) + '\n')
            self.jsonl.flush()
        if self.clock is not None and self.status:
            sys.stderr.write('\r' + self.clock.status_line(s))
            sys.stderr.flush()

    # -- the run ------------------------------------------------------------
    def run(self) -> Dict[str, object]:
        """Process the stream until it ends or :attr:`stop` is set; the
        outputs are finished either way.

        Returns:
            dict: ``num_frames`` (processed), ``num_slices``, the paths
            written (``out``, ``results``, ``frames``, ``timeline``), and
            for a live run ``live`` (:class:`~seavis_mm.media.LiveStats`
            as a dict) and ``stopped`` (ended by :attr:`stop`).
        """
        if self.out_dir:
            os.makedirs(self.out_dir, exist_ok=True)
            self.jsonl = open(osp.join(self.out_dir, 'frames.jsonl'), 'w')
        if self.live:
            h, w = self.reader.info.height, self.reader.info.width
            self.inferencer.warmup(max(h, 1), max(w, 1))
        self.inferencer.reset()
        try:
            if self.live:
                self.clock = LiveClock(
                    self.reader, self.inferencer.fps,
                    pace=not isinstance(self.reader, LiveSliceReader),
                    stop=self.stop, grace=self.max_wait)
                for s, dropped in self.clock:
                    for d in dropped:
                        self._observe(d)
                    self._process(s)
            else:
                n = len(self.reader)
                progress = ProgressBar(n) if n and self.status else None
                for s in self.reader:
                    if self.stop.is_set():
                        break
                    self._process(s)
                    if progress is not None:
                        progress.update()
        finally:
            self.stopped_early = self.stop.is_set()
            outputs = self._finish()
        return outputs

    def _finish(self) -> Dict[str, object]:
        """Close the video (playable) and write the results so far."""
        if self.writer is not None:
            self.writer.close()
        if self.jsonl is not None:
            self.jsonl.close()
        if self.show:
            cv2.destroyAllWindows()
        if self.status:
            sys.stderr.write('\n')
        outputs: Dict[str, object] = dict(
            num_frames=self.num_processed, num_slices=self.num_slices,
            stopped=self.stopped_early)
        if self.clock is not None:
            outputs['live'] = self.clock.stats.as_dict()
        if self.num_processed == 0:
            return outputs
        if self.out:
            outputs['out'] = self.out
        if self.out_dir:
            outputs['results'] = self.results.write_json(
                osp.join(self.out_dir, 'results.json'), self.video_id)
            outputs['frames'] = osp.join(self.out_dir, 'frames.jsonl')
            if self.clock is not None:
                with open(osp.join(self.out_dir, 'live_stats.json'),
                          'w') as f:
                    json.dump(self.clock.stats.as_dict(), f, indent=1)
        if self.timeline:
            self._plot_timeline()
            outputs['timeline'] = self.timeline
        return outputs

    def _plot_timeline(self) -> None:
        audio = np.concatenate(self.mono_audio) if self.mono_audio else \
            np.zeros(0)
        results = self.results
        names = {
            tid: self.inferencer.class_name(results.track_label(tid))
            for tid in results.tracks
        }
        plot_timeline(
            self.timeline,
            audio,
            getattr(self.reader, 'sample_rate', 16000),
            self.inferencer.fps,
            self.num_slices,
            {tid: t['frames']
             for tid, t in results.tracks.items()},
            names,
            title=osp.basename(str(self.reader.info.path)))

    def log_summary(self, outputs: Dict[str, object]) -> None:
        """Say what was written (and, live, the lag and drops)."""
        if outputs.get('stopped'):
            print_log(
                f'stopped after {outputs["num_frames"]} processed frames; '
                'the outputs hold the results so far', logger='current')
        if 'live' in outputs:
            st = outputs['live']
            print_log(
                f'live: {st["processed"]} frames processed, {st["dropped"]} '
                f'dropped (their audio entered the history), lag mean '
                f'{st["mean_lag"]:.3f} s, max {st["max_lag"]:.3f} s',
                logger='current')
        for key, what in (('out', 'overlay video'), ('results',
                                                     'results (AVISM)'),
                          ('frames', 'per-frame results (JSON lines)'),
                          ('timeline', 'timeline')):
            if key in outputs:
                print_log(f'{what} written to {outputs[key]}',
                          logger='current')
