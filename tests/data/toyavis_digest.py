# Copyright (c) seavis_mm contributors. All rights reserved.
"""A digest of ToyAVIS output, to check that ``--style v1`` reproduces the
first generator bit for bit.

``toyavis_v1_golden.json`` holds the digests of the first generator
(``seavis_mm/datasets/toyavis.py`` at commit 142ec59, before the v2 style
existed), computed by running that file with this module::

    git show 142ec59:seavis_mm/datasets/toyavis.py > /tmp/toyavis_v1.py
    python tests/data/toyavis_digest.py /tmp/toyavis_v1.py

The test computes the same digests from today's ``style='v1'`` path.
"""
import hashlib
import os
import os.path as osp
import sys
import tempfile
from typing import Callable, Dict

import numpy as np

SEEDS = (0, 7)
SPLITS = ('train', 'val')
VIDEOS = 3
JSONS = ('train.json', 'val.json', 'train_visible.json', 'val_visible.json')


def video_digest(generate: Callable, video_rng: Callable) -> str:
    """sha256 of the raw arrays of ``VIDEOS`` videos per seed and split:
    frames, audio, and per object its category, visible masks and sounding
    schedule."""
    h = hashlib.sha256()
    for seed in SEEDS:
        for split in SPLITS:
            for index in range(VIDEOS):
                video = generate(video_rng(seed, split, index))
                h.update(np.stack(video['frames']).tobytes())
                h.update(np.asarray(video['audio'], np.float32).tobytes())
                for obj in video['objects']:
                    h.update(np.int64(obj['category']).tobytes())
                    h.update(np.packbits(obj['visible']).tobytes())
                    h.update(np.asarray(obj['sounding'], bool).tobytes())
    return h.hexdigest()


def files_digest(write_split: Callable, out_dir: str) -> Dict[str, str]:
    """sha256 of the JSON files and wavs that ``write_split`` writes for 3
    train and 2 val videos of seed 7 (JPEG bytes depend on the encoder
    build, so the frames are checked as arrays by :func:`video_digest`)."""
    for split, n in (('train', 3), ('val', 2)):
        write_split(out_dir, split, n, 7, (8, 20), True)
    out = {}
    for name in JSONS:
        with open(osp.join(out_dir, name), 'rb') as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    wav = hashlib.sha256()
    for split in SPLITS:
        root = osp.join(out_dir, split, 'WAVAudios')
        for name in sorted(os.listdir(root)):
            with open(osp.join(root, name), 'rb') as f:
                wav.update(f.read())
    out['wavs'] = wav.hexdigest()
    return out


def digests(module) -> Dict[str, object]:
    """All digests of a ToyAVIS module's v1 output (``module`` has the old
    ``generate_video(rng)`` and ``write_split(...)`` signatures)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = files_digest(module.write_split, tmp)
    return dict(videos=video_digest(module.generate_video,
                                    module._video_rng),
                files=files)


if __name__ == '__main__':
    import importlib.util
    import json
    spec = importlib.util.spec_from_file_location('toyavis_v1', sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    print(json.dumps(digests(mod), indent=1))
