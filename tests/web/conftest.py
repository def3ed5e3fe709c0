# Copyright (c) seavis_mm contributors. All rights reserved.
# The ToyAVIS clip and the fake model's module path, as in tests/apis.
from ..apis.conftest import toyavis_root  # noqa: F401
