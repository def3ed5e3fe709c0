# Copyright (c) seavis_mm contributors. All rights reserved.
"""Causal Cross Attention Fusion (CCAF).

The current frame's visual tokens (queries) attend to the audio history
``a_1..a_t`` (keys / values), never to ``a_{t+1..}``; the result is added back
residually, followed by an FFN (pre-norm, so that the zero-initialised
output projections make a new CCAF start as the identity and training does
not disturb a pretrained pixel decoder at step 0).

Two ways to run it, same maths:

- :meth:`CCAF.forward_clip` (training): T-frame clips, every frame at once,
  with a causal key-padding mask (frame t sees keys s <= t);
- :meth:`CCAF.forward_stream` (inference): one frame, keys from a per-stream
  cache that :meth:`reset_stream` clears.

History (``history=``): ``'unbounded'`` keeps every past embedding (cost grows
with the stream), ``'ring'`` keeps the last ``history_size``, ``'summary'``
keeps the last ``history_size`` plus one running-mean token of everything
older. A learned recency embedding marks the current frame's key, so
attention can tell "now" from "before" without an absolute position that
would not generalise to streams longer than training clips.
"""
from collections import deque
from typing import Deque, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from seavis_mm.registry import MODELS

HISTORY_MODES = ('unbounded', 'ring', 'summary')


class CCAFLayer(nn.Module):
    """One cross-attention + FFN block on one feature map.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        feedforward_channels (int): FFN hidden width.
        dropout (float): Dropout in attention and FFN.
    """

    def __init__(self, embed_dims: int, num_heads: int,
                 feedforward_channels: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm_q = nn.LayerNorm(embed_dims)
        self.attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.norm_ffn = nn.LayerNorm(embed_dims)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, feedforward_channels), nn.ReLU(True),
            nn.Dropout(dropout), nn.Linear(feedforward_channels, embed_dims))
        # identity at initialisation (see module docstring)
        nn.init.zeros_(self.attn.out_proj.weight)
        nn.init.zeros_(self.attn.out_proj.bias)
        nn.init.zeros_(self.ffn[-1].weight)
        nn.init.zeros_(self.ffn[-1].bias)

    def forward(self, x: Tensor, kv: Tensor,
                key_padding_mask: Optional[Tensor]) -> Tensor:
        """Fuse.

        Args:
            x (Tensor): Visual tokens ``[B, L, C]``.
            kv (Tensor): Audio keys / values ``[B, S, C]``.
            key_padding_mask (Tensor, optional): ``[B, S]``, True where a key
                must not be attended (the future, or evicted history).

        Returns:
            Tensor: ``[B, L, C]``.
        """
        attn_out = self.attn(
            self.norm_q(x), kv, kv, key_padding_mask=key_padding_mask,
            need_weights=False)[0]
        x = x + attn_out
        return x + self.ffn(self.norm_ffn(x))


