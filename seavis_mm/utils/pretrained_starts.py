# Copyright (c) seavis_mm contributors. All rights reserved.
"""Check, before a training starts, that the checkpoints a config starts
from are there.

mmengine finds a missing ``load_from`` only after it has built the model,
the data and the optimizer, and a missing ``init_cfg=dict(type='Pretrained',
checkpoint=...)`` inside ``init_weights``; both then say only that a file
can not be found. The ToyAVIS pretrained configs (the default recipe among
them) start from checkpoints that no hub serves: ``make pretrain`` trains
them. This names the config, the key and the file, and says so.
"""
import os.path as osp
from typing import Any, List, Tuple

from mmengine.config import Config

HOW_TO_MAKE = ('the ToyAVIS pretrained starts (the audio tagger and the '
               'visual pretraining chain) are trained by `make pretrain` '
               '(tools/run_pretrain.sh, about 2.5 hours on 2 CPU cores); for '
               'another start, point the key at your checkpoint '
               '(--cfg-options)')


def _is_local(path: Any) -> bool:
    # URLs and mmengine's prefixes (torchvision://, open-mmlab://, ...)
    # are the loaders' business, not a local file
    return isinstance(path, str) and '://' not in path


def _pretrained_inits(node: Any, key: str) -> List[Tuple[str, str]]:
    """(dotted key, checkpoint) of every ``Pretrained`` init_cfg under
    ``node``."""
    found = []
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained' and 'checkpoint' in node:
            found.append((f'{key}.checkpoint', node['checkpoint']))
        for k, v in node.items():
            found += _pretrained_inits(v, f'{key}.{k}' if key else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            found += _pretrained_inits(v, f'{key}.{i}')
    return found


def missing_pretrained_starts(cfg: Config) -> List[Tuple[str, str]]:
    """(key, path) of every local checkpoint ``cfg`` starts from that is
    not a file: ``load_from`` (unless resuming, which loads the work dir's
    own checkpoint instead) and every ``Pretrained`` ``init_cfg`` of the
    model (loaded on resume too)."""
    starts = _pretrained_inits(cfg.get('model'), 'model')
    if cfg.get('load_from') and not cfg.get('resume', False):
        starts.insert(0, ('load_from', cfg.load_from))
    return [(k, p) for k, p in starts if _is_local(p) and not osp.isfile(p)]


def check_pretrained_starts(cfg: Config) -> None:
    """Raise before training when a checkpoint ``cfg`` starts from is
    missing.

    Raises:
        FileNotFoundError: Naming the config, each missing key and file,
            and how the ToyAVIS starts are made.
    """
    missing = missing_pretrained_starts(cfg)
    if missing:
        where = ', '.join(f'{key} = {path!r}' for key, path in missing)
        raise FileNotFoundError(
            f'{cfg.filename or "config"}: the checkpoint it starts from is '
            f'missing ({where}, relative to {osp.abspath(".")}): '
            f'{HOW_TO_MAKE}')
