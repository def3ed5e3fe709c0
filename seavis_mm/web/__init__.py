# Copyright (c) seavis_mm contributors. All rights reserved.
"""A small web page over the streaming demo: upload a video with sound or
record the webcam and microphone in the browser; get the overlay video,
the sound timeline and results.json (``demo/web_demo.py`` starts it)."""
from .app import SegmentationService, create_app

__all__ = ['SegmentationService', 'create_app']
