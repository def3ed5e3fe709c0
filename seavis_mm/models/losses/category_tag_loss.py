# Copyright (c) seavis_mm contributors. All rights reserved.
"""Multi-label tags of the categories that sound in each frame: the
targets and the BCE that both the audio tagger's pretraining
(``AudioTagger``) and ``SeaVISHead(sound_class_prior=...)``'s audio
classifier train with."""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor


def category_targets(labels: Sequence[Tensor], num_classes: int,
                     like: Tensor) -> Tensor:
    """``[F, num_classes]`` 0/1, 1 where a category sounds in the frame.

    Args:
        labels (Sequence[Tensor]): per frame, the labels of its sounding
            objects (AVISeg annotates only those).
        num_classes (int): Number of categories.
        like (Tensor): dtype and device of the result.

    Raises:
        ValueError: a label is not below ``num_classes``.
    """
    target = like.new_zeros(len(labels), num_classes)
    for i, lab in enumerate(labels):
        lab = torch.as_tensor(lab, device=target.device).long()
        if len(lab) and int(lab.max()) >= num_classes:
            raise ValueError(
                f'label {int(lab.max())} in frame {i} of the batch, but '
                f'num_classes is {num_classes}')
        target[i, lab] = 1
    return target


def category_tag_loss(logits: Tensor, labels: Sequence[Tensor]) -> Tensor:
    """BCE of per-frame category logits ``[F, C]`` against
    :func:`category_targets` of ``labels``."""
    return F.binary_cross_entropy_with_logits(
        logits, category_targets(labels, logits.shape[-1], logits))
