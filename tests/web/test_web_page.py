# Copyright (c) seavis_mm contributors. All rights reserved.
"""The web page end to end in a real browser: Debian's headless Chromium
driven by Playwright, against the app served by uvicorn on 127.0.0.1. A
ToyAVIS clip is uploaded (and the webcam + microphone recorded, with
Chromium's fake devices); the test asserts on what the page shows: the
overlay video plays, the timeline image has loaded, results.json is
linked and holds the AVISM results."""
import glob
import json
import os
import os.path as osp
import threading
import time
import urllib.request

import pytest

from ..apis.live_helpers import free_port
from ..apis.stream_fakes import fake_config

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings('ignore:OnlineAVISInferencer. no checkpoint')
]


def _need(what: bool, msg: str) -> None:
    """Skip without ``what``; in CI (whose install has it all) fail."""
    if not what:
        if os.environ.get('CI'):
            pytest.fail(msg)
        pytest.skip(msg)


def _import(name: str):
    try:
        return __import__(name, fromlist=['_'])
    except ImportError:
        _need(False, f'{name} is not installed (pip install -r '
              'requirements/web.txt -r requirements/tests.txt)')


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The app (fake model at 1 fps) served by uvicorn in a thread."""
    uvicorn = _import('uvicorn')
    _import('fastapi')
    from seavis_mm.web import SegmentationService, create_app
    work = str(tmp_path_factory.mktemp('web_jobs'))
    service = SegmentationService(fake_config(fps=1), None, work)
    port = free_port()
    config = uvicorn.Config(create_app(service), host='127.0.0.1',
                            port=port, log_level='warning')
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f'http://127.0.0.1:{port}'
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope='module')
def browser():
    _need(osp.exists(CHROMIUM),
          f'{CHROMIUM} is not installed (tools/install.sh installs it)')
    sync_api = _import('playwright.sync_api')
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + [
                # a fake camera and microphone for the recorder
                '--use-fake-device-for-media-stream',
                '--use-fake-ui-for-media-stream'
            ])
        yield b
        b.close()


def _check_results(page, server: str) -> dict:
    """What the page shows once a job is done."""
    page.wait_for_selector('#result:not([hidden])', timeout=120_000)
    assert page.inner_text('#status').startswith('Done:')
    # the overlay video plays: enough data loaded and time advances
    page.eval_on_selector('#overlay', 'v => { v.muted = true; v.play(); }')
    page.wait_for_function(
        'document.querySelector("#overlay").currentTime > 0.3',
        timeout=30_000)
    ready = page.eval_on_selector('#overlay', 'v => v.readyState')
    assert ready >= 2
    assert page.eval_on_selector('#overlay', 'v => v.error') is None
    # the timeline image loaded and has pixels
    page.wait_for_function(
        'document.querySelector("#timeline").complete && '
        'document.querySelector("#timeline").naturalWidth > 0',
        timeout=30_000)
    # results.json is linked and is AVISM's format
    href = page.get_attribute('#results', 'href')
    with urllib.request.urlopen(server + href) as r:
        results = json.load(r)
    assert isinstance(results, list)
    rows = page.locator('#tracks tbody tr').count()
    assert rows == len(results) > 0
    for t in results:
        assert {'video_id', 'score', 'category_id',
                'segmentations'} <= set(t)
    return results


def test_upload_video(server, browser, toyavis_root):
    video = sorted(glob.glob(osp.join(toyavis_root, 'mp4/val/*.mp4')))[0]
    page = browser.new_page()
    page.goto(server)
    assert 'seavis_mm' in page.title()
    page.set_input_files('#file', video)
    page.click('#run')
    results = _check_results(page, server)
    # 5 s at 1 fps: one RLE per processed frame
    assert all(len(t['segmentations']) == 5 for t in results)
    page.close()


def test_upload_error_is_shown(server, browser, tmp_path):
    bad = tmp_path / 'notes.txt'
    bad.write_text('not a video')
    page = browser.new_page()
    page.goto(server)
    page.set_input_files('#file', str(bad))
    page.click('#run')
    page.wait_for_selector('#status.error')
    assert 'expected a video file' in page.inner_text('#status')
    page.close()


def test_record_webcam_and_microphone(server, browser):
    """Record 3 s from the (fake) webcam and microphone in the page, stop,
    and get the overlay of the recording."""
    context = browser.new_context(permissions=['camera', 'microphone'])
    page = context.new_page()
    page.goto(server)
    page.click('#record')
    page.wait_for_function('!document.querySelector("#stop").disabled')
    page.wait_for_timeout(3000)
    page.click('#stop')
    _check_results(page, server)
    context.close()
