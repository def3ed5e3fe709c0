# Copyright (c) seavis_mm contributors. All rights reserved.
"""Per-frame audio category probabilities of a checkpoint over a split,
for :func:`seavis_mm.evaluation.functional.tagging_by_sources`.

Two kinds of model have an audio tagger: :class:`AudioTagger` (the audio
encoder's pretraining) and a SeaVIS model whose head has
``sound_class_prior`` (its ``audio_cls``). Only the audio is loaded.
"""
import copy
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from seavis_mm.models.audio_encoders import encode_audio_tokens
from seavis_mm.models.pretrain import AudioTagger
from seavis_mm.registry import DATASETS, MODELS

#: only the frames' audio windows (no images)
AUDIO_PIPELINE = [dict(type='LoadAudioWindows'), dict(type='PackAVISInputs')]


def split_dataset_cfg(cfg: Config, split: str,
                      data_root: Optional[str] = None) -> dict:
    """The config's training dataset pointed at ``split`` (``{split}.json``
    and its folders), audio only, in test mode: the tagger's config has no
    test set, and the split is then any of the data root's.

    The data root is ``data_root`` when given, else that of the config's
    own ``{split}_dataloader`` when it has one, else the training set's: a
    config may train on another set than it validates on (the default
    recipe trains on ``data/toyavis_pretrain_large``, which has no val
    split, and validates on ToyAVIS val)."""
    ds = copy.deepcopy(cfg.train_dataloader.dataset)
    own = cfg.get(f'{split}_dataloader')
    if not data_root and own and own.get('dataset'):
        data_root = own['dataset'].get('data_root')
    ds.update(ann_file=f'{split}.json', test_mode=True,
              pipeline=AUDIO_PIPELINE, sounding_ann_file=None)
    prefix = dict(ds.get('data_prefix', {}))
    for key in ('img_path', 'audio_path', 'feat_path'):
        if key in prefix:
            prefix[key] = f'{split}/' + prefix[key].split('/', 1)[1]
    ds.data_prefix = prefix
    if data_root:
        ds.data_root = data_root
    return ds


def record_audio_tags(cfg: Config, checkpoint: str, split: str = 'val',
                      data_root: Optional[str] = None
                      ) -> Tuple[np.ndarray, List[List[int]]]:
    """``[F, C]`` probabilities and each frame's sounding labels (one per
    object) over every frame of ``split``.

    Raises:
        ValueError: the model has no audio tagger.
    """
    from seavis_mm.utils import register_all_modules

    # the registries, and the checkpoint allow-list of weights_only loads
    register_all_modules()
    dataset = DATASETS.build(split_dataset_cfg(cfg, split, data_root))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    if isinstance(model, AudioTagger):
        encoder, tagger = model.audio_encoder, model.cls_head
    elif getattr(getattr(model, 'track_head', None), 'audio_cls',
                 None) is not None:
        encoder, tagger = model.audio_encoder, model.track_head.audio_cls
    else:
        raise ValueError(
            f'{checkpoint}: the model ({type(model).__name__}) has no audio '
            'tagger: an AudioTagger or a SeaVIS head with sound_class_prior')
    probs, labels = [], []
    for i in range(len(dataset)):
        audio = dataset[i]['inputs']['audio']
        with torch.no_grad():
            emb, _ = encode_audio_tokens(encoder, audio[None])
            probs.append(tagger(emb[0]).sigmoid().numpy())
        for frame in dataset.get_data_info(i)['images']:
            labels.append([x['bbox_label'] for x in frame['instances']])
    return np.concatenate(probs), labels
