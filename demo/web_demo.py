# Copyright (c) seavis_mm contributors. All rights reserved.
"""A web page for SeaVIS: upload a video with sound, or record the webcam
and microphone in the browser; get the overlay video, the sound timeline
and results.json.

Example::

    python demo/web_demo.py configs/seavis/seavis_r18_toyavis.py ckpt.pth
    # then open http://127.0.0.1:7860
"""
import argparse

from seavis_mm.web import SegmentationService, create_app


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to serve on (0.0.0.0: every one)')
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--work-dir', help='where jobs are kept (default: a '
                        'temporary folder)')
    parser.add_argument('--device', default='cpu', help='torch device')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    import uvicorn
    args = parse_args(argv)
    service = SegmentationService(args.config, args.checkpoint,
                                  args.work_dir, args.device)
    uvicorn.run(create_app(service), host=args.host, port=args.port)


if __name__ == '__main__':
    main()
