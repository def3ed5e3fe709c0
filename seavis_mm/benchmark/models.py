# Copyright (c) seavis_mm contributors. All rights reserved.
"""The models a benchmark times: SeaVIS from a config (random weights unless
a checkpoint is given) and the plain per-frame Mask2Former reference that
shares its weights."""
import copy
from typing import Dict, Optional, Tuple

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner import load_checkpoint

from seavis_mm.models.heads import mask2former_decode
from seavis_mm.registry import MODELS


def load_cfg(config: str, cfg_options: Optional[dict],
             checkpoint: Optional[str]) -> Config:
    """The config with ``--cfg-options`` merged; without a checkpoint the
    backbone's pretrained ``init_cfg`` is dropped (latency does not depend
    on the weights, so nothing is downloaded)."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if checkpoint is None:
        cfg.model.backbone.init_cfg = None
    return cfg


def build_seavis(cfg: Config, checkpoint: Optional[str],
                 device: torch.device) -> torch.nn.Module:
    """SeaVIS in eval mode, with the checkpoint's weights or PyTorch's
    default initialisation (as ``OnlineAVISInferencer`` keeps it without
    weights; ``init_weights()`` would only log every parameter)."""
    model = MODELS.build(copy.deepcopy(cfg.model))
    if checkpoint:
        load_checkpoint(model, checkpoint, map_location='cpu')
    return model.to(device).eval()


def reference_model_cfg(model_cfg: dict) -> dict:
    """mmdet's plain Mask2Former with SeaVIS's backbone, pixel decoder,
    transformer decoder and queries, and mmdet's instance post-processing
    (``MaskFormerFusionHead``, ``max_per_image`` = number of queries, as
    mmdet's 100-query COCO config has it)."""
    head = copy.deepcopy(dict(model_cfg['track_head']))
    for key in ('type', 'embed_dims', 'num_embed_fcs', 'audio_channels',
                'loss_agcl_frame', 'loss_agcl_instance'):
        head.pop(key, None)
    train_cfg = head.pop('train_cfg', None)
    num_things = head['num_things_classes']
    num_stuff = head.get('num_stuff_classes', 0)
    head['type'] = 'mmdet.Mask2FormerHead'
    pre = copy.deepcopy(dict(model_cfg.get('data_preprocessor', {})))
    pre['type'] = 'mmdet.DetDataPreprocessor'
    return dict(
        type='mmdet.Mask2Former',
        data_preprocessor=pre,
        backbone=copy.deepcopy(model_cfg['backbone']),
        panoptic_head=head,
        panoptic_fusion_head=dict(
            type='mmdet.MaskFormerFusionHead',
            num_things_classes=num_things,
            num_stuff_classes=num_stuff,
            loss_panoptic=None,
            init_cfg=None),
        train_cfg=train_cfg,
        test_cfg=dict(
            panoptic_on=False,
            semantic_on=False,
            instance_on=True,
            max_per_image=head['num_queries'],
            iou_thr=0.8,
            filter_low_score=True),
        init_cfg=None)


def build_reference(cfg: Config, device: torch.device,
                    seavis: Optional[torch.nn.Module] = None
                    ) -> Tuple[torch.nn.Module, int]:
    """The reference, with SeaVIS's weights in every part they share
    (backbone, pixel decoder, transformer decoder, class and mask
    branches), so both compute the same activations there.

    Returns:
        tuple: the model and the number of tensors copied.
    """
    model = MODELS.build(ConfigDict(reference_model_cfg(cfg.model)))
    copied = 0
    if seavis is not None:
        own = model.state_dict()
        shared = {}
        for key, value in seavis.state_dict().items():
            key = key.replace('track_head.', 'panoptic_head.', 1)
            if key in own and own[key].shape == value.shape:
                shared[key] = value
        model.load_state_dict(shared, strict=False)
        copied = len(shared)
    return model.to(device).eval(), copied


class ReferenceNetwork(torch.nn.Module):
    """The reference's network alone, as a backend runs it: preprocessed
    frame in, the last decoder layer's class and mask logits out."""

    def __init__(self, reference: torch.nn.Module) -> None:
        super().__init__()
        self.reference = reference

    def forward(self, img: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        # the classes' methods: run_reference_network_with replaces these
        # two on the instance by the backend
        ref = self.reference
        head = ref.panoptic_head
        feats = type(ref).extract_feat(ref, img)
        cls_list, mask_list = _reference_head(head, feats)
        return cls_list[-1], mask_list[-1]


def _reference_head(head, x) -> Tuple[list, list]:
    """The reference head's pixel and transformer decoders (mmdet's
    ``Mask2FormerHead.forward``), every layer's full-resolution masks or
    the last one's as its ``test_all_masks`` says
    (:func:`decode_reference_like_seavis`)."""
    mask_features, memorys = head.pixel_decoder(x)
    cls_list, mask_list, _ = mask2former_decode(
        head, mask_features, memorys,
        all_masks=getattr(head, 'test_all_masks', False))
    return cls_list, mask_list


def decode_reference_like_seavis(reference: torch.nn.Module,
                                 all_masks: bool) -> None:
    """Give the reference's head SeaVIS's inference decoder: with
    ``all_masks`` False only the last layer's full-resolution masks
    (:func:`mask2former_decode`), a saving any Mask2Former could have, so
    that the overhead compares like with like; True keeps mmdet's."""
    head = reference.panoptic_head
    head.test_all_masks = all_masks
    if not all_masks:
        head.forward = lambda x, batch_data_samples: _reference_head(head, x)


def run_reference_network_with(reference: torch.nn.Module,
                               runner) -> None:
    """Make ``reference.predict`` compute its network with ``runner``
    (a :class:`~seavis_mm.deployment.backends.ModuleRunner` of its
    :class:`ReferenceNetwork`) and keep mmdet's post-processing: the
    backbone becomes the identity and the head's ``forward`` the runner."""

    def head_forward(img, batch_data_samples):
        cls, masks = runner(img)
        return [cls], [masks]

    reference.extract_feat = lambda img: img
    reference.panoptic_head.forward = head_forward


def num_params_m(model: torch.nn.Module) -> float:
    """Parameters in millions."""
    return sum(p.numel() for p in model.parameters()) / 1e6


def prefill_state(neck, state: Dict[str, torch.Tensor],
                  num: Optional[int] = None,
                  seed: int = 0) -> Dict[str, torch.Tensor]:
    """``state`` with ``num`` (default ``history_size``) random frames of
    audio tokens pushed through CCAF's own ``push_state`` (eviction and
    summary included), instead of running as many full frames."""
    num = neck.history_size if num is None else num
    g = torch.Generator().manual_seed(seed)
    device = neck.audio_proj.weight.device
    with torch.no_grad():
        tokens = torch.randn(num, neck.tokens_per_frame,
                             neck.audio_proj.in_features, generator=g)
        for i in range(num):
            state = neck.push_state(tokens[i:i + 1].to(device), state)
    return state


def prefill_history(model, num: Optional[int] = None, seed: int = 0) -> None:
    """Fill the audio history SeaVIS carries (:func:`prefill_state`)."""
    state = model.stream_state
    if state is None:
        state = model.init_state(device=model.neck.audio_proj.weight.device)
    model.stream_state = prefill_state(model.neck, state, num, seed)


def held_frames(state: Optional[Dict[str, torch.Tensor]]) -> Optional[int]:
    """Audio frames a CCAF stream state holds (the summary token counting as
    one), for the reports; None without a state."""
    if not state or 'audio_valid' not in state:
        return None
    n = int(state['audio_valid'][0].sum())
    if 'summary_count' in state:
        n += int(state['summary_count'][0] > 0)
    return n


def audio_past_context(cfg: Config) -> int:
    """``past_context`` of the test pipeline's ``LoadAudioWindows``."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'pipeline', [])
    for t in pipeline:
        if str(t.get('type', '')).endswith('LoadAudioWindows'):
            return int(t.get('past_context', 0))
    return 0


def history_desc(cfg: Config) -> Optional[str]:
    """The config's CCAF history, e.g. ``'ring K=64'``."""
    neck = cfg.model.get('neck')
    if not neck:
        return None
    mode = neck.get('history', 'ring')
    return mode if mode == 'unbounded' else \
        f'{mode} K={neck.get("history_size", 64)}'
