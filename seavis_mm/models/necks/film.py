# Copyright (c) seavis_mm contributors. All rights reserved.
"""FiLM fusion: the naive audio-visual baseline.

Each backbone level is modulated per channel by the frame's audio embedding,
``x * (1 + gamma(a_t)) + beta(a_t)`` (Perez et al., AAAI 2018). It sees only
the current frame's audio, so it is causal by construction. Zero-initialised,
so it starts as the identity.
"""
from typing import List, Optional, Sequence

from mmengine.model import BaseModule
from torch import Tensor, nn

from seavis_mm.registry import MODELS


@MODELS.register_module()
class FiLMFusion(BaseModule):
    """Per-channel scale and shift of backbone levels from audio.

    Args:
        in_channels (Sequence[int]): Channels of each backbone level.
        audio_channels (int): Width of the audio embedding. Defaults to 128.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 audio_channels: int = 128,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.films = nn.ModuleList()
        for ch in in_channels:
            lin = nn.Linear(audio_channels, 2 * ch)
            nn.init.zeros_(lin.weight)
            nn.init.zeros_(lin.bias)
            self.films.append(lin)

    def forward(self, feats: Sequence[Tensor], audio: Tensor) -> List[Tensor]:
        """Modulate.

        Args:
            feats (Sequence[Tensor]): Backbone levels ``[B, C_l, H_l, W_l]``.
            audio (Tensor): Audio embeddings ``[B, C_a]`` (one per image).

        Returns:
            list[Tensor]: Modulated levels.
        """
        if len(feats) != len(self.films):
            raise ValueError(f'FiLMFusion was built for {len(self.films)} '
                             f'levels, got {len(feats)}')
        out = []
        for x, film in zip(feats, self.films):
            gamma, beta = film(audio).chunk(2, dim=-1)
            out.append(x * (1 + gamma[..., None, None]) +
                       beta[..., None, None])
        return out
