# Copyright (c) seavis_mm contributors. All rights reserved.
"""Live sources (a network stream, a capture device with its microphone, a
pipe) as a stream of :class:`StreamSlice` objects.

A live source goes through the same decoding loop and the same
:class:`~.slicing.SliceAssembler` as a file
(:class:`~.video_reader.VideoSliceReader`), so a live run and a file run of
the same content give the same slices. What differs is the end: a file ends
where it ends; a live source ends when it stops (end of stream), drops out
(a read error) or sends nothing for ``timeout`` seconds (UDP has no end of
stream). Then it is opened again up to ``reconnect`` times (the time it was
away is a gap: the last frame held, the audio silent), and otherwise the
stream ends cleanly with one :class:`SourceEndedWarning` saying why. The
reader does not pace itself: it delivers what arrives;
:class:`~.live_clock.LiveClock` decides what the model sees.
"""
import time
import warnings
from typing import Iterator, Optional

from .errors import SourceEndedWarning, SourceOpenError
from .probe import VideoInfo, describe_container
from .slicing import StreamSlice
from .sources import MediaSource
from .video_reader import VideoSliceReader


class LiveSliceReader(VideoSliceReader):
    """Iterate a live source as :class:`StreamSlice` objects at ``fps``.

    The source is opened (and described) when the reader is made, and read
    once. A capture device with its microphone arrives as one stream (see
    :mod:`.sources`).

    Args:
        source (MediaSource): What to open (:func:`~.sources.parse_source`).
        fps (float): Processed frames per second.
        allow_silent (bool): See :class:`VideoSliceReader`.
        keep_frames (bool): See :class:`VideoSliceReader`.
        audio_lookahead (float): See :class:`VideoSliceReader`.
        open_timeout (float): Seconds to wait for the source to open and
            show its streams. Defaults to 30.
        timeout (float, optional): Seconds without data after which the
            source counts as stopped. Defaults to 10.
        reconnect (int): Times a stopped source is opened again before the
            stream ends. Defaults to 0.
        reconnect_delay (float): Seconds between tries. Defaults to 1.

    Attributes:
        end_reason (str): Why the stream ended (after iteration).
        reconnects (int): Reconnections made.
    """

    def __init__(self,
                 source: MediaSource,
                 fps: float,
                 allow_silent: bool = False,
                 keep_frames: bool = False,
                 audio_lookahead: float = 0.0,
                 open_timeout: float = 30.0,
                 timeout: Optional[float] = 10.0,
                 reconnect: int = 0,
                 reconnect_delay: float = 1.0) -> None:
        self.source = source
        self.open_timeout = open_timeout
        self.timeout = timeout
        self.reconnect = int(reconnect)
        self.reconnect_delay = reconnect_delay
        self.end_reason: Optional[str] = None
        self.reconnects = 0
        self._container = None
        self._used = False
        super().__init__(source.name, fps, allow_silent, keep_frames,
                         audio_lookahead)

    def _probe(self) -> VideoInfo:
        self._container = self.source.open(self.open_timeout, self.timeout)
        try:
            info = describe_container(self._container, self.source.name)
        except Exception:
            self.close()
            raise
        info.duration = None  # a live source has none
        return info

    def __len__(self) -> int:
        return 0  # unknown

    def close(self) -> None:
        """Close the source (the reader can not be iterated after)."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # closing a broken stream
                pass
        self._container = None
        self.source.close()

    # -- the stream ---------------------------------------------------------
    def _end_reason(self, read_error: Optional[str]) -> str:
        if read_error is None:
            return 'the source ended (end of stream)'
        if 'Immediate exit' in read_error or 'ExitError' in read_error:
            return f'no data for {self.timeout:g} s (--timeout)'
        return f'the source dropped out ({read_error})'

    def __iter__(self) -> Iterator[StreamSlice]:
        if self._used:
            raise RuntimeError(f'live source {self.source.name!r} is read '
                               'once; make a new reader')
        self._used = True
        asm = self._new_assembler()
        container = self._container
        origin = self.info.start_time
        num_video = 0
        started = time.monotonic()
        try:
            while True:
                self.report['read_error'] = None
                num_video += yield from self._decode(container, asm, origin)
                reason = self._end_reason(self.report['read_error'])
                # how a live source ends, reported as such (not as damage)
                self.report['read_error'] = None
                self.close()
                if self.reconnects >= self.reconnect or \
                        not self.source.can_reconnect:
                    break
                container = self._reopen(reason)
                if container is None:
                    break
                # the new connection's time 0 continues the stream's clock:
                # the time it was away becomes a gap (last frame held)
                vs = container.streams.video[0]
                start = float(vs.start_time * vs.time_base) \
                    if vs.start_time is not None else 0.0
                origin = start - (time.monotonic() - started)
            self.end_reason = reason
            warnings.warn(
                f'{self.source.name!r}: {reason} after '
                f'{time.monotonic() - started:.1f} s' +
                (f' and {self.reconnects} reconnections'
                 if self.reconnects else '') + '; the stream ends here',
                SourceEndedWarning)
            yield from self._finish(asm, num_video)
        finally:
            self.close()
        self._warn_damage()

    def _reopen(self, reason: str):
        """Open the source again (up to ``reconnect`` tries in all); None
        when every try failed."""
        while self.reconnects < self.reconnect:
            self.reconnects += 1
            warnings.warn(
                f'{self.source.name!r}: {reason}; reconnecting '
                f'({self.reconnects}/{self.reconnect})', SourceEndedWarning)
            time.sleep(self.reconnect_delay)
            try:
                container = self.source.open(self.open_timeout, self.timeout)
            except SourceOpenError as e:
                reason = str(e)
                continue
            if container.streams.video:
                self._container = container
                return container
            container.close()
        return None
