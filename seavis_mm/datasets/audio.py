# Copyright (c) seavis_mm contributors. All rights reserved.
"""Audio loading and the VGGish log-mel front end, offline and streaming.

One definition of a frame's audio window is used everywhere (see
``docs/en/advanced_guides/data_flow.md``, section 2):

* audio is mono float32 at 16 kHz;
* log-mel frames live on one global grid: mel frame ``k`` covers samples
  ``[160 k, 160 k + 400)`` (25 ms periodic-Hann window, 10 ms hop, 512-point
  FFT, magnitude), 64 HTK mel bands 125-7500 Hz, ``log(mel + 0.01)``;
* frame ``t`` (at ``fps``) owns the slice ``[t / fps, (t + 1) / fps)``; its
  patch is the 96 mel frames that end last at or before the slice end,
  ``k_last = floor((S_end - 400) / 160)`` with
  ``S_end = round((t + 1) / fps * 16000)``, plus ``past_context`` older
  frames. Negative frame indices are silence, ``log(0.01)``.

So a patch never holds audio after its frame's slice, and
:class:`StreamingLogMel` reproduces the offline numbers incrementally.
"""
import math
import os
import os.path as osp
from collections import deque
from typing import Deque, Optional, Tuple

import librosa
import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000
WIN_LENGTH = 400  # 25 ms at 16 kHz
HOP_LENGTH = 160  # 10 ms at 16 kHz
N_FFT = 512
N_MELS = 64
FMIN = 125.0
FMAX = 7500.0
LOG_OFFSET = 0.01
PATCH_FRAMES = 96  # 0.96 s, one VGGish example
SILENCE_LOGMEL = math.log(LOG_OFFSET)


# The one resampler of every audio path (load_audio, the stream,
# extract_audio.py): soxr at its "HQ" quality. Its streaming form
# (soxr.ResampleStream) gives the same samples as the whole signal at once,
# so a file's audio is the same offline and streamed.
RESAMPLE_QUALITY = 'HQ'


def resample(y: np.ndarray, orig_sr: int, sr: int = SAMPLE_RATE
             ) -> np.ndarray:
    """Resample a mono float signal from ``orig_sr`` to ``sr`` Hz; the
    result has ``ceil(len(y) * sr / orig_sr)`` samples (as librosa's)."""
    import soxr
    y = np.asarray(y, dtype=np.float32)
    if orig_sr == sr:
        return y
    out = soxr.resample(y, orig_sr, sr, quality=RESAMPLE_QUALITY)
    n = int(np.ceil(len(y) * sr / orig_sr))
    if len(out) < n:
        out = np.concatenate([out, np.zeros(n - len(out), out.dtype)])
    return np.ascontiguousarray(out[:n], dtype=np.float32)


def stream_resampler(orig_sr: int, sr: int = SAMPLE_RATE):
    """The streaming form of :func:`resample` (``resample_chunk(x,
    last=...)``) for mono float32 chunks."""
    import soxr
    return soxr.ResampleStream(
        orig_sr, sr, 1, dtype='float32', quality=RESAMPLE_QUALITY)


class AudioLoadError(ValueError):
    """An audio file exists but can not be used (unreadable, empty, NaN)."""


def load_audio(path: str, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as mono float32 at ``sr`` Hz.

    Any sample rate is resampled (:func:`resample`) and any channel count
    is averaged down to mono.

    Args:
        path (str): Audio file (anything libsndfile reads: wav, flac, ogg).
        sr (int): Target sample rate. Defaults to 16000.

    Returns:
        np.ndarray: ``float32`` array of shape ``(num_samples,)``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        AudioLoadError: the file can not be decoded, holds no samples, or
            holds NaN / inf samples.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'audio file not found: {path!r}')
    try:
        data, file_sr = sf.read(path, dtype='float32', always_2d=True)
    except Exception as e:  # libsndfile raises its own error types
        raise AudioLoadError(
            f'audio file {path!r} could not be decoded '
            f'({type(e).__name__}: {e}); expected a wav/flac/ogg file') from e
    if data.shape[0] == 0:
        raise AudioLoadError(f'audio file {path!r} holds no samples')
    bad = ~np.isfinite(data)
    if bad.any():
        first = int(np.argwhere(bad)[0, 0])
        raise AudioLoadError(
            f'audio file {path!r} holds {int(bad.sum())} NaN/inf sample '
            f'values (first at sample {first}, {first / file_sr:.3f} s)')
    y = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    y = resample(y, file_sr, sr)
    return np.ascontiguousarray(y, dtype=np.float32)


