# Copyright (c) seavis_mm contributors. All rights reserved.
"""Errors and warnings of the media layer (docs/en/reliability.md,
"Streaming and media inputs")."""


class NoAudioStreamError(ValueError):
    """The input has no audio (and silence was not allowed)."""


class MissingAudioWarning(UserWarning):
    """The input has no audio; the stream runs on silence."""


class VideoReadError(ValueError):
    """A video file that can not be read at all (empty, truncated before
    its index, corrupt, not a video)."""


class SourceOpenError(VideoReadError):
    """A live source (URL, device, pipe) could not be opened, or sent
    nothing before the open timeout."""


class CorruptMediaWarning(UserWarning):
    """Packets of a file did not decode and were skipped, or the file ends
    before its container says (truncated)."""


class TimestampGapWarning(UserWarning):
    """The video or audio timestamps of a file jump (missing frames or
    audio); the last frame is held and the audio gap is silent."""


class SourceEndedWarning(UserWarning):
    """A live source stopped, dropped out or went silent; the run ends
    with the results so far (after ``reconnect`` retries)."""
