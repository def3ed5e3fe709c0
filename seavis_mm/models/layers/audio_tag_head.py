# Copyright (c) seavis_mm contributors. All rights reserved.
"""A linear audio tagger head that can start from the pretrained tagger's.

``SeaVISHead(sound_class_prior=...)`` scores which categories sound in a
frame from its audio embedding (``a_c``). The audio encoder's pretraining
(:class:`~seavis_mm.models.pretrain.AudioTagger`) trains exactly that map, a
``Linear`` on the same embedding (its ``cls_head``), on many more frames
than a 400-iteration fine-tune shows. Measured on ToyAVIS val (seed 0,
``tools/analysis_tools/audio_tagging.py``): the pretrained tagger names
99.4% of the categories of frames that mix several kinds (97.0% of those
frames exactly), while the head's classifier learnt from nothing during the
default recipe's fine-tune names 94.3% (82.1%), and the sounding objects
it misses are those of three-source mixtures, which the gate then drops.

This head holds the weight and bias as its own parameters, named as a
``Linear``'s, so that mmengine's ``Pretrained`` initialiser with
``prefix='cls_head.'`` loads the tagger's head into it: the usual
``init_cfg``, checked before training by
:func:`seavis_mm.utils.pretrained_starts.check_pretrained_starts`.
(``nn.Linear`` is not a :class:`BaseModule`, so it takes no ``init_cfg``.)
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn


class AudioTagHead(BaseModule):
    """``Linear(in_channels, num_classes)`` with an ``init_cfg``.

    Args:
        in_channels (int): Size of the audio embedding.
        num_classes (int): Number of categories (one logit each).
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained',
            checkpoint='.../audio-tagger_toyavis/iter_600.pth',
            prefix='cls_head.')``. None: ``nn.Linear``'s initialisation.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.weight = nn.Parameter(torch.empty(num_classes, in_channels))
        self.bias = nn.Parameter(torch.empty(num_classes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s initialisation (Kaiming-uniform weight)."""
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.weight.shape[1])
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        """``[..., in_channels]`` to ``[..., num_classes]`` logits."""
        return F.linear(x, self.weight, self.bias)
