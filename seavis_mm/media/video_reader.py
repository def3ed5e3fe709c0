# Copyright (c) seavis_mm contributors. All rights reserved.
"""A video file with its audio track as a stream of :class:`StreamSlice`
objects (the decoding loop that live sources share, see
:mod:`.live_reader`).

Damaged files (docs/en/reliability.md, "Streaming and media inputs"): a file
that can not be opened at all (empty, truncated before its index, not a
video) raises :class:`VideoReadError` naming it; packets that do not decode
(a corrupt or truncated file) are skipped, the previous frame held and the
missing audio silent, and reported once at the end of the stream
(:class:`CorruptMediaWarning`); timestamp gaps in the video (frame ``k`` is
the frame on screen at ``k / fps``, so the last frame is held) and in the
audio (filled with silence, so the audio stays in sync) are reported once
(:class:`TimestampGapWarning`).
"""
import warnings
from typing import Iterator, Optional

import av
import numpy as np

from .errors import (CorruptMediaWarning, MissingAudioWarning,
                     NoAudioStreamError, TimestampGapWarning, VideoReadError)
from .probe import VideoInfo, probe_video
from .slicing import EPS, SliceAssembler, StreamSlice

# A healthy container's duration covers its longest stream and the last
# frame's own duration; what the streams deliver may fall short of it by
# up to a few tenths of a second (seen: 0.1-0.6 s). Shorter than this
# beyond the last frame's duration is reported as truncation.
TRUNCATION_TOLERANCE = 1.0


