# Copyright (c) seavis_mm contributors. All rights reserved.
"""VGGish-shaped audio encoders.

Both encoders map one frame's audio to one embedding ``a_t`` (and to the
tokens CCAF attends to, :meth:`BaseAudioEncoder.forward_tokens`):

- :class:`VGGishAudioEncoder` takes the frame's log-mel patch
  ``[*, 1, 96, 64]`` (``audio_source='wav'``);
- :class:`VGGishFeatureProjector` takes the released per-frame VGGish
  features ``[*, 128]`` (``audio_source='feat'``), to reproduce AVISeg
  numbers without the TensorFlow VGGish weights.
"""
from typing import Optional, Sequence, Tuple

from torch import Tensor, nn

from seavis_mm.registry import MODELS
from .base import BaseAudioEncoder

TOKEN_MODES = ('pooled', 'cells')


@MODELS.register_module()
class VGGishAudioEncoder(BaseAudioEncoder):
    """VGGish (Hershey et al., ICASSP 2017) on log-mel patches.

    The module layout is the one of the widely used PyTorch port of VGGish
    (``torchvggish``), so its checkpoint loads as it is, with no conversion::

        features.{0,3,6,8,11,13}: 3x3 convs 64, 128, 256, 256, 512, 512
            (ReLU after each; max-pool 2x2 after the 1st, 2nd, 4th and 6th)
        embeddings.{0,2,4}: linear 512*4*6 -> 4096 -> 4096 -> 128
            (ReLU after each)

    Load it with ``init_cfg=dict(type='Pretrained', checkpoint='vggish.pth')``
    (the port's ``vggish-10086976.pth``; its PCA post-processor is not used:
    we take the 128-d embedding before PCA / quantisation). As in the port,
    the conv output is flattened in (H, W, C) order, TensorFlow's layout, so
    the fc weights apply unchanged.

    Args:
        channels (Sequence[int]): Output channels of the six convs.
            Defaults to VGGish's ``(64, 128, 256, 256, 512, 512)``; the CPU
            configs use a narrow variant such as ``(16, 32, 64, 64, 128, 128)``.
        fc_dims (Sequence[int]): Widths of the fc layers, the last one being
            the embedding size. Defaults to ``(4096, 4096, 128)``.
        in_shape (tuple[int, int]): (frames, mel bands) of a patch.
            Defaults to (96, 64).
        frozen (bool): Freeze all weights (eval mode, no grad), e.g. with a
            pretrained checkpoint. Defaults to False.
        tokens (str): What :meth:`forward_tokens` gives CCAF: ``'pooled'``,
            the embedding (one token a frame), or ``'cells'``, the
            time-frequency cells of the last conv map (after its max-pool,
            ``(96 // 16) x (64 // 16)`` = 24 tokens of ``channels[-1]``,
            time-major), so that different visual tokens can attend to
            different sounds. Defaults to 'pooled'.
        cell_grid (tuple[int, int], optional): Average-pool the cell map to
            (time, frequency) cells first (fewer keys, cheaper CCAF).
            Defaults to None (every cell).
        init_cfg (dict, optional): Initialisation config.
    """

    # Index of the max-pools in ``features``: after conv 1, 2, 4 and 6.
    _POOL_AFTER = (0, 1, 3, 5)

    def __init__(self,
                 channels: Sequence[int] = (64, 128, 256, 256, 512, 512),
                 fc_dims: Sequence[int] = (4096, 4096, 128),
                 in_shape: Sequence[int] = (96, 64),
                 frozen: bool = False,
                 tokens: str = 'pooled',
                 cell_grid: Optional[Sequence[int]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if tokens not in TOKEN_MODES:
            raise ValueError(f'VGGishAudioEncoder tokens must be one of '
                             f'{TOKEN_MODES}, got {tokens!r}')
        if len(channels) != 6:
            raise ValueError('VGGishAudioEncoder needs 6 conv widths, got '
                             f'channels={tuple(channels)}')
        layers = []
        in_ch = 1
        for i, out_ch in enumerate(channels):
            layers += [nn.Conv2d(in_ch, out_ch, 3, padding=1), nn.ReLU(True)]
            if i in self._POOL_AFTER:
                layers.append(nn.MaxPool2d(2, 2))
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        self.in_shape = tuple(in_shape)
        h, w = self.in_shape[0] // 16, self.in_shape[1] // 16
        fcs = []
        in_dim = in_ch * h * w
        for dim in fc_dims:
            fcs += [nn.Linear(in_dim, dim), nn.ReLU(True)]
            in_dim = dim
        self.embeddings = nn.Sequential(*fcs)
        self.out_channels = in_dim
        self.frozen = frozen
        self.tokens = tokens
        self.conv_channels = in_ch
        self.cell_pool = nn.AdaptiveAvgPool2d(tuple(cell_grid)) \
            if cell_grid is not None else None
        if tokens == 'cells':
            grid = tuple(cell_grid) if cell_grid is not None else (h, w)
            self.num_tokens = grid[0] * grid[1]

    def init_weights(self) -> None:
        super().init_weights()
        if self.frozen:
            self._freeze()

    def _freeze(self) -> None:
        self.eval()
        for p in self.parameters():
            p.requires_grad = False

    def train(self, mode: bool = True) -> 'VGGishAudioEncoder':
        super().train(mode)
        if self.frozen:
            # stay in eval mode and without gradients while frozen
            for m in self.modules():
                m.training = False
            for p in self.parameters():
                p.requires_grad = False
        return self

    @property
    def token_channels(self) -> int:
        """Width of the CCAF tokens (the conv width for ``'cells'``)."""
        return self.conv_channels if self.tokens == 'cells' \
            else self.out_channels

    def _conv(self, x: Tensor) -> Tuple[Tensor, tuple]:
        """``[*, 1, 96, 64]`` -> last conv map ``[B, C, 6, 4]``, leading
        dims."""
        if x.shape[-3:] != (1, ) + self.in_shape:
            raise ValueError(
                'VGGishAudioEncoder expects log-mel patches of shape '
                f'[*, 1, {self.in_shape[0]}, {self.in_shape[1]}], got '
                f'{tuple(x.shape)}; check the audio pipeline '
                "(audio_source='wav') and the model's audio_encoder.")
        lead = tuple(x.shape[:-3])
        return self.features(x.reshape(-1, *x.shape[-3:]).float()), lead

    def _embed(self, x: Tensor, lead: tuple) -> Tensor:
        # (B, C, H, W) -> (B, H, W, C): TensorFlow's flatten order, which the
        # fc weights of the VGGish port assume.
        x = x.permute(0, 2, 3, 1).contiguous().flatten(1)
        return self.embeddings(x).reshape(*lead, -1)

    def forward(self, x: Tensor, with_tokens: bool = False):
        """Encode log-mel patches.

        Args:
            x (Tensor): ``[*, 1, 96, 64]`` log-mel patches (any leading
                dims).
            with_tokens (bool): Also return the CCAF tokens (see
                ``tokens``), from the same pass of the convs.

        Returns:
            Tensor | tuple: ``[*, C]`` embeddings (and ``[*, M, C_t]``
            tokens).
        """
        fmap, lead = self._conv(x)
        emb = self._embed(fmap, lead)
        if not with_tokens:
            return emb
        if self.tokens == 'pooled':
            return emb, emb.unsqueeze(-2)
        if self.cell_pool is not None:
            fmap = self.cell_pool(fmap)
        cells = fmap.flatten(2).transpose(1, 2)  # [B, H*W, C], time-major
        return emb, cells.reshape(*lead, *cells.shape[1:])

    def forward_tokens(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Embeddings ``[*, C]`` and CCAF tokens ``[*, M, C_t]`` (through
        ``__call__``, so that hooks and timers see it)."""
        return self(x, with_tokens=True)


@MODELS.register_module()
class VGGishFeatureProjector(BaseAudioEncoder):
    """Projection of precomputed per-frame VGGish features (AVISeg's
    ``FEATAudios/<video>.npy``, ``[T, 128]``) for ``audio_source='feat'``.

    Args:
        in_channels (int): Feature size. Defaults to 128.
        out_channels (int): Embedding size. Defaults to 128.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 128,
                 out_channels: int = 128,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.proj = nn.Sequential(
            nn.LayerNorm(in_channels), nn.Linear(in_channels, out_channels),
            nn.ReLU(True), nn.Linear(out_channels, out_channels))
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        """Project ``[*, in_channels]`` features to ``[*, out_channels]``."""
        if x.shape[-1] != self.in_channels:
            raise ValueError(
                f'VGGishFeatureProjector expects [*, {self.in_channels}] '
                f'features, got {tuple(x.shape)}; check the audio pipeline '
                "(audio_source='feat').")
        return self.proj(x.float())
