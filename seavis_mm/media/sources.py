# Copyright (c) seavis_mm contributors. All rights reserved.
"""What a source string names: a file, a network stream, a capture device
or a pipe, and how FFmpeg (PyAV) opens it.

* a file: a path that exists (read as fast as it decodes);
* a network stream: any URL FFmpeg opens (``rtsp://``, ``rtmp://``,
  ``srt://``, ``udp://``, ``tcp://``, ``http(s)://``, an HLS ``.m3u8``);
* a capture device: ``input_format`` names an FFmpeg input device
  (``v4l2``, ``alsa``, ``pulse``, ``avfoundation``, ``dshow``, ``lavfi``,
  ...), e.g. ``/dev/video0`` with ``input_format='v4l2'``, its microphone a
  second input (``audio_input='hw:0'``, ``audio_format='alsa'``). PyAV's
  wheels leave most capture devices out (v4l2, pulse) and a camera and its
  microphone are two inputs on two clocks, so a device is captured by the
  ``ffmpeg`` program (Debian's package; ``tools/install.sh``), which syncs
  the two and hands one raw stream through a pipe; without the program,
  PyAV opens the device itself when it can (one input only);
* a pipe: ``-`` (standard input) or ``pipe:N``.

Everything but a file is *live*: it is opened once, read as it arrives and
can not be probed ahead.
"""
import os.path as osp
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import av

from .errors import SourceOpenError

# FFmpeg input devices (libavdevice) and generators: live by nature.
DEVICE_FORMATS = ('v4l2', 'video4linux2', 'alsa', 'pulse', 'jack', 'oss',
                  'sndio', 'openal', 'lavfi', 'avfoundation', 'dshow',
                  'vfwcap', 'gdigrab', 'x11grab', 'kmsgrab', 'fbdev',
                  'decklink', 'android_camera', 'iec61883', 'dv1394')
_URL = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')


def is_url(source: str) -> bool:
    """``scheme://...`` or an FFmpeg ``pipe:`` URL."""
    return bool(_URL.match(source)) or source.startswith('pipe:')


def parse_options(items: Optional[Sequence[str]], what: str = '--input-option'
                  ) -> Dict[str, str]:
    """``['key=value', ...]`` as a dict for FFmpeg.

    Raises:
        ValueError: an item without ``=``.
    """
    out: Dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise ValueError(
                f'{what} {item!r}: expected KEY=VALUE (an FFmpeg option, '
                'e.g. video_size=640x480 or rtsp_transport=tcp)')
        out[key] = value
    return out