def slice_end_sample(t: int, fps: float, sr: int = SAMPLE_RATE) -> int:
    """First sample after frame ``t``'s audio slice ``[t/fps, (t+1)/fps)``."""
    return int(round((t + 1) / fps * sr))


def last_mel_frame(sample_end: int) -> int:
    """Index of the last mel frame that ends at or before ``sample_end``
    (may be negative when the slice is shorter than one window)."""
    return (sample_end - WIN_LENGTH) // HOP_LENGTH


class VGGishLogMel:
    """VGGish log-mel front end on the global frame grid, computed with
    librosa.

    The window is a 400-sample periodic Hann placed at the START of each
    512-sample FFT frame (as VGGish zero-pads each 25 ms frame to 512 points),
    so mel frame ``k`` depends on samples ``[160 k, 160 k + 400)`` only.
    librosa's own ``win_length=400`` would centre the window in the FFT frame
    and let frame ``k`` read 56 samples later, which would break the causal
    window definition for some frame rates.
    """

    def __init__(self) -> None:
        hann = librosa.filters.get_window('hann', WIN_LENGTH, fftbins=True)
        self.window = np.zeros(N_FFT, dtype=np.float64)
        self.window[:WIN_LENGTH] = hann
        self.mel_basis = librosa.filters.mel(sr=SAMPLE_RATE,
                                             n_fft=N_FFT,
                                             n_mels=N_MELS,
                                             fmin=FMIN,
                                             fmax=FMAX,
                                             htk=True,
                                             norm=None).astype(np.float64)

    def frames(self, y: np.ndarray, k_start: int, k_end: int) -> np.ndarray:
        """Log-mel frames ``k_start .. k_end - 1`` of signal ``y``.

        Frames before sample 0 are silence; samples after the end of ``y``
        are zeros (the audio is zero-padded where it ends).

        Args:
            y (np.ndarray): Mono 16 kHz signal, sample 0 at time 0.
            k_start (int): First global mel frame index (may be negative).
            k_end (int): One past the last frame index.

        Returns:
            np.ndarray: ``float32`` array ``(k_end - k_start, 64)``.
        """
        num = k_end - k_start
        out = np.full((max(num, 0), N_MELS), SILENCE_LOGMEL, dtype=np.float32)
        first = max(k_start, 0)
        if num <= 0 or k_end <= first:
            return out
        s0 = first * HOP_LENGTH
        s1 = (k_end - 1) * HOP_LENGTH + N_FFT
        seg = np.zeros(s1 - s0, dtype=np.float64)
        avail = y[s0:min(s1, len(y))]
        seg[:len(avail)] = avail
        out[first - k_start:] = self._logmel(seg)
        return out

    def _logmel(self, seg: np.ndarray) -> np.ndarray:
        """Log-mel of a segment that starts on a grid point; one output
        frame per hop whose 512-sample FFT frame lies inside ``seg``."""
        spec = np.abs(
            librosa.stft(seg,
                         n_fft=N_FFT,
                         hop_length=HOP_LENGTH,
                         win_length=N_FFT,
                         window=self.window,
                         center=False))
        mel = self.mel_basis @ spec
        return np.log(mel + LOG_OFFSET).T.astype(np.float32)

    def num_frames(self, num_samples: int) -> int:
        """Number of complete mel frames in ``num_samples`` samples."""
        return max(0, (num_samples - WIN_LENGTH) // HOP_LENGTH + 1)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """All complete log-mel frames of ``y``: ``(num_frames, 64)``."""
        return self.frames(y, 0, self.num_frames(len(y)))


_FRONT_END: Optional[VGGishLogMel] = None


def _front_end() -> VGGishLogMel:
    global _FRONT_END
    if _FRONT_END is None:
        _FRONT_END = VGGishLogMel()
    return _FRONT_END


def patch_bounds(t: int, fps: float, past_context: int = 0) -> Tuple[int, int]:
    """Global mel frame range ``[k_first, k_last + 1)`` of frame ``t``'s
    patch."""
    k_last = last_mel_frame(slice_end_sample(t, fps))
    return k_last - PATCH_FRAMES + 1 - past_context, k_last + 1


def patch_for_frame(y: np.ndarray,
                    t: int,
                    fps: float,
                    past_context: int = 0) -> np.ndarray:
    """The log-mel patch of frame ``t``: ``(96 + past_context, 64)``.

    Args:
        y (np.ndarray): Mono 16 kHz signal of the whole video.
        t (int): Frame index (0-based) at ``fps``.
        fps (float): Frame rate of the sampled frames (AVISeg: 1).
        past_context (int): Extra mel frames before the 96 of the patch.

    Returns:
        np.ndarray: ``float32`` patch, oldest frame first.
    """
    k0, k1 = patch_bounds(t, fps, past_context)
    return _front_end().frames(y, k0, k1)


def patches_for_frames(logmel: np.ndarray,
                       frame_ids,
                       fps: float,
                       past_context: int = 0) -> np.ndarray:
    """Slice many frames' patches out of a precomputed global log-mel grid.

    Args:
        logmel (np.ndarray): ``(K, 64)`` frames ``0..K-1`` of the video's
            audio, computed with :class:`VGGishLogMel` on audio zero-padded
            to the end of the last requested slice.
        frame_ids (Iterable[int]): Frame indices.
        fps (float): Frame rate.
        past_context (int): Extra past mel frames.

    Returns:
        np.ndarray: ``(len(frame_ids), 96 + past_context, 64)`` float32.
    """
    size = PATCH_FRAMES + past_context
    frame_ids = list(frame_ids)
    out = np.full((len(frame_ids), size, N_MELS),
                  SILENCE_LOGMEL,
                  dtype=np.float32)
    for i, t in enumerate(frame_ids):
        k0, k1 = patch_bounds(t, fps, past_context)
        if k1 > len(logmel):
            raise ValueError(
                f'log-mel grid has {len(logmel)} frames but frame {t} at '
                f'fps={fps} needs frames up to {k1}; pad the audio first')
        lo = max(k0, 0)
        if k1 > lo:
            out[i, lo - k0:] = logmel[lo:k1]
    return out


class StreamingLogMel:
    """Incremental VGGish log-mel: the same numbers as :func:`patch_for_frame`
    with each mel frame computed once and bounded memory.

    Push 16 kHz mono chunks of any length with :meth:`push`; ask for the patch
    of the slice that ends at sample ``sample_end`` with :meth:`patch_until`.
    Only the last ``96 + past_context + lookahead_frames`` mel frames and
    fewer than 400 pending samples are kept, so memory and the cost per second
    of audio stay flat over an arbitrarily long stream.

    Args:
        past_context (int): Extra past mel frames per patch. Defaults to 0.
        lookahead_frames (int): How far (in 10 ms mel frames) the pushed
            audio may run ahead of the slice asked for: a demo decoding audio
            packets that do not end on frame boundaries pushes a little past
            the current slice. Defaults to 100 (1 s).
    """

    def __init__(self,
                 past_context: int = 0,
                 lookahead_frames: int = 100) -> None:
        self.past_context = past_context
        self.patch_size = PATCH_FRAMES + past_context
        self.capacity = self.patch_size + lookahead_frames
        self.front_end = _front_end()
        self.reset()

    def reset(self) -> None:
        """Forget the stream (a new video starts at sample 0)."""
        self._ring: Deque[np.ndarray] = deque(maxlen=self.capacity)
        self._pending = np.zeros(0, dtype=np.float64)
        self._pending_start = 0  # global index of _pending[0]
        self.num_samples = 0  # samples pushed so far
        self.num_frames = 0  # mel frames computed so far

    def push(self, chunk: np.ndarray) -> int:
        """Append samples and compute the mel frames they complete.

        Returns:
            int: The number of new mel frames.
        """
        chunk = np.asarray(chunk, dtype=np.float64).reshape(-1)
        if chunk.size and not np.isfinite(chunk).all():
            raise AudioLoadError(
                'StreamingLogMel.push got NaN/inf samples at stream sample '
                f'{self.num_samples + int(np.argmin(np.isfinite(chunk)))}')
        self._pending = np.concatenate([self._pending, chunk])
        self.num_samples += chunk.size
        total = self.front_end.num_frames(self.num_samples)
        new = total - self.num_frames
        if new <= 0:
            return 0
        # Frame k needs samples [160k, 160k + 512) of the zero-padded FFT
        # frame but its window is zero after 400, so pad instead of waiting.
        k0 = self.num_frames
        off = k0 * HOP_LENGTH - self._pending_start
        need = (total - 1) * HOP_LENGTH + N_FFT - k0 * HOP_LENGTH
        seg = np.zeros(need, dtype=np.float64)
        avail = self._pending[off:off + need]
        seg[:len(avail)] = avail
        for row in self.front_end._logmel(seg):
            self._ring.append(row)
        self.num_frames = total
        # Keep only the samples the next frame starts from.
        keep_from = total * HOP_LENGTH
        self._pending = self._pending[keep_from - self._pending_start:]
        self._pending_start = keep_from
        return new

    def flush_to(self, sample_end: int) -> None:
        """Push zeros up to ``sample_end`` (the stream ended before the
        last slice did: the audio is zero-padded where it ends)."""
        if sample_end > self.num_samples:
            self.push(np.zeros(sample_end - self.num_samples, np.float32))

    def patch_until(self, sample_end: int) -> np.ndarray:
        """The patch of the slice that ends at ``sample_end`` (exclusive):
        ``(96 + past_context, 64)`` float32, oldest first.

        Raises:
            ValueError: the stream has not reached ``sample_end`` yet, or the
                patch starts before the frames still held in memory.
        """
        k_last = last_mel_frame(sample_end)
        if k_last >= self.num_frames:
            raise ValueError(
                f'patch_until({sample_end}) needs mel frame {k_last} but only '
                f'{self.num_frames} are computed ({self.num_samples} samples '
                'pushed); push more audio first')
        k_first = k_last - self.patch_size + 1
        oldest = self.num_frames - len(self._ring)
        if max(k_first, 0) < oldest:
            raise ValueError(
                f'patch_until({sample_end}) needs mel frame {k_first} but '
                f'frames before {oldest} were dropped (bounded memory of '
                f'{self.capacity} frames); ask for patches in time order '
                'and push at most lookahead_frames ahead')
        out = np.full((self.patch_size, N_MELS),
                      SILENCE_LOGMEL,
                      dtype=np.float32)
        lo = max(k_first, 0)
        rows = [self._ring[k - oldest] for k in range(lo, k_last + 1)]
        if rows:
            out[lo - k_first:] = np.stack(rows)
        return out

    def patch_for_frame(self, t: int, fps: float) -> np.ndarray:
        """Patch of frame ``t`` at ``fps``; see :meth:`patch_until`."""
        return self.patch_until(slice_end_sample(t, fps))


def file_signature(path: str) -> Tuple[str, int, int]:
    """Cache key of a file: path, size and modification time."""
    st = os.stat(path)
    return (osp.abspath(path), st.st_size, st.st_mtime_ns)
