# Copyright (c) seavis_mm contributors. All rights reserved.
"""Causal Cross Attention Fusion (CCAF).

The current frame's visual tokens (queries) attend to the audio history
``a_1..a_t`` (keys / values), never to ``a_{t+1..}``; the result is added back
residually, followed by an FFN (pre-norm, so that the zero-initialised
output projections make a new CCAF start as the identity and training does
not disturb a pretrained pixel decoder at step 0).

Each frame brings ``tokens_per_frame`` (M) audio tokens: one pooled embedding,
or the time-frequency cells of the audio encoder's last conv map, so that
different visual tokens can attend to different sounds. Every key carries a
time embedding of its age (frames since it was heard): ``'recency'`` has two
states (now / past), ``'age'`` one per age ``0..max_age-1`` (K by default)
plus one for anything older (the summary token, or an unbounded history's
old frames); with M > 1 a learned token embedding tells the cells apart.

Three ways to run it, same maths:

- :meth:`CCAF.forward_clip` (training): T-frame clips, every frame at once,
  with a causal key-padding mask (frame t sees keys s <= t), optionally with
  the P audio frames before the clip (``past_audio``) as further keys, so that
  a clip's first frame sees the history a stream would give it;
- :meth:`CCAF.forward_state` / :meth:`CCAF.push_state` (export, any runtime):
  pure functions of an explicit stream state (:meth:`CCAF.init_state`), a
  dict of fixed-shape tensors for the bounded histories;
- :meth:`CCAF.forward_stream` / :meth:`CCAF.push_audio` (Python streaming):
  the same functions with the state held in the neck, cleared by
  :meth:`CCAF.reset_stream`.

History (``history=``): ``'unbounded'`` keeps every past frame (cost and state
grow with the stream, so it cannot be exported with fixed shapes),
``'ring'`` keeps the last ``history_size`` (K) frames, current one included,
``'summary'`` keeps the last K plus one running-mean token (per cell) of
everything older.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from seavis_mm.registry import MODELS

HISTORY_MODES = ('unbounded', 'ring', 'summary')
TIME_EMBEDS = ('recency', 'age')

StreamState = Dict[str, Tensor]


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
        audio_channels (int): Width of the audio tokens. Defaults to 128.
        num_heads (int): Attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden width. Defaults to 1024.
        fuse_levels (Sequence[int]): Which multi-scale memories of the pixel
            decoder to fuse (0 = lowest resolution). Defaults to (0, 1, 2).
        fuse_mask_features (bool): Also fuse the stride-4 mask features
            (costly at high resolution). Defaults to False.
        history (str): 'unbounded', 'ring' or 'summary'. Defaults to 'ring'.
        history_size (int): K, the number of most recent audio frames kept
            by 'ring' and 'summary' (the current one included).
            Defaults to 64.
        tokens_per_frame (int): M, audio tokens per frame (1: the pooled
            embedding; the audio encoder's ``num_tokens`` otherwise).
            Defaults to 1.
        time_embed (str): 'recency' (now / past) or 'age' (one embedding per
            age 0..max_age-1, one for older). Defaults to 'recency'.
        max_age (int, optional): Ages with their own embedding for 'age';
            older keys (the summary token, old frames of an unbounded
            history) share one more. Fixed apart from ``history_size`` so a
            trained model can be run with another history. Defaults to
            ``history_size``.
        past_audio_frames (int): How many of the frames before a training
            clip (``past_audio``) to use as keys, the last ones; 0 ignores
            them (clips see only their own audio). K - 1 give every clip
            frame the stream's keys for 'ring'. Defaults to 0.
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
                 tokens_per_frame: int = 1,
                 time_embed: str = 'recency',
                 max_age: Optional[int] = None,
                 past_audio_frames: int = 0,
                 dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if history not in HISTORY_MODES:
            raise ValueError(f'CCAF history must be one of {HISTORY_MODES}, '
                             f'got {history!r}')
        if time_embed not in TIME_EMBEDS:
            raise ValueError(f'CCAF time_embed must be one of {TIME_EMBEDS},'
                             f' got {time_embed!r}')
        if history_size < 1:
            raise ValueError(
                f'CCAF history_size must be >= 1, got {history_size}')
        if past_audio_frames < 0:
            raise ValueError('CCAF past_audio_frames must be >= 0, got '
                             f'{past_audio_frames}')
        if tokens_per_frame < 1:
            raise ValueError('CCAF tokens_per_frame must be >= 1, got '
                             f'{tokens_per_frame}')
        self.fuse_levels = tuple(fuse_levels)
        self.fuse_mask_features = fuse_mask_features
        self.history = history
        self.history_size = history_size
        self.tokens_per_frame = tokens_per_frame
        self.time_embed = time_embed
        self.past_audio_frames = past_audio_frames
        self.audio_channels = audio_channels
        self.feat_channels = feat_channels
        self.audio_proj = nn.Linear(audio_channels, feat_channels)
        if time_embed == 'recency':
            # 0: the current frame's audio, 1: the past
            self.recency_embed = nn.Embedding(2, feat_channels)
        else:
            # ages 0..max_age-1, and one for older (summary / old unbounded
            # frames)
            self.max_age = history_size if max_age is None else max_age
            if self.max_age < 1:
                raise ValueError(f'CCAF max_age must be >= 1, got {max_age}')
            self.age_embed = nn.Embedding(self.max_age + 1, feat_channels)
        # which cell of the frame's time-frequency map a token is
        self.token_embed = nn.Embedding(
            tokens_per_frame, feat_channels) if tokens_per_frame > 1 else None
        num_maps = len(self.fuse_levels) + int(fuse_mask_features)
        self.layers = nn.ModuleList([
            CCAFLayer(feat_channels, num_heads, feedforward_channels,
                      dropout) for _ in range(num_maps)
        ])
        self.reset_stream()

    # ------------------------------------------------------------------
    # audio tokens -> keys
    # ------------------------------------------------------------------
    def _project(self, audio: Tensor, frame_dims: int) -> Tensor:
        """``[*frame, C_a]`` or ``[*frame, M, C_a]`` audio ->
        ``[*frame, M, C]`` projected tokens (``frame_dims`` leading dims)."""
        if audio.dim() == frame_dims + 1:
            audio = audio.unsqueeze(-2)
        # shapes are fixed in a trace: check them in eager mode only
        if not torch.jit.is_tracing() and (
                audio.dim() != frame_dims + 2
                or audio.shape[-2] != self.tokens_per_frame
                or audio.shape[-1] != self.audio_channels):
            raise ValueError(
                f'CCAF expects audio tokens [{frame_dims} frame dims, '
                f'M={self.tokens_per_frame}, C={self.audio_channels}] (M may '
                f'be left out when 1), got {tuple(audio.shape)}; set the '
                "neck's tokens_per_frame / audio_channels to the audio "
                "encoder's num_tokens / token_channels")
        return self.audio_proj(audio)

    def _time(self, age: Tensor) -> Tensor:
        """Time embedding of integer ages ``[...]`` -> ``[..., C]``."""
        if self.time_embed == 'recency':
            return self.recency_embed((age != 0).long())
        return self.age_embed(
            age.clamp(0, self.age_embed.num_embeddings - 1))

    def _older(self) -> Tensor:
        """Time embedding of the summary token (older than the ring)."""
        table = self.recency_embed if self.time_embed == 'recency' \
            else self.age_embed
        return table.weight[-1]

    def _keys(self, kv: Tensor, time: Tensor,
              visible: Tensor) -> Tuple[Tensor, Tensor]:
        """Keys and padding of ``S`` frames of ``M`` tokens.

        Args:
            kv (Tensor): Projected tokens ``[..., S, M, C]``.
            time (Tensor): Time embeddings ``[..., S, C]`` (broadcast).
            visible (Tensor): bool ``[..., S]`` (broadcast).

        Returns:
            tuple: keys ``[..., S*M, C]`` and key padding ``[..., S*M]``.
        """
        keys = kv + time.unsqueeze(-2)
        if self.token_embed is not None:
            keys = keys + self.token_embed.weight
        pad = (~visible).unsqueeze(-1).expand(
            *visible.shape, self.tokens_per_frame)
        return keys.flatten(-3, -2), pad.flatten(-2)

    # ------------------------------------------------------------------
    # explicit stream state (pure functions; what an exported model runs)
    # ------------------------------------------------------------------
    @property
    def exportable_state(self) -> bool:
        """Whether the stream state has fixed shapes (False for
        ``history='unbounded'``, whose state grows by one frame a push)."""
        return self.history != 'unbounded'

    def init_state(self,
                   batch_size: int = 1,
                   device: Optional[torch.device] = None,
                   dtype: Optional[torch.dtype] = None) -> StreamState:
        """An empty stream state.

        Keys (B = ``batch_size``, K = ``history_size``, M =
        ``tokens_per_frame``, C = ``feat_channels``):

        - ``audio_keys`` ``[B, K, M, C]``: projected audio tokens of the K
          most recent frames, slot 0 the newest (slot j = age j);
        - ``audio_valid`` bool ``[B, K]``: which slots hold a frame;
        - ``summary_sum`` ``[B, M, C]`` and ``summary_count`` ``[B]``
          (``history='summary'`` only): sum and number of the frames evicted
          from the ring.

        For ``history='unbounded'`` ``audio_keys`` / ``audio_valid`` start with
        0 slots and grow by one a push.

        Args:
            batch_size (int): Streams carried side by side. Defaults to 1.
            device (torch.device, optional): Defaults to the neck's.
            dtype (torch.dtype, optional): Defaults to the neck's.

        Returns:
            dict[str, Tensor]: the state.
        """
        weight = self.audio_proj.weight
        device = weight.device if device is None else device
        dtype = weight.dtype if dtype is None else dtype
        slots = 0 if self.history == 'unbounded' else self.history_size
        shape = (batch_size, self.tokens_per_frame, self.feat_channels)
        state = dict(
            audio_keys=torch.zeros(
                shape[0], slots, *shape[1:], device=device, dtype=dtype),
            audio_valid=torch.zeros(
                batch_size, slots, device=device, dtype=torch.bool))
        if self.history == 'summary':
            state['summary_sum'] = torch.zeros(
                shape, device=device, dtype=dtype)
            state['summary_count'] = torch.zeros(
                batch_size, device=device, dtype=dtype)
        return state

    def _push_keys(self, kv_t: Tensor, state: StreamState) -> StreamState:
        """Push projected tokens ``[B, M, C]`` (no Python branching on
        values: a shift of the ring, the evicted slot added to the
        summary)."""
        keys, valid = state['audio_keys'], state['audio_valid']
        new = dict(state)
        now = valid.new_ones((valid.shape[0], 1))
        if self.history == 'unbounded':
            new['audio_keys'] = torch.cat([kv_t.unsqueeze(1), keys], dim=1)
            new['audio_valid'] = torch.cat([now, valid], dim=1)
            return new
        if self.history == 'summary':
            gone = valid[:, -1].to(keys.dtype)
            new['summary_sum'] = state['summary_sum'] + \
                keys[:, -1] * gone.view(-1, 1, 1)
            new['summary_count'] = state['summary_count'] + gone
        new['audio_keys'] = torch.cat([kv_t.unsqueeze(1), keys[:, :-1]],
                                      dim=1)
        new['audio_valid'] = torch.cat([now, valid[:, :-1]], dim=1)
        return new

    def push_state(self, audio_t: Tensor, state: StreamState) -> StreamState:
        """Add one frame's audio to the history, with no visual work (e.g. a
        live frame dropped for lack of time still enters the history).

        Args:
            audio_t (Tensor): ``[B, C_a]`` or ``[B, M, C_a]`` audio tokens.
            state (dict[str, Tensor]): from :meth:`init_state` or a previous
                call; not modified.

        Returns:
            dict[str, Tensor]: the new state.
        """
        return self._push_keys(self._project(audio_t, 1), state)

    def _state_keys(self, state: StreamState) -> Tuple[Tensor, Tensor]:
        """Keys ``[B, S, C]`` and padding ``[B, S]`` of a stream state."""
        keys = state['audio_keys']
        age = torch.arange(keys.shape[1], device=keys.device)
        kv, pad = self._keys(keys, self._time(age), state['audio_valid'])
        if self.history == 'summary':
            count = state['summary_count']
            mean = state['summary_sum'] / count.clamp(min=1).view(-1, 1, 1)
            s_kv, s_pad = self._keys(mean.unsqueeze(1), self._older()[None],
                                     (count > 0).unsqueeze(1))
            kv = torch.cat([kv, s_kv], dim=1)
            pad = torch.cat([pad, s_pad], dim=1)
        return kv, pad

    def forward_state(
            self, memorys: List[Tensor], mask_features: Tensor,
            audio_t: Tensor, state: StreamState
    ) -> Tuple[List[Tensor], Tensor, StreamState]:
        """Fuse one frame of B streams given their explicit state (pure:
        neither ``self`` nor ``state`` is modified; traceable).

        Args:
            memorys (list[Tensor]): ``[B, C, h, w]`` each.
            mask_features (Tensor): ``[B, C, H, W]``.
            audio_t (Tensor): This frame's audio ``[B, C_a]`` or
                ``[B, M, C_a]``.
            state (dict[str, Tensor]): :meth:`init_state` layout.

        Returns:
            tuple: fused memorys, fused mask features, the new state (this
            frame's audio pushed).
        """
        state = self.push_state(audio_t, state)
        kv, pad = self._state_keys(state)
        fused = self._fuse_maps(
            self._select(memorys, mask_features), kv, pad)
        memorys, mask_features = self._scatter(fused, memorys, mask_features)
        return memorys, mask_features, state

    # ------------------------------------------------------------------
    # stream state held in the neck (Python streaming)
    # ------------------------------------------------------------------
    def reset_stream(self) -> None:
        """Forget the audio history (call at the first frame of a stream)."""
        self._state: Optional[StreamState] = None

    @property
    def stream_state(self) -> Optional[StreamState]:
        """The held state (None before the first frame of a stream)."""
        return self._state

    def _held(self, like: Tensor) -> StreamState:
        if self._state is None:
            self._state = self.init_state(like.shape[0], like.device)
        elif self._state['audio_valid'].shape[0] != like.shape[0]:
            raise ValueError(
                'CCAF: the held stream state is for batch '
                f"{self._state['audio_valid'].shape[0]}, got audio of batch "
                f'{like.shape[0]}; call reset_stream() between streams')
        return self._state

    @property
    def cache_len(self) -> int:
        """Number of audio frames held for the stream, the summary token
        counting as one (bounded by ``history_size`` (+1) unless
        ``history='unbounded'``)."""
        if self._state is None:
            return 0
        n = int(self._state['audio_valid'][0].sum())
        if 'summary_count' in self._state:
            n += int(self._state['summary_count'][0] > 0)
        return n

    def _push(self, kv_t: Tensor) -> None:
        """Push already projected tokens ``[B, M, C]`` into the held state
        (benchmarks fill the history this way; a ``[B, C]`` key fills all M
        tokens)."""
        if kv_t.dim() == 2:
            kv_t = kv_t.unsqueeze(1).expand(-1, self.tokens_per_frame, -1)
        self._state = self._push_keys(kv_t, self._held(kv_t))

    def push_audio(self, audio_t: Tensor) -> None:
        """:meth:`push_state` on the held state."""
        self._state = self.push_state(audio_t, self._held(audio_t))

    def forward_stream(self, memorys: List[Tensor], mask_features: Tensor,
                       audio_t: Tensor) -> Tuple[List[Tensor], Tensor]:
        """:meth:`forward_state` on the held state; appends ``audio_t`` to
        the history.

        Args:
            memorys (list[Tensor]): ``[B, C, h, w]`` each (B = 1 for one
                stream).
            mask_features (Tensor): ``[B, C, H, W]``.
            audio_t (Tensor): This frame's audio ``[B, C_a]`` or
                ``[B, M, C_a]``.

        Returns:
            tuple: fused memorys and mask features.
        """
        memorys, mask_features, self._state = self.forward_state(
            memorys, mask_features, audio_t, self._held(audio_t))
        return memorys, mask_features

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

    def forward_clip(self,
                     memorys: List[Tensor],
                     mask_features: Tensor,
                     audio: Tensor,
                     past_audio: Optional[Tensor] = None,
                     past_valid: Optional[Tensor] = None
                     ) -> Tuple[List[Tensor], Tensor]:
        """Fuse T-frame clips, frame t attending to the audio a stream would
        hold at t: the clip's frames 1..t and the P frames before the clip
        (``past_audio``), limited to the K most recent for bounded histories
        (the older ones of those given make the summary token).

        With ``past_audio`` of at least K - 1 frames and consecutive clip
        frames, every frame of the clip gets exactly the keys of the stream
        for 'ring' (and for 'summary' when the video starts within the past
        window, ``past_valid`` False on the frames before it).

        Args:
            memorys (list[Tensor]): Pixel decoder multi-scale memories, each
                ``[B*T, C, h, w]`` (frames of a clip contiguous).
            mask_features (Tensor): ``[B*T, C, H, W]``.
            audio (Tensor): Audio tokens ``[B, T, C_a]`` or
                ``[B, T, M, C_a]``.
            past_audio (Tensor, optional): The P frames before each clip,
                oldest first, ``[B, P, C_a]`` or ``[B, P, M, C_a]``; the last
                ``past_audio_frames`` are used.
            past_valid (Tensor, optional): bool ``[B, P]``, False where the
                past frame is before the video's start. Defaults to all True.

        Returns:
            tuple: fused memorys and mask features, same shapes.
        """
        kv = self._project(audio, 2)  # [B, T, M, C]
        b, t = kv.shape[:2]
        valid = torch.ones(b, t, dtype=torch.bool, device=kv.device)
        if past_audio is not None and self.past_audio_frames:
            past = self._project(past_audio, 2)
            if past_valid is None:
                past_valid = torch.ones(
                    past.shape[:2], dtype=torch.bool, device=kv.device)
            elif tuple(past_valid.shape) != tuple(past.shape[:2]):
                raise ValueError(
                    f'CCAF: past_valid {tuple(past_valid.shape)} does not '
                    f'match past_audio {tuple(past_audio.shape)}')
            num = self.past_audio_frames
            kv = torch.cat([past[:, -num:], kv], dim=1)
            valid = torch.cat([past_valid[:, -num:].bool(), valid], dim=1)
        p = kv.shape[1] - t
        idx = torch.arange(kv.shape[1], device=kv.device)
        # age[i, s]: frames between key s and query frame i (at p + i)
        age = (idx[p:].view(t, 1) - idx.view(1, -1))  # [T, S]
        visible = valid.unsqueeze(1) & (age >= 0)  # [B, T, S]
        if self.history != 'unbounded':
            visible = visible & (age < self.history_size)
        keys, pad = self._keys(kv.unsqueeze(1), self._time(age), visible)
        if self.history == 'summary':
            # one extra key per token: mean of the evicted (age >= K) frames
            evicted = (valid.unsqueeze(1) &
                       (age >= self.history_size)).to(kv.dtype)  # [B,T,S]
            count = evicted.sum(-1)  # [B, T]
            mean = torch.einsum('bis,bsmc->bimc', evicted, kv) / count.clamp(
                min=1).view(b, t, 1, 1)
            s_kv, s_pad = self._keys(
                mean.unsqueeze(2), self._older()[None],
                (count > 0).unsqueeze(-1))
            keys = torch.cat([keys, s_kv], dim=2)
            pad = torch.cat([pad, s_pad], dim=2)
        fused = self._fuse_maps(
            self._select(memorys, mask_features), keys.flatten(0, 1),
            pad.flatten(0, 1))
        return self._scatter(fused, memorys, mask_features)
