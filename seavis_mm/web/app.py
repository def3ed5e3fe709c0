# Copyright (c) seavis_mm contributors. All rights reserved.
"""The web app: FastAPI routes over :class:`SegmentationService`.

FastAPI (with uvicorn) rather than Gradio: the page needs one upload, one
recorder and three results; Gradio 6 brings a front-end build and a few
dozen dependencies for that, and its page is harder to assert on in a real
browser than a page of our own (tests/web).
"""
import os
import os.path as osp
import re
import shutil
import tempfile
import threading
import uuid
import warnings
from typing import Dict, Optional

from seavis_mm.apis.inference import OnlineAVISInferencer
from seavis_mm.apis.stream_runner import StreamRunner
from seavis_mm.media import open_slice_reader
from .page import INDEX_HTML

# what a job folder serves, and as what
RESULT_FILES = {
    'overlay.mp4': 'video/mp4',
    'timeline.png': 'image/png',
    'results.json': 'application/json',
    'frames.jsonl': 'application/jsonl',
}
_JOB = re.compile(r'^[0-9a-f]{32}$')
# uploads the page accepts (anything FFmpeg reads would do; these are what
# users and the browser's recorder send)
UPLOAD_EXTENSIONS = ('.mp4', '.mkv', '.webm', '.mov', '.avi', '.m4v', '.ts',
                     '.ogv')


class JobError(ValueError):
    """An upload that can not be segmented (the message is shown)."""


class SegmentationService:
    """Runs uploaded videos through one model, one at a time.

    Args:
        config (str | Config): Model config (file or loaded).
        checkpoint (str, optional): Weights (None: random init, tests).
        work_dir (str, optional): Where jobs are kept (default: a temporary
            folder).
        device (str): Torch device.
        max_upload_mb (float): Largest upload accepted.
    """

    def __init__(self,
                 config: str,
                 checkpoint: Optional[str] = None,
                 work_dir: Optional[str] = None,
                 device: str = 'cpu',
                 max_upload_mb: float = 200.0) -> None:
        self.inferencer = OnlineAVISInferencer(config, checkpoint,
                                               device=device)
        self.work_dir = work_dir or tempfile.mkdtemp(prefix='seavis_web_')
        os.makedirs(self.work_dir, exist_ok=True)
        self.max_upload = int(max_upload_mb * 2**20)
        self._lock = threading.Lock()

    def job_dir(self, job: str) -> str:
        if not _JOB.match(job):
            raise JobError(f'no job {job!r}')
        return osp.join(self.work_dir, job)

    def result_path(self, job: str, name: str) -> Optional[str]:
        """The file ``name`` of ``job``, or None."""
        if name not in RESULT_FILES:
            return None
        path = osp.join(self.job_dir(job), name)
        return path if osp.isfile(path) else None

    def run(self, filename: str, fileobj) -> Dict[str, object]:
        """Segment one uploaded video; returns what the page shows."""
        ext = osp.splitext(filename or '')[1].lower() or '.webm'
        if ext not in UPLOAD_EXTENSIONS:
            raise JobError(f'{filename!r}: expected a video file '
                           f'({", ".join(UPLOAD_EXTENSIONS)})')
        job = uuid.uuid4().hex
        folder = self.job_dir(job)
        os.makedirs(folder)
        src = osp.join(folder, 'input' + ext)
        with open(src, 'wb') as f:
            shutil.copyfileobj(fileobj, f)
        if osp.getsize(src) > self.max_upload:
            raise JobError(f'{filename!r} is larger than '
                           f'{self.max_upload // 2**20} MB')
        with self._lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try:
                reader = open_slice_reader(
                    src, self.inferencer.fps, keep_frames=True,
                    audio_lookahead=self.inferencer.audio_lookahead)
            except (ValueError, FileNotFoundError) as e:
                raise JobError(f'{filename!r}: {e}') from e
            runner = StreamRunner(
                self.inferencer, reader,
                out=osp.join(folder, 'overlay.mp4'), out_dir=folder,
                timeline=osp.join(folder, 'timeline.png'), status=False)
            outputs = runner.run()
        if not outputs['num_frames']:
            raise JobError(f'{filename!r}: no frames could be read')
        results = runner.results
        tracks = [
            dict(id=tid,
                 category=self.inferencer.class_name(
                     results.track_label(tid)),
                 frames=len(t['frames']),
                 seconds=[round(f / self.inferencer.fps, 3)
                          for f in (min(t['frames']), max(t['frames']) + 1)])
            for tid, t in sorted(results.tracks.items())
        ]
        base = f'/jobs/{job}/'
        return dict(
            job=job,
            num_frames=outputs['num_frames'],
            fps=self.inferencer.fps,
            tracks=tracks,
            warnings=sorted({str(w.message) for w in caught
                             if 'checkpoint' not in str(w.message)}),
            video=base + 'overlay.mp4',
            timeline=base + 'timeline.png',
            results=base + 'results.json',
            frames=base + 'frames.jsonl')


def create_app(service: SegmentationService):
    """The FastAPI app: ``/`` (the page), ``POST /api/segment`` (a video
    file in the ``video`` field), ``/jobs/{job}/{file}`` (results)."""
    from fastapi import FastAPI, File, HTTPException, UploadFile
    from fastapi.responses import FileResponse, HTMLResponse

    app = FastAPI(title='seavis_mm', docs_url=None, redoc_url=None)

    @app.get('/', response_class=HTMLResponse)
    def index() -> str:
        return INDEX_HTML

    @app.post('/api/segment')
    def segment(video: UploadFile = File(...)) -> dict:
        # a plain def: FastAPI runs it in its thread pool, the model's
        # seconds do not block the server
        try:
            return service.run(video.filename, video.file)
        except JobError as e:
            raise HTTPException(status_code=400, detail=str(e))

    @app.get('/jobs/{job}/{name}')
    def result(job: str, name: str):
        try:
            path = service.result_path(job, name)
        except JobError:
            path = None
        if path is None:
            raise HTTPException(status_code=404, detail='not found')
        return FileResponse(path, media_type=RESULT_FILES[name])

    return app