@dataclass
class MediaSource:
    """A source as FFmpeg opens it.

    Attributes:
        url (str): What ``av.open`` gets (``pipe:0`` for ``-``).
        name (str): The source as the user gave it (for messages).
        kind (str): ``'file'``, ``'url'``, ``'device'`` or ``'pipe'``.
        format (str, optional): FFmpeg input format (``-f``).
        options (dict): FFmpeg input options.
        audio (MediaSource, optional): A separate audio input (a capture
            device's microphone).
    """
    url: str
    name: str
    kind: str
    format: Optional[str] = None
    options: Dict[str, str] = field(default_factory=dict)
    audio: Optional['MediaSource'] = None
    _proc: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def live(self) -> bool:
        """Read as it arrives (not a file)."""
        return self.kind != 'file'

    @property
    def can_reconnect(self) -> bool:
        """A pipe that ended can not be opened again."""
        return self.kind in ('url', 'device')

    def capture_command(self, ffmpeg: str = 'ffmpeg') -> List[str]:
        """The ``ffmpeg`` command that captures this device (and its
        microphone) to raw video + float PCM in NUT on its stdout."""
        cmd = [ffmpeg, '-hide_banner', '-loglevel', 'error', '-nostdin']
        inputs = [self] + ([self.audio] if self.audio is not None else [])
        for src in inputs:
            for key, value in src.options.items():
                cmd += ['-' + key, value]
            cmd += ['-f', src.format, '-i', src.url]
        cmd += ['-map', '0:v:0',
                '-map', '1:a:0' if self.audio is not None else '0:a:0?',
                '-c:v', 'rawvideo', '-c:a', 'pcm_f32le', '-f', 'nut',
                'pipe:1']
        return cmd

    def open(self, open_timeout: Optional[float] = None,
             read_timeout: Optional[float] = None):
        """``av.open`` the source for reading (a device through the
        ``ffmpeg`` program when it is installed, see the module's doc);
        :meth:`close` ends a capture process.

        Raises:
            SourceOpenError: FFmpeg can not open it (or it sent nothing in
                ``open_timeout`` s).
        """
        timeout = None
        if open_timeout is not None or read_timeout is not None:
            timeout = (open_timeout, read_timeout)
        url, fmt, options = self.url, self.format, dict(self.options)
        ffmpeg = shutil.which('ffmpeg') if self.kind == 'device' else None
        if self.kind == 'device' and ffmpeg is None and (
                self.audio is not None or fmt not in av.formats_available):
            raise SourceOpenError(
                f'capturing {self.name!r} (format {fmt!r}' +
                (f' with the microphone {self.audio.name!r}'
                 if self.audio is not None else '') + ') needs the ffmpeg '
                'program (apt-get install ffmpeg; tools/install.sh does it)')
        if ffmpeg is not None:
            self._proc = subprocess.Popen(
                self.capture_command(ffmpeg), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            url, fmt, options = f'pipe:{self._proc.stdout.fileno()}', \
                'nut', {}
        try:
            return av.open(url, mode='r', format=fmt, options=options,
                           timeout=timeout)
        except (av.FFmpegError, OSError, ValueError) as e:
            how = f' (format {self.format!r})' if self.format else ''
            detail = f'{type(e).__name__}: {e}'
            if self._proc is not None:
                err = self.close()
                detail = err or detail
            raise SourceOpenError(
                f'could not open the {self.kind} source {self.name!r}{how}'
                f': {detail}') from e

    def close(self) -> Optional[str]:
        """End a capture process; returns what it printed on stderr."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        return err.decode(errors='replace').strip()[-500:] or None


def parse_source(source: str,
                 input_format: Optional[str] = None,
                 options: Optional[Dict[str, str]] = None,
                 audio_input: Optional[str] = None,
                 audio_format: Optional[str] = None,
                 audio_options: Optional[Dict[str, str]] = None
                 ) -> MediaSource:
    """Classify ``source`` (see the module's doc).

    Raises:
        FileNotFoundError: it is none of the live kinds and no such file
            exists.
        ValueError: ``audio_input`` for a source that is not a device.
    """
    options = dict(options or {})
    if source == '-' or source.startswith('pipe:'):
        src = MediaSource('pipe:0' if source == '-' else source,
                          'stdin' if source == '-' else source, 'pipe',
                          input_format, options)
    elif input_format in DEVICE_FORMATS:
        src = MediaSource(source, source, 'device', input_format, options)
    elif is_url(source) and not source.startswith('file:'):
        src = MediaSource(source, source, 'url', input_format, options)
    elif osp.exists(source):
        src = MediaSource(source, source, 'file', input_format, options)
    else:
        raise FileNotFoundError(
            f'video file not found: {source!r} (a live source is a URL '
            '(udp://, rtsp://, ...), "-" for standard input, or a device '
            'with --input-format v4l2/lavfi/...)')
    if audio_input is not None:
        if src.kind != 'device':
            raise ValueError(
                f'--audio-input is the microphone of a capture device; '
                f'{source!r} is a {src.kind}, whose own audio track is used')
        fmt = audio_format or 'alsa'
        src.audio = MediaSource(audio_input, audio_input, 'device', fmt,
                                dict(audio_options or {}))
    return src
