# Copyright (c) seavis_mm contributors. All rights reserved.
from .audio_encoders import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .pretrain import *  # noqa: F401,F403
from .trackers import *  # noqa: F401,F403
from .vis import *  # noqa: F401,F403
