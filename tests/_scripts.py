# Copyright (c) seavis_mm contributors. All rights reserved.
"""Import a script of the repository (tools/, demo/: not packages) by path."""
import importlib.util
import os.path as osp
from types import ModuleType
from typing import Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_script(relpath: str, name: Optional[str] = None) -> ModuleType:
    """Execute ``<repo>/<relpath>`` as a module, not registered in
    ``sys.modules``; ``name`` defaults to the file's base name."""
    path = osp.join(ROOT, relpath)
    spec = importlib.util.spec_from_file_location(
        name or osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