class VideoSliceReader:
    """Iterate a video file with its audio track as :class:`StreamSlice`
    objects at ``fps``.

    Times are taken from the streams' timestamps, counted from the first
    video timestamp; the audio is decoded to float32 at the file's own
    sample rate and channels (the inferencer resamples and downmixes).

    Args:
        path (str): Video file (anything FFmpeg reads: mp4, mkv, webm...).
        fps (float): Processed frames per second (the model's rate).
        allow_silent (bool): A file without audio runs on silence with a
            :class:`MissingAudioWarning` instead of raising
            :class:`NoAudioStreamError`. Defaults to False.
        keep_frames (bool): Fill :attr:`StreamSlice.frames` with every input
            frame of the slice (for drawing). Defaults to False.
        audio_lookahead (float): Seconds of the following audio delivered
            with each slice (see :attr:`StreamSlice.audio`): a resampler
            holds back a few ms of output, so a little lookahead lets the
            16 kHz stream reach the slice end exactly. Defaults to 0.

    Damaged input: packets that do not decode are skipped (the previous
    frame is held, the audio there is silent) and timestamp gaps are
    bridged; both are reported once per pass, at its end, with a
    :class:`CorruptMediaWarning` / :class:`TimestampGapWarning`, and
    counted in :attr:`report`.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        VideoReadError: the file can not be opened or holds no video
            stream (when constructed), or not one of its video frames
            decodes (when iterated).
        NoAudioStreamError: the file has no audio stream and
            ``allow_silent`` is False.
    """

    def __init__(self,
                 path: str,
                 fps: float,
                 allow_silent: bool = False,
                 keep_frames: bool = False,
                 audio_lookahead: float = 0.0) -> None:
        self.path = path
        self.fps = float(fps)
        self.keep_frames = keep_frames
        self.audio_lookahead = audio_lookahead
        self.allow_silent = allow_silent
        self.report: dict = {}
        self.info = self._probe()
        self._check_audio()

    def _probe(self) -> VideoInfo:
        return probe_video(self.path)

    def _check_audio(self) -> None:
        if self.info.audio is not None:
            return
        if not self.allow_silent:
            raise NoAudioStreamError(
                f'{self.path!r} has no audio stream: SeaVIS segments the '
                'sounding objects and needs the sound. Pass '
                '--allow-silent (allow_silent=True) to run on silence.')
        warnings.warn(
            f'{self.path!r} has no audio stream; running on silence, so a '
            'sound-aware model will output (almost) nothing.',
            MissingAudioWarning)

    @property
    def sample_rate(self) -> int:
        return self.info.audio.sample_rate if self.info.audio else 16000

    @property
    def channels(self) -> int:
        return self.info.audio.channels if self.info.audio else 1

    def __len__(self) -> int:
        """Number of slices, estimated from the container's duration."""
        if self.info.duration is None:
            return 0
        last = self.info.duration - 1.0 / float(self.info.rate)
        return int(np.floor(max(last, 0.0) * self.fps + EPS)) + 1

    # -- the decoding loop (shared with live sources) -----------------------
    def _new_assembler(self) -> SliceAssembler:
        rate = float(self.info.rate)
        # a jump that leaves a processed frame without a new input frame
        asm = SliceAssembler(
            self.fps, self.sample_rate, self.channels, self.keep_frames,
            self.info.audio is not None, self.audio_lookahead,
            video_gap=max(2.0 / rate, 1.0 / self.fps) + EPS)
        self.report = dict(
            corrupt_packets=dict(video=0, audio=0),
            first_corrupt_time=None,
            read_error=None,
            video_gaps=asm.video_gaps,
            audio_gaps=asm.audio_gaps,
            video_end=None,
            audio_end=None)
        return asm

    def _decode(self, container, asm: SliceAssembler,
                origin: float) -> Iterator[StreamSlice]:
        """Demux and decode ``container`` into ``asm`` (its times shifted by
        ``-origin``), yielding slices as they complete. Undecodable packets
        are counted and skipped; a broken container stops the pass with
        ``report['read_error']`` set. Returns the number of decoded video
        frames."""
        bad = self.report['corrupt_packets']
        rate = float(self.info.rate)
        vs = container.streams.video[0]
        vs.thread_type = 'AUTO'
        streams = [vs]
        resampler = None
        if self.info.audio is not None and container.streams.audio:
            astream = container.streams.audio[0]
            streams.append(astream)
            # decode any sample format to planar float, same rate/layout
            resampler = av.AudioResampler(
                format='fltp',
                layout=astream.codec_context.layout,
                rate=self.sample_rate)
        num_video = 0
        packets = container.demux(streams)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.FFmpegError as e:  # the container itself breaks
                self.report['read_error'] = f'{type(e).__name__}: {e}'
                break
            kind = packet.stream.type
            try:
                frames = packet.decode()
            except av.FFmpegError:  # a corrupt or cut packet: skip it
                bad[kind] += 1
                if self.report['first_corrupt_time'] is None and \
                        packet.pts is not None:
                    self.report['first_corrupt_time'] = float(
                        packet.pts * packet.time_base) - origin
                continue
            if kind == 'video':
                for frame in frames:
                    t = frame.time
                    if t is None:  # no timestamps: assume a fixed rate
                        t = origin + num_video / rate
                    num_video += 1
                    asm.add_frame(t - origin, frame)
            else:
                for frame in frames:
                    t = frame.time
                    for f in self._resample(resampler, frame):
                        asm.add_audio(f.to_ndarray().T,
                                      (t if t is not None else 0.0) -
                                      origin)
                        t = None
            yield from asm.ready()
        if resampler is not None:
            for f in resampler.resample(None):
                asm.add_audio(f.to_ndarray().T)
        return num_video

    def _finish(self, asm: SliceAssembler, num_video: int
                ) -> Iterator[StreamSlice]:
        """The last slices of a pass, once every packet was read."""
        if num_video == 0:
            raise VideoReadError(
                f'{self.path!r}: not one video frame could be decoded '
                f'({self.report["corrupt_packets"]["video"]} corrupt video '
                'packets' + (f', {self.report["read_error"]}'
                             if self.report['read_error'] else '') + ')')
        self.report['video_end'] = asm.video_end
        self.report['audio_end'] = asm.audio_end
        yield from asm.ready(final=True)

    def __iter__(self) -> Iterator[StreamSlice]:
        asm = self._new_assembler()
        with av.open(self.path) as container:
            num_video = yield from self._decode(container, asm,
                                                self.info.start_time)
            yield from self._finish(asm, num_video)
        self._warn_damage()

    def _resample(self, resampler, frame) -> list:
        try:
            return resampler.resample(frame)
        except (ValueError, av.FFmpegError) as e:
            raise VideoReadError(
                f'{self.path!r}: the audio format changes at '
                f'{frame.time} s ({frame.sample_rate} Hz, '
                f'{frame.layout.name}; the stream started at '
                f'{self.sample_rate} Hz): not supported ({e})') from e

    # -- the report ---------------------------------------------------------
    def truncation(self) -> Optional[str]:
        """Why the last pass looks truncated, or None.

        The streams' end is the later of the last video frame's end (its
        time plus one frame) and the audio's end; a healthy container's
        duration is that, give or take the muxer's rounding. Only a
        shortfall beyond :data:`TRUNCATION_TOLERANCE` counts.
        """
        r = self.report
        duration = self.info.duration
        if duration is None or r.get('video_end') is None:
            return None
        end = r['video_end'] + 1.0 / float(self.info.rate)
        if r.get('audio_end') is not None:
            end = max(end, r['audio_end'])
        if end + TRUNCATION_TOLERANCE < duration:
            return (f'the streams end at {end:.2f} s but the container '
                    f'says {duration:.2f} s (truncated file?)')
        return None

    def _warn_damage(self) -> None:
        """One warning per kind of damage found in the pass just done."""
        r = self.report
        bad = r['corrupt_packets']
        problems = []
        if bad['video'] or bad['audio']:
            problems.append(
                f'{bad["video"]} video and {bad["audio"]} audio packets '
                'could not be decoded and were skipped (first at '
                f'{r["first_corrupt_time"] or 0.0:.2f} s)')
        if r['read_error']:
            problems.append(f'reading stopped early: {r["read_error"]}')
        truncated = self.truncation()
        if truncated:
            problems.append(truncated)
        if problems:
            warnings.warn(
                f'{self.path!r} is damaged: ' + '; '.join(problems) +
                '. The previous frame was held where frames are missing and '
                'missing audio is silence.', CorruptMediaWarning)
        gaps = []
        if r['video_gaps']:
            t0, t1 = max(r['video_gaps'], key=lambda g: g[1] - g[0])
            gaps.append(
                f'{len(r["video_gaps"])} jumps in the video timestamps '
                f'(largest {t0:.2f} s -> {t1:.2f} s): the frame before a '
                'jump is used for the processed frames inside it')
        if r['audio_gaps']:
            filled = sum(j for _, j in r['audio_gaps'] if j > 0)
            gaps.append(
                f'{len(r["audio_gaps"])} jumps in the audio timestamps '
                f'(first at {r["audio_gaps"][0][0]:.2f} s; {filled:.2f} s '
                'filled with silence, overlaps dropped)')
        if gaps:
            warnings.warn(f'{self.path!r}: ' + '; '.join(gaps),
                          TimestampGapWarning)
        if self.info.audio is not None and r['video_end'] is not None:
            a_end = r['audio_end'] or 0.0
            if a_end < r['video_end'] - 1.0:
                warnings.warn(
                    f'{self.path!r}: the audio ends at {a_end:.2f} s but the '
                    f'video runs to {r["video_end"]:.2f} s; the rest ran on '
                    'silence', MissingAudioWarning)