@MODELS.register_module()
class CCAF(BaseModule):
    """Causal Cross Attention Fusion neck between the pixel decoder and the
    transformer decoder.

    Args:
        feat_channels (int): Channels of the pixel decoder outputs.
            Defaults to 256.
        audio_channels (int): Width of the audio embeddings ``a_t``.
            Defaults to 128.
        num_heads (int): Attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden width. Defaults to 1024.
        fuse_levels (Sequence[int]): Which multi-scale memories of the pixel
            decoder to fuse (0 = lowest resolution). Defaults to (0, 1, 2).
        fuse_mask_features (bool): Also fuse the stride-4 mask features
            (costly at high resolution). Defaults to False.
        history (str): 'unbounded', 'ring' or 'summary'. Defaults to 'ring'.
        history_size (int): K, the number of most recent audio embeddings kept
            by 'ring' and 'summary'. Defaults to 64.
        dropout (float): Dropout. Defaults to 0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 feat_channels: int = 256,
                 audio_channels: int = 128,
                 num_heads: int = 8,
                 feedforward_channels: int = 1024,
                 fuse_levels: Sequence[int] = (0, 1, 2),
                 fuse_mask_features: bool = False,
                 history: str = 'ring',
                 history_size: int = 64,
                 dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if history not in HISTORY_MODES:
            raise ValueError(f'CCAF history must be one of {HISTORY_MODES}, '
                             f'got {history!r}')
        if history != 'unbounded' and history_size < 1:
            raise ValueError(
                f'CCAF history_size must be >= 1, got {history_size}')
        self.fuse_levels = tuple(fuse_levels)
        self.fuse_mask_features = fuse_mask_features
        self.history = history
        self.history_size = history_size
        self.audio_proj = nn.Linear(audio_channels, feat_channels)
        # 0: the current frame's audio, 1: the past
        self.recency_embed = nn.Embedding(2, feat_channels)
        num_maps = len(self.fuse_levels) + int(fuse_mask_features)
        self.layers = nn.ModuleList([
            CCAFLayer(feat_channels, num_heads, feedforward_channels,
                      dropout) for _ in range(num_maps)
        ])
        self.reset_stream()

    # ------------------------------------------------------------------
    # stream state
    # ------------------------------------------------------------------
    def reset_stream(self) -> None:
        """Forget the audio history (call at the first frame of a stream)."""
        maxlen = None if self.history == 'unbounded' else self.history_size
        self._cache: Deque[Tensor] = deque(maxlen=maxlen)
        self._summary_sum: Optional[Tensor] = None
        self._summary_count = 0

    @property
    def cache_len(self) -> int:
        """Number of audio embeddings held for the stream (bounded by
        ``history_size`` unless ``history='unbounded'``)."""
        return len(self._cache) + int(self._summary_count > 0)

    def _push(self, kv_t: Tensor) -> None:
        if (self._cache.maxlen is not None
                and len(self._cache) == self._cache.maxlen
                and self.history == 'summary'):
            evicted = self._cache[0]
            self._summary_sum = evicted if self._summary_sum is None \
                else self._summary_sum + evicted
            self._summary_count += 1
        self._cache.append(kv_t)

    # ------------------------------------------------------------------
    # fusion
    # ------------------------------------------------------------------
    def _fuse_maps(self, maps: List[Tensor], kv: Tensor,
                   key_padding_mask: Optional[Tensor]) -> List[Tensor]:
        out = []
        for layer, x in zip(self.layers, maps):
            b, c, h, w = x.shape
            tokens = x.flatten(2).transpose(1, 2)
            tokens = layer(tokens, kv, key_padding_mask)
            out.append(tokens.transpose(1, 2).reshape(b, c, h, w))
        return out

    def _select(self, memorys: List[Tensor],
                mask_features: Tensor) -> List[Tensor]:
        maps = [memorys[i] for i in self.fuse_levels]
        if self.fuse_mask_features:
            maps.append(mask_features)
        return maps

    def _scatter(self, fused: List[Tensor], memorys: List[Tensor],
                 mask_features: Tensor) -> Tuple[List[Tensor], Tensor]:
        memorys = list(memorys)
        for i, level in enumerate(self.fuse_levels):
            memorys[level] = fused[i]
        if self.fuse_mask_features:
            mask_features = fused[-1]
        return memorys, mask_features

    def forward_clip(self, memorys: List[Tensor], mask_features: Tensor,
                     audio: Tensor) -> Tuple[List[Tensor], Tensor]:
        """Fuse T-frame clips, frame t attending to the clip's audio 1..t.

        Args:
            memorys (list[Tensor]): Pixel decoder multi-scale memories, each
                ``[B*T, C, h, w]`` (frames of a clip contiguous).
            mask_features (Tensor): ``[B*T, C, H, W]``.
            audio (Tensor): Audio embeddings ``[B, T, C_a]``.

        Returns:
            tuple: fused memorys and mask features, same shapes.
        """
        b, t = audio.shape[:2]
        kv = self.audio_proj(audio)  # [B, T, C]
        idx = torch.arange(t, device=audio.device)
        # keys for query frame i: all t clip frames, masked to the history
        # rule: s <= i (causal), and i - s < K for bounded histories.
        age = idx.view(t, 1) - idx.view(1, t)  # [i, s]
        visible = age >= 0
        if self.history != 'unbounded':
            visible &= age < self.history_size
        recency = self.recency_embed((age != 0).long())  # [T, T, C]
        keys = kv.unsqueeze(1) + recency.unsqueeze(0)  # [B, T(i), T(s), C]
        pad = ~visible
        if self.history == 'summary':
            # one extra key: mean of the evicted embeddings (s <= i - K)
            evicted = (age >= self.history_size).float()  # [i, s]
            count = evicted.sum(1)  # [i]
            summ = torch.einsum('is,bsc->bic', evicted, kv) / count.clamp(
                min=1).view(1, t, 1)
            summ = summ + self.recency_embed.weight[1]
            keys = torch.cat([keys, summ.unsqueeze(2)], dim=2)
            pad = torch.cat([pad, (count == 0).view(t, 1)], dim=1)
        keys = keys.flatten(0, 1)  # [B*T, S, C]
        pad = pad.unsqueeze(0).expand(b, -1, -1).flatten(0, 1)
        fused = self._fuse_maps(
            self._select(memorys, mask_features), keys, pad)
        return self._scatter(fused, memorys, mask_features)

    def forward_stream(self, memorys: List[Tensor], mask_features: Tensor,
                       audio_t: Tensor) -> Tuple[List[Tensor], Tensor]:
        """Fuse one frame of a stream; appends ``audio_t`` to the history.

        Args:
            memorys (list[Tensor]): ``[1, C, h, w]`` each.
            mask_features (Tensor): ``[1, C, H, W]``.
            audio_t (Tensor): This frame's audio embedding ``[1, C_a]``.

        Returns:
            tuple: fused memorys and mask features.
        """
        if audio_t.shape[0] != 1:
            raise ValueError('CCAF.forward_stream runs one stream at a time '
                             f'(batch 1), got batch {audio_t.shape[0]}')
        self._push(self.audio_proj(audio_t))
        past = list(self._cache)[:-1]
        keys = [self._cache[-1] + self.recency_embed.weight[0]]
        keys += [k + self.recency_embed.weight[1] for k in past]
        if self._summary_count > 0:
            keys.append(self._summary_sum / self._summary_count +
                        self.recency_embed.weight[1])
        kv = torch.stack(keys, dim=1)  # [1, S, C]
        fused = self._fuse_maps(
            self._select(memorys, mask_features), kv, None)
        return self._scatter(fused, memorys, mask_features)
