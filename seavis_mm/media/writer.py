# Copyright (c) seavis_mm contributors. All rights reserved.
"""Writing the overlay video with the original audio (PyAV): to a file
(.mp4, .mkv, .webm) or to a URL (``udp://``, ``tcp://``, ``rtmp://``,
``srt://``: a live output, MPEG-TS unless the URL's protocol needs FLV)."""
from fractions import Fraction
from typing import Optional, Union

import av
import numpy as np

from .errors import NoAudioStreamError
from .sources import is_url

# Audio codecs an .mp4 carries as they are (copied without re-encoding).
MP4_COPY_AUDIO_CODECS = ('aac', 'mp3')


# Encoders in order of preference per container family: H.264 + AAC plays
# everywhere (browsers included) from .mp4 / MPEG-TS / FLV; WebM carries
# only VP8/VP9 + Opus/Vorbis.
VIDEO_ENCODERS = dict(
    default=('libx264', 'libopenh264', 'h264', 'mpeg4'),
    webm=('libvpx-vp9', 'libvpx', 'vp9', 'vp8'))
AUDIO_ENCODERS = dict(default=('aac', ), webm=('libvorbis', 'libopus'))


def _pick_encoder(names) -> str:
    for name in names:
        if name in av.codecs_available:
            try:
                av.codec.Codec(name, 'w')
                return name
            except Exception:  # not built with an encoder of that name
                continue
    raise RuntimeError(f'PyAV has none of the encoders {names}')


def _pick_video_codec(family: str = 'default') -> str:
    return _pick_encoder(VIDEO_ENCODERS[family])


def output_format(path: str) -> Optional[str]:
    """The container format for ``path``: MPEG-TS for a URL (FLV for
    ``rtmp(s)://``), else None (FFmpeg picks it from the extension)."""
    if not is_url(path):
        return None
    return 'flv' if path.startswith(('rtmp://', 'rtmps://')) else 'mpegts'


