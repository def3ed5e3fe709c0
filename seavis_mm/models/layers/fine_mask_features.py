# Copyright (c) seavis_mm contributors. All rights reserved.
"""Mask features at a finer stride than the pixel decoder's, from the image.

Mask2Former predicts every mask from the pixel decoder's stride-4 features.
On ToyAVIS's 128 x 128 frames that is a 32 x 32 map: two adjacent objects a
few pixels apart share cells, and a query draws them as one mask (the
recall funnel's merges, docs/en/metrics.md, are most of the sounding
objects no query localises). A U-Net-like skip gives the features the
image's own edges at stride 2: a light conv stem on the preprocessed image,
projected to the mask features' channels and added to the mask features
upsampled bilinearly to the stem's size. The projection starts at zero, so
before training the branch adds nothing of its own: the dot product with
the query embeddings is linear, so a mask is its stride-4 logits upsampled
bilinearly (only the decoder's attention masks, resized from the finer
logits, can differ at their borders).

It runs after CCAF, so the neck keeps attending over the stride-4 tokens
(four times as many tokens would cost CCAF four times as much).
"""
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn
from torch.nn import functional as F


class FineMaskFeatures(BaseModule):
    """Mask features at ``stride`` (of the input) from an image stem.

    Args:
        channels (int): The mask features' channels.
        stem_channels (int): Width of the stem. Defaults to 32.
        num_convs (int): 3x3 convs in the stem (the first one strided).
            Defaults to 2.
        stride (int): Output stride, 1 or 2. Defaults to 2.
        norm_cfg (dict): The stem's norm (GroupNorm: training batches of
            a few clips). Defaults to ``dict(type='GN', num_groups=8)``.
    """

    def __init__(self,
                 channels: int,
                 stem_channels: int = 32,
                 num_convs: int = 2,
                 stride: int = 2,
                 norm_cfg: dict = dict(type='GN', num_groups=8)) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError('FineMaskFeatures: stride must be 1 or 2, got '
                             f'{stride}')
        if num_convs < 1:
            raise ValueError('FineMaskFeatures: num_convs must be >= 1, got '
                             f'{num_convs}')
        self.stem = nn.Sequential(*[
            ConvModule(
                3 if i == 0 else stem_channels,
                stem_channels,
                3,
                stride=stride if i == 0 else 1,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU')) for i in range(num_convs)
        ])
        self.proj = nn.Conv2d(stem_channels, channels, 1)
        self._zero_projection()

    def _zero_projection(self) -> None:
        """Zero the projection: an untrained branch leaves the masks as
        they were."""
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def init_weights(self) -> None:
        """Keep the zero projection (BaseModule's init would not touch it,
        but a parent's ``init_cfg`` could)."""
        super().init_weights()
        self._zero_projection()

    def forward(self, mask_features: Tensor, imgs: Tensor) -> Tensor:
        """``[B, C, h, w]`` mask features and the ``[B, 3, H, W]`` input
        they came from -> ``[B, C, H / stride, W / stride]``."""
        if imgs.shape[0] != mask_features.shape[0]:
            raise ValueError(
                f'FineMaskFeatures: {imgs.shape[0]} images for '
                f'{mask_features.shape[0]} mask feature maps')
        skip = self.proj(self.stem(imgs))
        up = F.interpolate(
            mask_features,
            size=skip.shape[-2:],
            mode='bilinear',
            align_corners=False)
        return up + skip
