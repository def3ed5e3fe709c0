# Copyright (c) seavis_mm contributors. All rights reserved.
"""What every audio encoder gives the model: one embedding per frame (AGCL's
anchor, FiLM, the tracker's gate) and the frame's tokens for CCAF."""
from typing import Tuple

from mmengine.model import BaseModule
from torch import Tensor, nn


class BaseAudioEncoder(BaseModule):
    """Base of the audio encoders.

    Subclasses implement ``forward(x) -> [*, C]`` (the frame's embedding)
    and, when they have several tokens a frame, override
    :meth:`forward_tokens`. ``num_tokens`` (M) and ``token_channels`` are
    what CCAF's ``tokens_per_frame`` / ``audio_channels`` must be.
    """

    num_tokens: int = 1

    @property
    def token_channels(self) -> int:
        """Width of the tokens given to CCAF."""
        return self.out_channels

    def forward_tokens(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """The frame's embedding and its CCAF tokens in one pass.

        Args:
            x (Tensor): ``[*, ...]`` one frame's audio per leading index.

        Returns:
            tuple: embedding ``[*, C]`` and tokens ``[*, M, C_t]`` (here the
            embedding itself, M = 1).
        """
        emb = self(x)
        return emb, emb.unsqueeze(-2)


def encode_audio_tokens(encoder: nn.Module,
                        x: Tensor) -> Tuple[Tensor, Tensor]:
    """:meth:`BaseAudioEncoder.forward_tokens`, or the one-token fallback
    for a user's encoder that only has ``forward``."""
    if hasattr(encoder, 'forward_tokens'):
        return encoder.forward_tokens(x)
    emb = encoder(x)
    return emb, emb.unsqueeze(-2)
