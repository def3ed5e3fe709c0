# Copyright (c) seavis_mm contributors. All rights reserved.
"""Stream a video with sound through SeaVIS: a file, a frame folder, a
network stream, a capture device with its microphone, or a pipe.

The model runs at its config's ``fps`` (1 for AVISeg / ToyAVIS; ``--fps``
raises it): processed frame ``k`` is the input frame at ``k / fps`` with the
audio slice ``[k / fps, (k + 1) / fps)``. Its masks, class names, track ids
and a sounding indicator are drawn on every input frame of that slice; the
output keeps the input's frame rate and its original audio (copied as is
when the codec fits an .mp4, else re-encoded to AAC).

Examples::

    python demo/stream_demo.py clip.mp4 configs/seavis/seavis_r18_toyavis.py \\
        ckpt.pth --out clip_seg.mp4 --show-timeline clip_timeline.png \\
        --out-dir clip_results
    # a folder of frames (AVISeg layout) and its wav
    python demo/stream_demo.py data/toyavis/val/JPEGImages/val_00000 \\
        CONFIG CKPT --audio data/toyavis/val/WAVAudios/val_00000.wav \\
        --out val_00000.mp4
    # live: a network stream in, the overlay out as MPEG-TS over UDP
    python demo/stream_demo.py rtsp://camera/stream CONFIG CKPT \\
        --out udp://127.0.0.1:5000 --out-dir live --reconnect 3
    # a webcam and its microphone; a pipe
    python demo/stream_demo.py /dev/video0 CONFIG CKPT --input-format v4l2 \\
        --audio-input hw:0 --show
    ffmpeg -re -i clip.mp4 -c copy -f mpegts - | \\
        python demo/stream_demo.py - CONFIG CKPT --out-dir live

``--out-dir DIR`` writes ``DIR/frames.jsonl`` (one JSON line per processed
frame, as it comes), ``DIR/results.json`` (AVISM's results format, the file
the evaluator reads; at the end) and ``DIR/instance_ids/%05d.png`` (uint16:
track id + 1, 0 = background).

Live sources run on the live clock: the model takes the newest complete
slice; when it is slower than real time it drops frames (never their audio,
which still enters the audio history) and reports its lag and drops on a
status line and in the results. A file keeps every frame unless
``--realtime``. A source that ends, drops out or is silent for
``--timeout`` s ends the run (``--reconnect N`` retries first); Ctrl-C or
SIGTERM ends it too: the output video is finished (playable, with audio)
and the results so far are written.

Bad inputs (docs/en/reliability.md): a video without audio stops with an error
unless ``--allow-silent`` (then it runs on silence and says so); a file that
can not be read stops with a one-line error naming it (exit status 1);
damaged packets and timestamp gaps are bridged and reported once; frames of
another size than the first are resized to it (one warning), so the overlay
video, results.json and the id maps keep one size; NaN / inf audio samples
are zeroed (one warning).
"""
import argparse
import signal
import sys
import threading
from typing import Dict

from mmengine.logging import print_log

from seavis_mm.apis import OnlineAVISInferencer
from seavis_mm.apis.inference import model_fps
from seavis_mm.apis.stream_runner import ShowUnavailableError, StreamRunner
from seavis_mm.deployment import BACKENDS
from seavis_mm.media import (FrameResizedWarning, open_slice_reader,
                             parse_options, parse_source)

