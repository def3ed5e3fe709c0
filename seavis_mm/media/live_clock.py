# Copyright (c) seavis_mm contributors. All rights reserved.
"""The model's rate on a live stream (README, "Live streams and the web
page").

A thread reads the source as it arrives; the model gets the newest
complete slice. When the model is slower than real time the slices that
arrived meanwhile are *dropped*: handed over with the one processed, in
order, so that their audio still goes through the front end into the audio
history (audio costs milliseconds) and their input frames still reach the
output video, but the model never sees their pictures. Nothing queues up:
a slice that waited longer than ``grace`` (one slice period) when the model
is free again is dropped, so what waits is bounded by the model's time per
frame plus ``grace``, not by the length of the stream. The grace lets a
model that keeps up catch up with a burst shorter than a slice period (a
network source delivers its first seconds at once, after the probe)
instead of dropping it.

A file read with ``pace=True`` (``--realtime``) is released slice by slice
at the rate it would arrive live, so a file behaves like a live source.
"""
import threading
import time
from dataclasses import asdict, dataclass
from typing import Iterable, Iterator, List, Optional, Tuple

from .slicing import StreamSlice


@dataclass
class LiveStats:
    """What the clock measured.

    Attributes:
        processed (int): Slices the model saw.
        dropped (int): Slices skipped (their audio still entered the
            history).
        lag (float): Seconds from the last processed slice being complete
            (its last frame and audio arrived) to its result.
        max_lag (float): The largest ``lag``.
        mean_lag (float): The mean ``lag``.
        max_pending (int): The most slices waiting at one pick (bounded by
            ``(max_step + grace) * fps`` plus one: nothing queues).
        max_step (float): The longest time from a pick to its result (the
            model and the outputs of one frame, with their dropped ones).
    """
    processed: int = 0
    dropped: int = 0
    lag: float = 0.0
    max_lag: float = 0.0
    mean_lag: float = 0.0
    max_pending: int = 0
    max_step: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class LiveClock:
    """Hand the newest complete slice of a stream, with the ones skipped.

    Example::

        >>> clock = LiveClock(reader, fps=1.0)  # reader: in a thread
        >>> for s, dropped in clock:
        ...     for d in dropped:
        ...         inferencer.observe(d.audio, d.sample_rate)
        ...     inst = inferencer.step(s.image, s.audio, s.sample_rate)
        ...     lag = clock.done(s)

    Args:
        reader (Iterable[StreamSlice]): The slices (read in a thread).
        fps (float): The model's rate.
        pace (bool): Release each slice when it would be complete in real
            time, counted from the first (a file as if it were live).
            Defaults to False.
        stop (threading.Event, optional): Set to end the stream early (a
            signal); iteration ends at the next pick.
        grace (float, optional): Seconds a slice may wait for the model
            before it is dropped (never the newest). Defaults to one slice
            period, ``1 / fps``.
        poll (float): Seconds between checks of ``stop`` while waiting.
    """

    def __init__(self,
                 reader: Iterable[StreamSlice],
                 fps: float,
                 pace: bool = False,
                 stop: Optional[threading.Event] = None,
                 grace: Optional[float] = None,
                 poll: float = 0.05) -> None:
        self.reader = reader
        self.fps = float(fps)
        self.pace = pace
        self.stop = stop if stop is not None else threading.Event()
        self.poll = poll
        self.grace = 1.0 / self.fps if grace is None else float(grace)
        self.stats = LiveStats()
        self._cond = threading.Condition()
        self._pending: List[StreamSlice] = []
        self._ended = False
        self._error: Optional[BaseException] = None
        self._closed = threading.Event()
        self._lag_sum = 0.0
        self._picked_at: Optional[float] = None

    def _read(self) -> None:
        """Thread: move the reader's slices into ``_pending``."""
        start = time.monotonic()
        try:
            for s in self.reader:
                if self.pace:
                    due = start + (s.index + 1) / self.fps
                    if self._closed.wait(max(due - time.monotonic(), 0.0)):
                        break
                    s.ready_at = time.monotonic()
                elif s.ready_at is None:
                    s.ready_at = time.monotonic()
                with self._cond:
                    self._pending.append(s)
                    self._cond.notify()
                if self._closed.is_set():
                    break
        except BaseException as e:  # handed to the consumer
            self._error = e
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify()

    def __iter__(self) -> Iterator[Tuple[StreamSlice, List[StreamSlice]]]:
        thread = threading.Thread(
            target=self._read, name='seavis-live-reader', daemon=True)
        thread.start()
        try:
            while not self.stop.is_set():
                with self._cond:
                    while not self._pending and not self._ended and \
                            not self.stop.is_set():
                        self._cond.wait(self.poll)
                    pending = self._pending
                    if not pending:
                        break
                    # slices arrive in order, so the stale ones (waited
                    # beyond the grace) are a prefix; the newest is kept
                    now = time.monotonic()
                    n = 0
                    while n < len(pending) - 1 and \
                            now - pending[n].ready_at > self.grace:
                        n += 1
                    dropped, take = pending[:n], pending[n]
                    self._pending = pending[n + 1:]
                self.stats.max_pending = max(self.stats.max_pending,
                                             len(pending))
                self.stats.dropped += len(dropped)
                self._picked_at = time.monotonic()
                yield take, dropped
        finally:
            self._closed.set()
        if self._error is not None:
            raise self._error

    def done(self, s: StreamSlice) -> float:
        """Record that ``s``'s result is out; returns its lag (s)."""
        now = time.monotonic()
        lag = now - (s.ready_at or now)
        st = self.stats
        if self._picked_at is not None:
            st.max_step = max(st.max_step, now - self._picked_at)
        st.processed += 1
        st.lag = lag
        st.max_lag = max(st.max_lag, lag)
        self._lag_sum += lag
        st.mean_lag = self._lag_sum / st.processed
        return lag

    def status_line(self, s: StreamSlice) -> str:
        """One line for the terminal: time, lag and drops."""
        st = self.stats
        return (f'[live] t={s.time:7.2f} s  frame {s.index}  lag '
                f'{st.lag:5.2f} s (max {st.max_lag:.2f})  dropped '
                f'{st.dropped}/{st.processed + st.dropped}')