class AVWriter:
    """Write BGR frames at a fixed frame rate, with audio, to a file (.mp4,
    .mkv, .webm) or a live URL (see :func:`output_format`).

    Audio comes one of two ways: ``copy_audio_from`` (a media file) copies
    that file's first audio stream packet by packet, unchanged, when its
    codec fits an .mp4 (AAC, MP3), interleaved with the video as frames are
    written; otherwise the caller passes decoded samples to
    :meth:`write_audio` and they are encoded to AAC.

    A live URL gets low-latency H.264 (one frame in, one packet out). When
    the run stops early (a signal, a source that ended) :meth:`close`
    still flushes the encoders and writes the index: the file plays.

    Args:
        path (str): Output file (.mp4, .mkv, .webm) or URL.
        width (int): Frame width. Odd sizes are padded by one pixel.
        height (int): Frame height.
        rate (Fraction | float): Frame rate.
        copy_audio_from (str, optional): Media file whose audio is copied.
        audio_rate (int, optional): Sample rate of :meth:`write_audio`
            samples (AAC encoding). Defaults to None (no encoded audio).
        audio_channels (int): Channels of :meth:`write_audio` samples.
        audio_time_offset (float): Seconds subtracted from copied audio
            timestamps (the input's first video timestamp).
    """

    def __init__(self,
                 path: str,
                 width: int,
                 height: int,
                 rate: Union[Fraction, float],
                 copy_audio_from: Optional[str] = None,
                 audio_rate: Optional[int] = None,
                 audio_channels: int = 1,
                 audio_time_offset: float = 0.0) -> None:
        self.path = path
        self.width, self.height = int(width), int(height)
        self.rate = Fraction(rate).limit_denominator(1001)
        fmt = output_format(path)
        self.live = fmt is not None
        family = 'webm' if path.lower().endswith('.webm') else 'default'
        try:
            # an .mp4's index first, so a browser plays it while loading
            opts = {'movflags': '+faststart'} \
                if path.lower().endswith(('.mp4', '.m4v', '.mov')) else {}
            self.container = av.open(path, mode='w', format=fmt,
                                     options=opts)
        except (av.FFmpegError, OSError) as e:
            raise OSError(f'could not open the output {path!r}: '
                          f'{type(e).__name__}: {e}') from e
        codec = _pick_video_codec(family)
        options = dict(preset='veryfast', tune='zerolatency') \
            if self.live and codec == 'libx264' else None
        self.vstream = self.container.add_stream(
            codec, rate=self.rate, options=options)
        self.vstream.width = self.width + self.width % 2
        self.vstream.height = self.height + self.height % 2
        self.vstream.pix_fmt = 'yuv420p'
        self.num_frames = 0
        self._src = None
        self._astream = None
        self._arate = None
        self._apts = 0
        if copy_audio_from is not None:
            self._open_copy(copy_audio_from, audio_time_offset)
        elif audio_rate is not None:
            self._arate = int(audio_rate)
            self._astream = self.container.add_stream(
                _pick_encoder(AUDIO_ENCODERS[family]), rate=self._arate)
            self._alayout = 'mono' if audio_channels == 1 else 'stereo'
            if audio_channels > 2:
                raise ValueError('AVWriter encodes mono or stereo audio; got '
                                 f'{audio_channels} channels')
            self._astream.layout = self._alayout

    @property
    def encodes_audio(self) -> bool:
        """Whether audio is expected through :meth:`write_audio`."""
        return self._arate is not None

    def _open_copy(self, src_path: str, offset: float) -> None:
        self._src = av.open(src_path)
        if not self._src.streams.audio:
            raise NoAudioStreamError(f'{src_path!r} has no audio to copy')
        in_a = self._src.streams.audio[0]
        if in_a.codec_context.name not in MP4_COPY_AUDIO_CODECS:
            raise ValueError(
                f'audio codec {in_a.codec_context.name!r} of {src_path!r} '
                'can not be copied into an .mp4; decode it and use '
                'write_audio() (AAC) instead')
        add_tpl = getattr(self.container, 'add_stream_from_template', None)
        self._astream = add_tpl(in_a) if add_tpl is not None else \
            self.container.add_stream(template=in_a)
        self._src_packets = self._src.demux(in_a)
        self._offset_pts = int(round(offset / in_a.time_base)) \
            if offset else 0
        self._pending_packet = None

    def _copy_audio_until(self, t: Optional[float]) -> None:
        """Mux the copied audio packets up to time ``t`` (None: all)."""
        if self._src is None:
            return
        while True:
            pkt = self._pending_packet
            if pkt is None:
                try:
                    pkt = next(self._src_packets)
                except StopIteration:
                    self._src.close()
                    self._src = None
                    return
                if pkt.dts is None:  # demuxer's flush packet
                    continue
            if t is not None and pkt.pts is not None and \
                    float((pkt.pts - self._offset_pts) * pkt.time_base) > t:
                self._pending_packet = pkt
                return
            self._pending_packet = None
            if self._offset_pts:
                pkt.pts -= self._offset_pts
                pkt.dts -= self._offset_pts
            pkt.stream = self._astream
            self.container.mux(pkt)

    def write_frame(self, image: np.ndarray) -> None:
        """Append one BGR uint8 frame (``height x width x 3``)."""
        if image.shape[:2] != (self.height, self.width):
            raise ValueError(
                f'AVWriter({self.path!r}): frame is {image.shape[:2]} but '
                f'the video is {(self.height, self.width)}')
        if self.width % 2 or self.height % 2:
            image = np.pad(
                image, ((0, self.height % 2), (0, self.width % 2), (0, 0)),
                mode='edge')
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(image), format='bgr24')
        frame.pts = self.num_frames
        frame.time_base = Fraction(1) / self.rate
        for pkt in self.vstream.encode(frame):
            self.container.mux(pkt)
        self.num_frames += 1
        # keep the copied audio about one second ahead of the video
        self._copy_audio_until(self.num_frames / float(self.rate) + 1.0)

    def write_audio(self, samples: np.ndarray) -> None:
        """Append ``(n, channels)`` float32 samples (AAC-encoded)."""
        if self._arate is None:
            raise RuntimeError('AVWriter was opened without audio_rate')
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[:, None]
        if len(samples) == 0:
            return
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.T), format='fltp',
            layout=self._alayout)
        frame.sample_rate = self._arate
        frame.pts = self._apts
        frame.time_base = Fraction(1, self._arate)
        self._apts += len(samples)
        for pkt in self._astream.encode(frame):
            self.container.mux(pkt)

    def close(self) -> None:
        """Flush the encoders and finish the file (once)."""
        if self.container is None:
            return
        for pkt in self.vstream.encode(None):
            self.container.mux(pkt)
        self._copy_audio_until(None)
        if self._arate is not None:
            for pkt in self._astream.encode(None):
                self.container.mux(pkt)
        self.container.close()
        self.container = None

    @property
    def closed(self) -> bool:
        return self.container is None

    def __enter__(self) -> 'AVWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