__all__ = ['parse_args', 'run', 'main', 'FrameResizedWarning']


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Stream a video with sound through SeaVIS.')
    parser.add_argument(
        'video', help='video file with an audio stream, a folder of frames '
        '(with --audio), a URL (rtsp/rtmp/srt/udp/tcp/http(s)/HLS), a '
        'device (with --input-format) or - for standard input')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='overlay video with the original '
                        'audio: a file (.mp4) or a URL (udp://, tcp://, '
                        'srt://: MPEG-TS; rtmp://: FLV)')
    parser.add_argument('--show', action='store_true',
                        help='show the overlay in a window (q/Esc stops)')
    parser.add_argument('--audio', help='audio file for a frame folder')
    parser.add_argument(
        '--fps', type=float, help='processed frames per second (default: '
        "the config's, the rate the model was trained at)")
    parser.add_argument(
        '--input-fps', type=float,
        help="frame rate of a frame folder (default: the config's fps, "
        'as AVISeg frames are at the rate the model was trained at)')
    parser.add_argument('--show-timeline', metavar='PNG',
                        help='plot of which track sounds when, over the '
                        'spectrogram')
    parser.add_argument('--out-dir', help='write frames.jsonl (as it '
                        'comes), results.json (AVISM format) and '
                        'instance_ids/%%05d.png here')
    parser.add_argument('--allow-silent', action='store_true',
                        help='run a video without audio on silence')
    live = parser.add_argument_group('live sources')
    live.add_argument('--realtime', action='store_true',
                      help='run a file at its real-time rate on the live '
                      'clock (drops frames when the model is slower)')
    live.add_argument('--input-format', help='FFmpeg input format or device '
                      '(v4l2, alsa, pulse, lavfi, mpegts, ...)')
    live.add_argument('--input-option', action='append', metavar='KEY=VALUE',
                      help='FFmpeg input option (repeatable), e.g. '
                      'video_size=640x480, rtsp_transport=tcp')
    live.add_argument('--audio-input', help="a capture device's microphone "
                      '(e.g. hw:0 for ALSA)')
    live.add_argument('--audio-input-format', default=None,
                      help='its FFmpeg input format (default: alsa)')
    live.add_argument('--audio-input-option', action='append',
                      metavar='KEY=VALUE', help='its FFmpeg input options')
    live.add_argument('--timeout', type=float, default=10.0,
                      help='seconds without data after which a live source '
                      'counts as stopped (default: %(default)s)')
    live.add_argument('--open-timeout', type=float, default=30.0,
                      help='seconds to wait for a live source to open '
                      '(default: %(default)s)')
    live.add_argument('--reconnect', type=int, default=0, metavar='N',
                      help='open a stopped live source again up to N times')
    live.add_argument('--max-wait', type=float, metavar='S',
                      help='seconds a slice may wait for the model before '
                      'it is dropped (default: one slice period, 1/fps); '
                      'more trades latency for fewer dropped frames')
    parser.add_argument('--device', default='cpu', help='torch device')
    parser.add_argument(
        '--backend', default='auto', choices=('auto', ) + BACKENDS,
        help='what runs the per-frame network; auto: ONNX Runtime on a CPU '
        'where the model exports (the fastest whose masks agree, '
        'docs/en/benchmarks.md), else eager pytorch')
    parser.add_argument(
        '--onnx-file',
        help='run this export of the per-frame network '
        '(tools/deployment/pytorch2onnx.py, e.g. an --int8 one) on ONNX '
        'Runtime; implies --backend onnxruntime')
    parser.add_argument(
        '--blas-threads', type=int, default=1,
        help="numpy's BLAS threads (log-mel front end); 0 leaves them alone "
        '(default: %(default)s: spinning BLAS threads slow torch down)')
    parser.add_argument('--video-id', type=int, default=0,
                        help='video_id written to results.json')
    args = parser.parse_args(argv)
    if args.onnx_file:
        if args.backend not in ('auto', 'onnxruntime'):
            parser.error(f'--onnx-file runs on ONNX Runtime, not '
                         f'--backend {args.backend}')
        args.backend = 'onnxruntime'
    if not (args.out or args.out_dir or args.show_timeline or args.show):
        parser.error('nothing to write: give --out, --out-dir, --show '
                     'and/or --show-timeline')
    return args


def open_source(args: argparse.Namespace, inferencer: OnlineAVISInferencer):
    """The reader for ``args.video`` (file, folder or live source)."""
    import os.path as osp
    source = args.video
    if not osp.isdir(source):
        source = parse_source(
            args.video, args.input_format,
            parse_options(args.input_option), args.audio_input,
            args.audio_input_format,
            parse_options(args.audio_input_option, '--audio-input-option'))
    return open_slice_reader(
        source,
        inferencer.fps,
        audio_path=args.audio,
        input_fps=args.input_fps or model_fps(inferencer.cfg),
        allow_silent=args.allow_silent,
        keep_frames=bool(args.out or args.show),
        audio_lookahead=inferencer.audio_lookahead,
        live_options=dict(open_timeout=args.open_timeout,
                          timeout=args.timeout, reconnect=args.reconnect))


def stop_on_signals(stop: threading.Event) -> None:
    """Ctrl-C / SIGTERM set ``stop`` (the run then finishes its outputs);
    a second one stops at once."""
    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        print_log(f'{signal.Signals(signum).name}: finishing the outputs '
                  '(again to abort)', logger='current')
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def run(args: argparse.Namespace) -> Dict[str, object]:
    inferencer = OnlineAVISInferencer(
        args.config,
        args.checkpoint,
        device=args.device,
        backend=args.backend,
        backend_options=dict(onnx_file=args.onnx_file)
        if args.onnx_file else None,
        fps=args.fps,
        blas_threads=args.blas_threads or None)
    # opened after the model is built, so a live source's first slices do
    # not wait for it
    reader = open_source(args, inferencer)
    info = reader.info
    print_log(
        f'{args.video}: {info.width}x{info.height} at '
        f'{float(info.rate):g} fps, audio: '
        f'{info.audio or "none (running on silence: --allow-silent)"}'
        f'; processing at {inferencer.fps:g} fps', logger='current')
    stop = threading.Event()
    stop_on_signals(stop)
    runner = StreamRunner(
        inferencer, reader, out=args.out, out_dir=args.out_dir,
        timeline=args.show_timeline, show=args.show,
        realtime=args.realtime, video_id=args.video_id, stop=stop,
        max_wait=args.max_wait)
    outputs = runner.run()
    if outputs['num_frames'] == 0:
        raise ValueError(f'{args.video}: no frames could be read')
    runner.log_summary(outputs)
    return outputs


def main(argv=None) -> None:
    run(parse_args(argv))


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, OSError,
            ShowUnavailableError) as e:
        # unusable input: one line naming the file, not a traceback
        sys.exit(f'stream_demo: error: {type(e).__name__}: {e}')
