# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVIS head: mmdet's Mask2FormerHead per frame, plus per query a
sound-aware instance embedding (AGCL), an optional identity embedding (for
association, trained across the clip's frames by ground-truth ids) and an
optional sounding probability grounded in the frame's audio anchor."""
import inspect
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import Mask2FormerHead
from mmdet.structures import SampleList
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor, nn

from seavis_mm.models.layers.audio_tag_head import AudioTagHead
from seavis_mm.models.layers.drawn_assignment import drawn_assignment
from seavis_mm.models.layers.fine_mask_features import FineMaskFeatures
from seavis_mm.models.layers.mask_components import (check_min_area_frac,
                                                      split_mask_components)
from seavis_mm.models.layers.sounding_seg import SoundingSegmentation
from seavis_mm.models.losses.category_tag_loss import category_tag_loss
from seavis_mm.models.losses.sounding_loss import drawn_targets
from seavis_mm.registry import MODELS
from .hybrid_branch import HybridBranch, HybridQueries
from .mask2former_decode import mask2former_decode
from .mask_piloting import MaskPiloting, PilotedQueries
from .query_locations import QueryLocationPrior


def _mlp(in_dims: int, hidden_dims: int, out_dims: int,
         num_layers: int) -> nn.Sequential:
    layers: List[nn.Module] = []
    dims = [in_dims] + [hidden_dims] * (num_layers - 1) + [out_dims]
    for i in range(num_layers):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < num_layers - 1:
            layers.append(nn.ReLU(True))
    return nn.Sequential(*layers)


def _audio_tag_head(cfg: dict, in_dims: int, hidden_dims: int,
                    num_classes: int) -> Tuple[dict, nn.Module]:
    """``SeaVISHead``'s ``sound_class_prior`` read: its settings (the loss
    weight) and the audio classifier it asks for."""
    cfg = dict(cfg)
    weight = float(cfg.pop('loss_weight', 1.0))
    num_layers = int(cfg.pop('num_layers', 2))
    init_cfg = cfg.pop('init_cfg', None)
    if cfg:
        raise ValueError('SeaVISHead: sound_class_prior takes loss_weight, '
                         f'num_layers and init_cfg, got {sorted(cfg)}')
    if num_layers < 1:
        raise ValueError('SeaVISHead: sound_class_prior num_layers must be '
                         f'>= 1, got {num_layers}')
    if num_layers == 1:
        head = AudioTagHead(in_dims, num_classes, init_cfg=init_cfg)
    elif init_cfg is not None:
        # the pretrained tagger's head is one Linear
        # (seavis_mm/models/pretrain/audio_tagger.py)
        raise ValueError('SeaVISHead: sound_class_prior init_cfg needs '
                         'num_layers=1 (the tagger\'s shape), got '
                         f'{num_layers}')
    else:
        head = _mlp(in_dims, hidden_dims, num_classes, num_layers)
    return dict(loss_weight=weight), head


def _refuse_unknown_args(kwargs: dict) -> None:
    """mmdet's ``Mask2FormerHead`` takes ``**kwargs`` and drops what it does
    not know, so a misspelt or outdated config key would train a different
    model without a word; name it instead."""
    known = set(inspect.signature(Mask2FormerHead.__init__).parameters)
    # mmdet's own Mask2Former configs pass the backbone strides, which the
    # head ignores: an mmdet config inherited as is stays valid
    known.add('strides')
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise TypeError(f'SeaVISHead got unknown config keys {unknown}: '
                        'neither SeaVISHead nor mmdet\'s Mask2FormerHead '
                        'takes them')


def _option_cfg(name: str, cfg: Optional[dict],
                defaults: dict) -> Optional[dict]:
    """An option dict of :class:`SeaVISHead` with its ``defaults`` filled
    in, or None; an unknown key is refused by name."""
    if cfg is None:
        return None
    unknown = sorted(set(cfg) - set(defaults))
    if unknown:
        raise TypeError(f'SeaVISHead: {name} got unknown keys {unknown}; '
                        f'expected {sorted(defaults)}')
    return dict(defaults, **cfg)


@MODELS.register_module()
class SeaVISHead(Mask2FormerHead):
    """Mask2Former head with instance embeddings and audio anchors.

    The Mask2Former forward is split in two so that a neck (CCAF) can sit
    between the pixel decoder and the transformer decoder:
    :meth:`pixel_decode` then :meth:`decode`. Matching, Mask2Former losses and
    the decoder are mmdet's, unchanged; the Hungarian matching of the last
    decoder layer is also what AGCL uses to tell sounding (matched) queries
    from the rest.

    Args:
        embed_dims (int): Width of the instance embedding. Defaults to 256.
        num_embed_fcs (int): Layers of the instance-embedding MLP on the query
            features; 0 uses the (post-normed) query features themselves as
            the embedding, as MinVIS does. Defaults to 3.
        audio_channels (int, optional): Width of the audio embedding ``a_t``
            to project to an audio anchor; None for audio-blind models.
            Defaults to None.
        loss_agcl_frame (dict, optional): Frame-level AGCL loss config.
        loss_agcl_instance (dict, optional): Instance-level AGCL loss config.
        id_embed_dims (int, optional): Width of a separate identity embedding
            (an MLP on the query features) that the tracker associates on;
            None: no identity embedding, the tracker associates on the
            sound-aware embedding. Defaults to None.
        num_id_fcs (int): Layers of the identity MLP. Defaults to 3.
        loss_identity (dict, optional): :class:`IdentityContrastLoss`
            config (needs ``id_embed_dims``).
        loss_sound (dict, optional): :class:`SoundingBCELoss` config; when
            set, the head has a per-query sounding probability
            ``sigmoid(s * <e, p> + b)`` (learned ``s``, ``b``) that the
            tracker gates on.
        loss_rival (dict, optional): :class:`RivalMaskLoss` config; when
            set, each query that stands for an instance (its Hungarian
            match; in the last layer with ``one_to_many``, also the
            instance it draws) pays a BCE towards background on the pixels
            of the other instances of that instance's class, so that it
            does not spill over a look-alike next to it. Defaults to None.
        sound_scale_init (float): Initial ``s`` (``1 / tau`` of AGCL).
            Defaults to 10.
        sound_anchors (int): How many audio anchors the sounding
            probability scores each query against, ``sigmoid(s * max_k
            <e, p_k> + b)``: ``p_1`` is AGCL's anchor and the other
            ``K - 1`` come from the frame's audio embedding through their
            own MLP. One anchor must sit near every sounding query of a
            frame at once; where several objects of different kinds sound
            together, one vector cannot (the recall funnel's
            ``by_sources``, full model, seed 0: the gate passed 99% of
            the sounding candidates of single-source frames and 84% of
            those of frames of several kinds). Measured, not adopted
            (configs/seavis/README.md, session 28). Needs ``loss_sound``.
            Defaults to 1 (the one anchor).
        sound_class_prior (dict, optional): When set, the audio also says
            which categories sound in the frame (``a_c``, a multi-label
            classifier of the audio embedding trained with BCE on the
            categories of the frame's sounding ground truth,
            ``loss_audio_cls`` with ``loss_weight``, default 1), and each
            query's sounding logit adds ``beta * sum_c p(c | q) a_c``
            (``p`` the query's class probabilities, detached; ``beta``
            learned, from 1). A query of a category the audio does not
            hold is pushed towards silent, one of a category it holds
            towards sounding, however many sources the frame mixes.
            ``num_layers`` (default 2): the classifier is an MLP of that
            many layers; 1 is a :class:`AudioTagHead`, the pretrained
            tagger's shape, which ``init_cfg`` (mmengine's ``Pretrained``
            with ``prefix='cls_head.'``) can start from the audio
            pretraining's head: the default config does (session 35;
            the tagger names the categories of three-source mixtures that
            400 iterations of fine-tuning do not learn).
            Needs ``loss_sound``. Defaults to None.
        mask_thr (float): Mask probability above which a pixel is in an
            output mask (inference only; mmdet's Mask2Former uses 0.5).
            Defaults to 0.5.
        mask_pos_embed (bool): Add a learned 1x1 projection of the sine
            positional encoding (the decoder's, mmdet's
            ``SinePositionalEncoding``) to the mask features the queries are
            dotted with, so that a query can tell two look-alike instances
            apart by where they are (CondInst's relative coordinates,
            SOLO's CoordConv). The projection starts at zero: the head
            starts as Mask2Former's. Defaults to False.
        query_loc_prior (dict, optional): :class:`QueryLocationPrior`
            args (``init_scale``, ``shift_sigma``, ``pos_query``,
            ``votes``; ``{}`` for the defaults): every query gets a
            reference point that puts a spatial prior on its mask logits
            and moves to the instance nearest it after each decoder layer,
            so that two look-alike instances are drawn by two queries. With
            ``votes`` (:class:`CenterVotes` args, ``{}`` for the defaults)
            the prior is on where each pixel votes its instance's centre,
            trained by ``loss_votes``. None: Mask2Former's masks.
            Defaults to None.
        one_to_many (dict, optional): One-to-many targets from the masks
            the queries draw (:func:`drawn_assignment`): ``iou_thr``
            (default 0.5), ``cls`` (default True: a query that draws a
            ground-truth instance without being its Hungarian match takes
            the instance's class instead of "no object", at every decoder
            layer, from that layer's masks) and ``identity`` (default True:
            it is a positive of the instance in the identity loss). The
            mask loss stays one-to-one. Duplicates then score as instances:
            pair it with the tracker's ``mask_nms_thr``. Measured worse at
            400 iterations on both seeds (configs/seavis/README.md), so off
            by default. None: one-to-one only, as Mask2Former.
            Defaults to None.
        hybrid (dict, optional): :class:`HybridBranch` args
            (``num_queries``, ``repeat``, ``loss_weight``; ``{}`` for the
            defaults): in training, a second group of queries goes through
            the same decoder layers, unseen by the one-to-one queries, and
            is matched to the ground truth repeated ``repeat`` times
            (H-DETR's hybrid matching), so that the shared layers learn
            from several positives per instance while inference decodes
            the one-to-one queries alone, with no duplicates to suppress.
            Not with ``one_to_many`` or ``mask_piloting``. None: one-to-one
            only. Defaults to None.
        split_components (dict, optional): At inference, split each
            query's mask into its large connected components
            (:func:`split_mask_components`: ``min_area_frac``, default 0.2,
            and ``min_pixels``, default 4), each scored over its own pixels
            and passed to the tracker as an instance of its own with the
            query's embeddings (``query_index`` in
            :meth:`postprocess_frame`'s output). For look-alikes one query
            draws as one mask; pair it with the tracker's
            ``mask_iou_weight``. None: one instance per query.
            Defaults to None.
        mask_piloting (dict, optional): :class:`MaskPiloting` args
            (``groups``, ``mask_noise``, ``label_noise``, ``loss_weight``;
            ``{}`` for the defaults): in training, one extra query per
            ground-truth instance attends through that instance's mask in
            every decoder layer and is supervised by it without matching
            (MP-Former), so the decoder learns to turn the right pixels
            into a class and a mask faster. Inference is unchanged. Not
            with ``query_loc_prior``. None: Mask2Former's training.
            Defaults to None.
        fine_mask (dict, optional): :class:`FineMaskFeatures` args
            (``stem_channels``, ``num_convs``, ``stride``, ``norm_cfg``;
            ``{}`` for the defaults): the masks are predicted at the
            option's ``stride`` (2 by default) from the mask features plus
            a skip from the image
            (:meth:`refine_mask_features`), so that adjacent objects a few
            pixels apart get separate masks. None: Mask2Former's stride 4.
            Defaults to None.
        sounding_seg (dict, optional): :class:`SoundingSegmentation` args
            (``hidden_channels``, ``loss``; ``{}`` for the defaults): in
            training, a dense loss on the fused mask features, every pixel
            labelled with the category of the sounding object it belongs to
            or background (``loss_sounding_seg``). Inference does not run
            it. Defaults to None.
        loss_cls_quality (dict, optional): :class:`QualityCrossEntropyLoss`
            config; when set it replaces Mask2Former's class loss at every
            decoder layer: a matched query's class target is the mask IoU
            of its mask with its instance (``** power``), the rest "no
            object", meant to score a mask that spills over a look-alike
            below one that draws the object alone (measured at 400 and
            1,600 iterations, the mask NMS drops as many objects to merged
            masks as without it: configs/seavis/README.md, session 24;
            off by default). The matching and the mask losses are
            unchanged; ``one_to_many``'s extra class targets get the IoU
            with the instance they draw. Not with ``hybrid`` or
            ``mask_piloting``. None: Mask2Former's hard targets.
            Defaults to None.
        test_all_masks (bool): At inference, compute every decoder layer's
            full-resolution mask logits as mmdet does, instead of only the
            last layer's (:func:`mask2former_decode`); the outputs are the
            same, this is for timing comparisons. Defaults to False.
        **kwargs: :class:`mmdet.models.dense_heads.Mask2FormerHead` args
            (``num_things_classes`` = the dataset's classes,
            ``num_stuff_classes=0``).
    """

    def __init__(self,
                 *args,
                 embed_dims: int = 256,
                 num_embed_fcs: int = 3,
                 audio_channels: Optional[int] = None,
                 loss_agcl_frame: Optional[dict] = None,
                 loss_agcl_instance: Optional[dict] = None,
                 id_embed_dims: Optional[int] = None,
                 num_id_fcs: int = 3,
                 loss_identity: Optional[dict] = None,
                 loss_sound: Optional[dict] = None,
                 loss_rival: Optional[dict] = None,
                 sound_scale_init: float = 10.0,
                 sound_anchors: int = 1,
                 sound_class_prior: Optional[dict] = None,
                 mask_thr: float = 0.5,
                 mask_pos_embed: bool = False,
                 query_loc_prior: Optional[dict] = None,
                 one_to_many: Optional[dict] = None,
                 hybrid: Optional[dict] = None,
                 split_components: Optional[dict] = None,
                 mask_piloting: Optional[dict] = None,
                 fine_mask: Optional[dict] = None,
                 sounding_seg: Optional[dict] = None,
                 loss_cls_quality: Optional[dict] = None,
                 test_all_masks: bool = False,
                 **kwargs) -> None:
        _refuse_unknown_args(kwargs)
        super().__init__(*args, **kwargs)
        if not 0.0 < mask_thr < 1.0:
            raise ValueError(f'SeaVISHead: mask_thr must be in (0, 1), got '
                             f'{mask_thr}')
        self.mask_thr = float(mask_thr)
        self.split_components = self._split_components_cfg(split_components)
        self.test_all_masks = bool(test_all_masks)
        feat = self.transformer_decoder.embed_dims
        self.inst_embed = _mlp(feat, feat, embed_dims, num_embed_fcs) \
            if num_embed_fcs > 0 else None
        embed_out = embed_dims if num_embed_fcs > 0 else feat
        self.audio_anchor = _mlp(audio_channels, feat, embed_out, 2) \
            if audio_channels else None
        self.loss_agcl_frame = MODELS.build(loss_agcl_frame) \
            if loss_agcl_frame else None
        self.loss_agcl_instance = MODELS.build(loss_agcl_instance) \
            if loss_agcl_instance else None
        if (loss_agcl_frame or loss_agcl_instance or loss_sound) and \
                self.audio_anchor is None:
            raise ValueError('AGCL and sounding losses need audio anchors: '
                             'set audio_channels in the SeaVISHead config')
        if loss_identity and not id_embed_dims:
            raise ValueError('loss_identity needs an identity embedding: set '
                             'id_embed_dims in the SeaVISHead config')
        self.id_embed = _mlp(feat, feat, id_embed_dims, num_id_fcs) \
            if id_embed_dims else None
        self.loss_identity = MODELS.build(loss_identity) \
            if loss_identity else None
        self.loss_sound = MODELS.build(loss_sound) if loss_sound else None
        self.loss_rival = MODELS.build(loss_rival) if loss_rival else None
        if self.loss_sound is not None:
            # log-scale keeps s > 0; the bias is the learned threshold
            self.sound_log_scale = nn.Parameter(
                torch.tensor(math.log(sound_scale_init)))
            self.sound_bias = nn.Parameter(torch.zeros(()))
        if sound_anchors < 1:
            raise ValueError('SeaVISHead: sound_anchors must be >= 1, got '
                             f'{sound_anchors}')
        if sound_anchors > 1 and self.loss_sound is None:
            raise ValueError('SeaVISHead: sound_anchors > 1 scores the '
                             'sounding probability: set loss_sound')
        self.sound_anchors = int(sound_anchors)
        if sound_class_prior is not None and self.loss_sound is None:
            raise ValueError('SeaVISHead: sound_class_prior adds to the '
                             'sounding probability: set loss_sound')
        self.audio_cls = None
        if sound_class_prior is not None:
            self.sound_class_prior, self.audio_cls = _audio_tag_head(
                sound_class_prior, audio_channels, feat,
                self.num_things_classes)
            self.sound_prior_weight = nn.Parameter(torch.ones(()))
        self.sound_anchor_extra = _mlp(
            audio_channels, feat, embed_out * (sound_anchors - 1), 2) \
            if sound_anchors > 1 else None
        self.mask_pos_proj = None
        if mask_pos_embed:
            # Mask2Former's mask features carry position only through
            # padding and receptive fields: two instances that look alike
            # get the same features, and a query drew them as one mask (the
            # recall funnel's merged_sounding, docs/en/metrics.md)
            pos = self.decoder_positional_encoding
            self.mask_pos_proj = nn.Conv2d(
                2 * pos.num_feats,
                self.pixel_decoder.mask_feature.out_channels, 1)
            nn.init.zeros_(self.mask_pos_proj.weight)
            nn.init.zeros_(self.mask_pos_proj.bias)
        # mask2former_decode looks for it by this name
        self.query_loc = QueryLocationPrior(
            self.num_queries, feat,
            mask_channels=self.pixel_decoder.mask_feature.out_channels,
            **query_loc_prior) if query_loc_prior is not None else None
        self.one_to_many = self._one_to_many_cfg(one_to_many)
        if self.one_to_many and self.one_to_many['identity'] and \
                not loss_identity:
            raise ValueError('one_to_many.identity needs loss_identity')
        if mask_piloting is not None and query_loc_prior is not None:
            raise ValueError('SeaVISHead: mask_piloting does not work with '
                             'query_loc_prior (the reference points move '
                             'with the predicted masks, which piloted '
                             'queries do not use)')
        if hybrid is not None and (one_to_many is not None
                                   or mask_piloting is not None):
            raise ValueError('SeaVISHead: hybrid is an alternative to '
                             'one_to_many and does not work with '
                             'mask_piloting (one extra query group at a '
                             'time)')
        self.hybrid = HybridBranch(
            feat, with_refs=query_loc_prior is not None,
            **_option_cfg('hybrid', hybrid,
                          dict(num_queries=60, repeat=3, loss_weight=1.0))
        ) if hybrid is not None else None
        self.mask_piloting = MaskPiloting(
            self.num_classes, feat, **mask_piloting) \
            if mask_piloting is not None else None
        self.fine_mask = FineMaskFeatures(
            self.pixel_decoder.mask_feature.out_channels, **fine_mask) \
            if fine_mask is not None else None
        self.sounding_seg = SoundingSegmentation(
            self.pixel_decoder.mask_feature.out_channels,
            self.num_things_classes, **sounding_seg) \
            if sounding_seg is not None else None
        if loss_cls_quality is not None and (hybrid is not None
                                             or mask_piloting is not None):
            raise ValueError('SeaVISHead: loss_cls_quality sets the class '
                             'targets of the Hungarian matches itself; it '
                             'does not work with hybrid or mask_piloting')
        self.loss_cls_quality = MODELS.build(loss_cls_quality) \
            if loss_cls_quality is not None else None
        self._sampling_log: List = []

    @staticmethod
    def _one_to_many_cfg(cfg: Optional[dict]) -> Optional[dict]:
        """``one_to_many`` with its defaults, or None; an unknown key or an
        IoU outside (0, 1] is refused by name."""
        out = _option_cfg('one_to_many', cfg,
                          dict(iou_thr=0.5, cls=True, identity=True))
        if out is None:
            return None
        if not 0.0 < float(out['iou_thr']) <= 1.0:
            raise ValueError('SeaVISHead: one_to_many.iou_thr must be in '
                             f'(0, 1], got {out["iou_thr"]}')
        return out

    @staticmethod
    def _split_components_cfg(cfg: Optional[dict]) -> Optional[dict]:
        """``split_components`` with its defaults, or None; an unknown key
        or a ``min_area_frac`` outside (0, 0.5] is refused by name, when
        the head is built rather than at its first frame."""
        out = _option_cfg('split_components', cfg,
                          dict(min_area_frac=0.2, min_pixels=4))
        if out is not None:
            check_min_area_frac(out['min_area_frac'],
                                'SeaVISHead: split_components')
        return out

    # ------------------------------------------------------------------
    # forward, split around the neck
    # ------------------------------------------------------------------
    def pixel_decode(self, x: List[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        """Run the pixel decoder: returns ``(mask_features,
        multi_scale_memorys)`` (memorys from low to high resolution), the
        mask features with their position embedding when
        ``mask_pos_embed``."""
        mask_features, memorys = self.pixel_decoder(x)
        if self.mask_pos_proj is not None:
            b, _, h, w = mask_features.shape
            pos = self.decoder_positional_encoding(
                mask_features.new_zeros((b, h, w), dtype=torch.bool))
            mask_features = mask_features + self.mask_pos_proj(pos)
        return mask_features, memorys

    def refine_mask_features(self, mask_features: Tensor,
                             imgs: Tensor) -> Tensor:
        """The mask features at ``fine_mask``'s finer stride, from the
        ``[B, 3, H, W]`` input they came from (after the neck); unchanged
        without ``fine_mask``."""
        if self.fine_mask is None:
            return mask_features
        return self.fine_mask(mask_features, imgs)

    def decode(self, mask_features: Tensor, multi_scale_memorys: List[Tensor],
               all_masks: Optional[bool] = None,
               piloted: Optional[PilotedQueries] = None,
               hybrid: Optional[HybridQueries] = None
               ) -> Tuple[List[Tensor], List[Optional[Tensor]], Tensor]:
        """Mask2Former's transformer decoder (mmdet's ``forward`` after the
        pixel decoder) that also returns the final query features.

        Args:
            mask_features (Tensor): ``[B, C, H, W]``.
            multi_scale_memorys (list[Tensor]): low to high resolution.
            all_masks (bool, optional): every decoder layer's
                full-resolution mask logits (mmdet's computation), or only
                the last layer's (see :func:`mask2former_decode`). None: in
                training mode, where the deep supervision needs them all,
                else ``test_all_masks``.
            piloted (PilotedQueries, optional): from
                :meth:`piloted_queries`; decoded alongside (see
                :func:`mask2former_decode`).
            hybrid (HybridQueries, optional): from
                :meth:`hybrid_queries`; decoded alongside.

        Returns:
            tuple: ``cls_pred_list``, ``mask_pred_list`` (one per decoder
            layer and the initial queries; with ``all_masks`` False all but
            the last are None) and the last ``query_feat`` ``[B, Q, C]``.
        """
        if all_masks is None:
            all_masks = self.training or self.test_all_masks
        return mask2former_decode(self, mask_features, multi_scale_memorys,
                                  all_masks, piloted, hybrid)

    def hybrid_queries(self, batch_size: int) -> Optional[HybridQueries]:
        """Training's one-to-many queries for ``batch_size`` frames, or
        None without ``hybrid``."""
        if self.hybrid is None:
            return None
        return self.hybrid.prepare(batch_size, self.num_queries)

    def piloted_queries(self, batch_data_samples: SampleList,
                        multi_scale_memorys: List[Tensor]
                        ) -> Optional[PilotedQueries]:
        """Training's mask-piloted queries of these frames (their
        ``gt_instances``), or None without ``mask_piloting``."""
        if self.mask_piloting is None:
            return None
        raw_gt = [s.gt_instances for s in batch_data_samples]
        gt = self.preprocess_gt(raw_gt, [None] * len(raw_gt))
        sizes = [tuple(m.shape[-2:]) for m in multi_scale_memorys]
        return self.mask_piloting.prepare(gt, self.num_queries, sizes)

    def forward(self, x: List[Tensor],
                batch_data_samples: SampleList) -> Tuple[List[Tensor]]:
        """mmdet's interface (no neck): class and mask logits per layer."""
        mask_features, memorys = self.pixel_decode(x)
        cls_list, mask_list, _ = self.decode(mask_features, memorys)
        return cls_list, mask_list

    def instance_embeds(self, query_feat: Tensor) -> Tensor:
        """L2-normalised instance embeddings ``[B, Q, D]``."""
        x = self.transformer_decoder.post_norm(query_feat)
        if self.inst_embed is not None:
            x = self.inst_embed(x)
        return F.normalize(x, dim=-1)

    def audio_anchors(self, audio_emb: Tensor) -> Tensor:
        """L2-normalised audio anchors ``[*, D]`` from ``a_t`` ``[*, C_a]``."""
        if self.audio_anchor is None:
            raise RuntimeError('this SeaVISHead has no audio anchor '
                               '(audio_channels is None)')
        return F.normalize(self.audio_anchor(audio_emb), dim=-1)

    @property
    def with_audio_anchor(self) -> bool:
        return self.audio_anchor is not None

    @property
    def with_identity(self) -> bool:
        return self.id_embed is not None

    @property
    def with_sound_prob(self) -> bool:
        return self.loss_sound is not None

    def identity_embeds(self, query_feat: Tensor) -> Tensor:
        """L2-normalised identity embeddings ``[B, Q, D_id]``."""
        if self.id_embed is None:
            raise RuntimeError('this SeaVISHead has no identity embedding '
                               '(id_embed_dims is None)')
        x = self.transformer_decoder.post_norm(query_feat)
        return F.normalize(self.id_embed(x), dim=-1)

    def sound_anchor_set(self, audio_emb: Tensor, anchors: Tensor) -> Tensor:
        """The anchors the sounding probability scores against.

        Args:
            audio_emb (Tensor): ``[B, C_a]`` audio embeddings.
            anchors (Tensor): ``[B, D]``, :meth:`audio_anchors` of them.

        Returns:
            Tensor: ``anchors`` itself with one sounding anchor, else
            ``[B, K, D]`` (AGCL's anchor first), each L2-normalised.
        """
        if self.sound_anchor_extra is None:
            return anchors
        extra = self.sound_anchor_extra(audio_emb).view(
            *anchors.shape[:-1], self.sound_anchors - 1, anchors.shape[-1])
        return torch.cat(
            [anchors.unsqueeze(-2), F.normalize(extra, dim=-1)], dim=-2)

    def sound_prior(self, query_feat: Tensor, audio_emb: Tensor) -> Tensor:
        """``beta * sum_c p(c | q) a_c`` (see ``sound_class_prior``).

        Args:
            query_feat (Tensor): final query features ``[B, Q, C]``.
            audio_emb (Tensor): ``[B, C_a]`` audio embeddings.

        Returns:
            Tensor: ``[B, Q]``, added to :meth:`sound_logits`.
        """
        cls = self.cls_embed(self.transformer_decoder.post_norm(query_feat))
        # the class head has its own loss: the sounding one does not move it
        probs = cls.softmax(-1)[..., :-1].detach()
        return self.sound_prior_weight * torch.einsum(
            'bqc,bc->bq', probs, self.audio_cls(audio_emb))

    def sound_logits(self, embeds: Tensor, anchors: Tensor) -> Tensor:
        """Per-query sounding logits ``s * max_k <e, p_k> + b``.

        Args:
            embeds (Tensor): ``[B, Q, D]`` normalised instance embeddings.
            anchors (Tensor): ``[B, D]`` normalised audio anchors, or
                ``[B, K, D]`` (:meth:`sound_anchor_set`): each query is
                scored against the anchor it is closest to.

        Returns:
            Tensor: ``[B, Q]``; ``sigmoid`` of it is the probability that a
            query is a sounding object.
        """
        if self.loss_sound is None:
            raise RuntimeError('this SeaVISHead has no sounding probability '
                               '(loss_sound is None)')
        if anchors.dim() == 2:
            cos = torch.einsum('bqd,bd->bq', embeds, anchors)
        else:
            cos = torch.einsum('bqd,bkd->bqk', embeds, anchors).amax(-1)
        return self.sound_log_scale.exp() * cos + self.sound_bias

    def query_sound_logits(self, query_feat: Tensor, embeds: Tensor,
                           audio_emb: Tensor, anchors: Tensor) -> Tensor:
        """The sounding logits the tracker gates on and the sounding loss
        trains: :meth:`sound_logits` against :meth:`sound_anchor_set`,
        plus :meth:`sound_prior` with ``sound_class_prior``.

        Args:
            query_feat (Tensor): final query features ``[B, Q, C]``.
            embeds (Tensor): ``[B, Q, D]``, :meth:`instance_embeds` of them.
            audio_emb (Tensor): ``[B, C_a]`` audio embeddings.
            anchors (Tensor): ``[B, D]``, :meth:`audio_anchors` of them.

        Returns:
            Tensor: ``[B, Q]``.
        """
        logits = self.sound_logits(embeds,
                                   self.sound_anchor_set(audio_emb, anchors))
        if self.audio_cls is not None:
            logits = logits + self.sound_prior(query_feat, audio_emb)
        return logits

    def query_outputs(self, query_feat: Tensor,
                      audio_emb: Optional[Tensor]) -> Dict[str, Tensor]:
        """The per-query outputs the tracker uses, for a batch of frames.

        Args:
            query_feat (Tensor): final query features ``[B, Q, C]``.
            audio_emb (Tensor, optional): ``[B, C_a]`` audio embeddings.

        Returns:
            dict: ``embeds [B, Q, D]``; with audio anchors ``anchor [B, D]``;
            with an identity embedding ``id_embeds [B, Q, D_id]``; with a
            sounding probability ``sound_logits [B, Q]``.
        """
        out = dict(embeds=self.instance_embeds(query_feat))
        if self.with_identity:
            out['id_embeds'] = self.identity_embeds(query_feat)
        if self.with_audio_anchor and audio_emb is not None:
            out['anchor'] = self.audio_anchors(audio_emb)
            if self.with_sound_prob:
                out['sound_logits'] = self.query_sound_logits(
                    query_feat, out['embeds'], audio_emb, out['anchor'])
        return out

    def init_weights(self) -> None:
        """Mask2Former's initialisation, then the audio classifier's own
        ``init_cfg`` (``sound_class_prior``'s): mmdet's
        ``Mask2FormerHead.init_weights`` initialises its parts by hand and
        does not visit its children's ``init_cfg``."""
        super().init_weights()
        if isinstance(self.audio_cls, BaseModule):
            self.audio_cls.init_weights()

    # ------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------
    def _get_targets_single(self, cls_score: Tensor, mask_pred: Tensor,
                            gt_instances: InstanceData,
                            img_meta: dict) -> Tuple:
        # Record every image's Hungarian assignment; after loss_by_feat the
        # last ``batch`` records are the final decoder layer's, which AGCL
        # uses (the exact matching of the final layer's loss, not a second,
        # differently point-sampled one).
        res = super()._get_targets_single(cls_score, mask_pred, gt_instances,
                                          img_meta)
        self._sampling_log.append(res[6])
        if not (self.one_to_many and self.one_to_many['cls']):
            return res
        # one-to-many class targets: an unmatched query that draws an
        # instance takes its class (the mask target stays one-to-one)
        labels = res[0].clone()
        drawn = drawn_assignment(mask_pred.detach(), gt_instances.masks,
                                 self.one_to_many['iou_thr'])
        extra = (drawn >= 0) & (labels == self.num_classes)
        labels[extra] = gt_instances.labels[drawn[extra]]
        return (labels, ) + tuple(res[1:])

    def _loss_by_feat_single(self, cls_scores: Tensor, mask_preds: Tensor,
                             batch_gt_instances: List[InstanceData],
                             batch_img_metas: List[dict]) -> Tuple[Tensor]:
        """mmdet's per-layer losses; with ``loss_cls_quality`` the class
        loss is recomputed with mask-quality targets from the same
        matching (the last ``B`` entries of ``_sampling_log``, which
        :meth:`_get_targets_single` just recorded)."""
        losses = super()._loss_by_feat_single(cls_scores, mask_preds,
                                              batch_gt_instances,
                                              batch_img_metas)
        if self.loss_cls_quality is None:
            return losses
        results = self._sampling_log[-cls_scores.shape[0]:]
        gt_masks = [g.masks for g in batch_gt_instances]
        drawn = None
        if self.one_to_many and self.one_to_many['cls']:
            # the one-to-many class targets of _get_targets_single, each
            # with its own quality
            drawn = [
                drawn_assignment(m.detach(), g, self.one_to_many['iou_thr'])
                for m, g in zip(mask_preds, gt_masks)
            ]
        labels, quality = self.loss_cls_quality.targets(
            mask_preds, gt_masks, [g.labels for g in batch_gt_instances],
            results, self.num_classes, drawn)
        loss_cls = self.loss_cls_quality(
            cls_scores.flatten(0, 1), labels.flatten(), quality.flatten(),
            cls_scores.new_tensor(self.class_weight))
        return (loss_cls, ) + tuple(losses[1:])

    def _last_drawn(self, mask_logits: Tensor,
                    gt_instances: List) -> Optional[List[Tensor]]:
        """Per frame, the instance each query draws in the final layer's
        masks ``[F, Q, h, w]`` (:func:`drawn_assignment`, ``[Q]``), or None
        without ``one_to_many``. Computed once per step for the identity
        and rival losses that both read it."""
        if not self.one_to_many:
            return None
        return [
            drawn_assignment(logits, gt.masks, self.one_to_many['iou_thr'])
            for logits, gt in zip(mask_logits, gt_instances)
        ]

    @staticmethod
    def _extra_ids(drawn: List[Tensor], match_ids: Tensor,
                   frame_ids: List[Tensor]) -> Tensor:
        """``[F, Q]`` the instance id an unmatched query draws in the final
        layer's masks (-1: none or matched), for the identity loss;
        ``drawn`` is :meth:`_last_drawn`, ``frame_ids`` are each frame's
        ground-truth instance ids."""
        extra = torch.full_like(match_ids, -1)
        for i, (d, ids) in enumerate(zip(drawn, frame_ids)):
            keep = (d >= 0) & (match_ids[i] < 0)
            extra[i, keep] = ids[d[keep]]
        return extra

    def _loss_rival(self, mask_list: List[Tensor],
                    batch_gt_instances: List[InstanceData],
                    sampling_log: List,
                    drawn: Optional[List[Tensor]] = None
                    ) -> Dict[str, Tensor]:
        """``loss_rival`` on every decoder layer's masks (``d{i}.`` for
        all but the last, as mmdet names its auxiliary losses): each
        Hungarian-matched query, and in the last layer each query that
        draws an instance (``drawn``, :meth:`_last_drawn`; None: none),
        against the pixels of the other instances of its class
        (:class:`RivalMaskLoss`)."""
        num_imgs = len(batch_gt_instances)
        if len(sampling_log) != len(mask_list) * num_imgs:
            raise RuntimeError(
                f'SeaVISHead: {len(sampling_log)} sampling results for '
                f'{len(mask_list)} layers of {num_imgs} frames')
        gt_masks = [g.masks for g in batch_gt_instances]
        gt_labels = [g.labels for g in batch_gt_instances]
        losses = {}
        for layer, masks in enumerate(mask_list):
            results = sampling_log[layer * num_imgs:(layer + 1) * num_imgs]
            queries = [r.pos_inds for r in results]
            assigned = [r.pos_assigned_gt_inds for r in results]
            last = layer == len(mask_list) - 1
            if last and drawn is not None:
                for i, d in enumerate(drawn):
                    free = d >= 0
                    free[queries[i]] = False  # matched: already in
                    extra = torch.nonzero(free).view(-1)
                    queries[i] = torch.cat([queries[i], extra])
                    assigned[i] = torch.cat([assigned[i], d[extra]])
            name = 'loss_rival' if last else f'd{layer}.loss_rival'
            losses[name] = self.loss_rival(list(masks), gt_masks, gt_labels,
                                           assigned, queries)
        return losses

    @staticmethod
    def _sounding_gt(batch_gt_instances: List[InstanceData],
                     raw_gt: List[InstanceData]
                     ) -> Tuple[List[Tensor], List[Tensor]]:
        """Each frame's masks and labels of its sounding objects: all of
        them without ``gt_instances.sounding`` (AVISeg annotates only
        those), else the sounding rows (``batch_gt_instances`` keeps the
        order of ``raw_gt``, :meth:`preprocess_gt`)."""
        masks, labels = [], []
        for g, raw in zip(batch_gt_instances, raw_gt):
            keep = raw.sounding.bool() if 'sounding' in raw else None
            masks.append(g.masks if keep is None else g.masks[keep])
            labels.append(g.labels if keep is None else g.labels[keep])
        return masks, labels

    @staticmethod
    def _sounding_matches(match_ids: Tensor, final: List,
                          raw_gt: List[InstanceData]) -> Tensor:
        """``match_ids`` ``[F, Q]`` (each query's matched instance id, -1:
        none) with -1 also where the matched instance is silent in its
        frame (``gt_instances.sounding`` False). Without ``sounding`` the
        ground truth holds only sounding objects, as AVISeg's does, and
        ``match_ids`` is returned as it is."""
        if not any('sounding' in gt for gt in raw_gt):
            return match_ids
        sound_ids = match_ids.clone()
        for i, (sr, gt) in enumerate(zip(final, raw_gt)):
            if 'sounding' not in gt:
                raise ValueError(
                    'SeaVISHead: gt_instances.sounding is set on some frames '
                    'of the batch and not on others')
            silent = ~gt.sounding.to(match_ids.device).bool()
            if len(sr.pos_inds) > 0:
                sound_ids[i, sr.pos_inds[silent[sr.pos_assigned_gt_inds]]] \
                    = -1
        return sound_ids

    def _loss_audio_cls(self, audio_emb: Tensor,
                        labels: List[Tensor]) -> Tensor:
        """BCE of the audio's per-category logits against the categories
        of each frame's sounding ground truth (only sounding objects are
        annotated: a frame's labels are what sounds in it)."""
        return self.sound_class_prior['loss_weight'] * category_tag_loss(
            self.audio_cls(audio_emb), labels)

    def loss_clip(self, cls_list: List[Tensor], mask_list: List[Tensor],
                  query_feat: Tensor, audio_emb: Optional[Tensor],
                  batch_data_samples: SampleList, num_clips: int,
                  clip_len: int,
                  piloted: Optional[PilotedQueries] = None,
                  mask_features: Optional[Tensor] = None,
                  hybrid: Optional[HybridQueries] = None
                  ) -> Dict[str, Tensor]:
        """Mask2Former losses on every frame plus AGCL on the clips.

        Args:
            cls_list, mask_list: per-layer outputs of :meth:`decode` on the
                ``num_clips * clip_len`` frames (clip-major order).
            query_feat (Tensor): final query features ``[N*T, Q, C]``.
            audio_emb (Tensor, optional): ``[N, T, C_a]``.
            batch_data_samples (list[DetDataSample]): the ``N*T`` frames,
                clip-major, with ``gt_instances`` (labels, masks,
                instances_ids).
            num_clips (int): N.
            clip_len (int): T.
            piloted (PilotedQueries, optional): decoded with the frames;
                adds its ``loss_pilot_*``.
            mask_features (Tensor, optional): ``[N*T, C, H, W]``, the
                features the frames were decoded from; with the query
                prior's ``votes`` they add ``loss_votes``, with
                ``sounding_seg`` ``loss_sounding_seg``.
            hybrid (HybridQueries, optional): decoded with the frames;
                adds the branch's ``o2m.*`` losses.
        """
        batch_img_metas = [s.metainfo for s in batch_data_samples]
        raw_gt = [s.gt_instances for s in batch_data_samples]
        batch_gt_instances = self.preprocess_gt(raw_gt,
                                                [None] * len(raw_gt))
        self._sampling_log = []
        losses = self.loss_by_feat(
            torch.stack(cls_list), torch.stack(mask_list), batch_gt_instances,
            batch_img_metas)
        sampling_log = self._sampling_log
        final = sampling_log[-len(batch_data_samples):]
        self._sampling_log = []
        drawn = self._last_drawn(mask_list[-1], batch_gt_instances)
        if self.loss_rival is not None:
            losses.update(
                self._loss_rival(mask_list, batch_gt_instances,
                                 sampling_log, drawn))
        if piloted is not None:
            losses.update(self.mask_piloting.loss(self, piloted))
        if hybrid is not None:
            # after the one-to-one losses took their matching from
            # _sampling_log; the branch's own matchings are not kept
            losses.update(
                self.hybrid.loss(self, hybrid, batch_gt_instances,
                                 batch_img_metas))
            self._sampling_log = []
        if self.query_loc is not None and self.query_loc.votes is not None:
            if mask_features is None:
                raise ValueError('SeaVISHead.loss_clip: the query prior\'s '
                                 'votes need mask_features')
            # the votes again (a 3x3 and a 1x1 conv): decode keeps its
            # return values, which every caller and the export share
            losses['loss_votes'] = self.query_loc.votes.loss(
                self.query_loc.pixel_votes(mask_features),
                [g.masks for g in batch_gt_instances])
        if self.sounding_seg is not None:
            if mask_features is None:
                raise ValueError('SeaVISHead.loss_clip: sounding_seg needs '
                                 'mask_features')
            losses['loss_sounding_seg'] = self.sounding_seg.loss(
                self.sounding_seg(mask_features),
                *self._sounding_gt(batch_gt_instances, raw_gt))
        if all(loss is None for loss in (
                self.loss_agcl_frame, self.loss_agcl_instance,
                self.loss_identity, self.loss_sound)):
            return losses

        num_queries = query_feat.shape[1]
        match_ids = query_feat.new_full((len(final), num_queries), -1,
                                        dtype=torch.long)
        frame_ids = [
            torch.as_tensor(gt.instances_ids, device=match_ids.device).long()
            for gt in raw_gt
        ]
        for i, (sr, ids) in enumerate(zip(final, frame_ids)):
            if len(sr.pos_inds) > 0:
                match_ids[i, sr.pos_inds] = ids[sr.pos_assigned_gt_inds]
        # the sounding losses' matches: with every visible object in the
        # ground truth (gt_instances.sounding), a query matched to a silent
        # one is a silent query; identity keeps every match
        sound_ids = self._sounding_matches(match_ids, final, raw_gt)
        clip_shape = (num_clips, clip_len, num_queries)
        if self.loss_identity is not None:
            id_embeds = self.identity_embeds(query_feat)
            extra = None
            if self.one_to_many and self.one_to_many['identity']:
                extra = self._extra_ids(drawn, match_ids,
                                        frame_ids).view(clip_shape)
            losses['loss_identity'] = self.loss_identity(
                id_embeds.view(*clip_shape, -1), match_ids.view(clip_shape),
                extra)
        if not self.with_audio_anchor:
            return losses
        embeds = self.instance_embeds(query_feat)
        anchors = self.audio_anchors(audio_emb.flatten(0, 1))
        if self.loss_sound is not None:
            sounding = sound_ids >= 0
            if self.loss_sound.targets == 'drawn':
                sounding = sounding | drawn_targets(
                    mask_list[-1],
                    self._sounding_gt(batch_gt_instances, raw_gt)[0],
                    self.loss_sound.drawn_iou)
            frame_audio = audio_emb.flatten(0, 1)
            losses['loss_sound'] = self.loss_sound(
                self.query_sound_logits(query_feat, embeds, frame_audio,
                                        anchors), sounding)
            if self.audio_cls is not None:
                losses['loss_audio_cls'] = self._loss_audio_cls(
                    frame_audio,
                    self._sounding_gt(batch_gt_instances, raw_gt)[1])
        if self.loss_agcl_frame is not None:
            losses['loss_agcl_frame'] = self.loss_agcl_frame(
                embeds, anchors, sound_ids >= 0)
        if self.loss_agcl_instance is not None:
            losses['loss_agcl_instance'] = self.loss_agcl_instance(
                embeds.view(*clip_shape, -1),
                anchors.view(num_clips, clip_len, -1),
                sound_ids.view(clip_shape))
        return losses

    # ------------------------------------------------------------------
    # inference
    # ------------------------------------------------------------------
    def postprocess_frame(self,
                          cls_pred: Tensor,
                          mask_pred: Tensor,
                          img_meta: dict,
                          score_floor: Optional[float] = None
                          ) -> InstanceData:
        """Per-query scores, labels and masks of one frame at the original
        image size.

        Args:
            cls_pred (Tensor): ``[Q, C+1]`` class logits (last = no object).
            mask_pred (Tensor): ``[Q, h, w]`` mask logits.
            img_meta (dict): with ``batch_input_shape``, ``img_shape`` and
                ``ori_shape``.
            score_floor (float, optional): only the queries whose class
                probability is above it are upsampled; the others get score 0
                and an empty mask. A query's score (class probability x mask
                quality) never exceeds its class probability, so with the
                tracker's ``score_thr`` as the floor the tracker sees the
                same candidates, scores and masks, and a 360p frame no
                longer upsamples the masks of the queries it would drop
                (docs/en/benchmarks.md, section 8). None upsamples every
                query, as mmdet's Mask2Former does.

        Returns:
            InstanceData: ``scores`` (class probability x mask quality, as
            Mask2Former scores instances), ``labels``, ``masks`` (bool,
            original size) for every query; with ``split_components``, also
            a row per extra component and ``query_index`` (the query of
            each row).
        """
        probs = F.softmax(cls_pred, dim=-1)[:, :-1]
        cls_scores, labels = probs.max(dim=-1)
        if self.split_components is not None:
            return self._postprocess_split(cls_scores, labels, mask_pred,
                                           img_meta, score_floor)
        if score_floor is None:
            binary, mask_scores = self._upsample_masks(
                mask_pred, img_meta, thr=self.mask_thr)
        else:
            keep = torch.nonzero(cls_scores > score_floor).squeeze(1)
            kept_binary, kept_scores = self._upsample_masks(
                mask_pred[keep], img_meta, thr=self.mask_thr)
            binary = kept_binary.new_zeros(
                (len(cls_scores), ) + tuple(kept_binary.shape[1:]))
            binary[keep] = kept_binary
            mask_scores = kept_scores.new_zeros(len(cls_scores))
            mask_scores[keep] = kept_scores
        return InstanceData(
            scores=cls_scores * mask_scores, labels=labels, masks=binary)

    def _postprocess_split(self, cls_scores: Tensor, labels: Tensor,
                           mask_pred: Tensor, img_meta: dict,
                           score_floor: Optional[float]) -> InstanceData:
        """:meth:`postprocess_frame` with ``split_components``: the masks
        of the upsampled queries are split into their large connected
        components (:func:`split_mask_components`); the first ``Q`` rows
        are the queries (score 0 and an empty mask for those under the
        floor, as without the split), then one row per extra component,
        with ``query_index`` naming each row's query."""
        num_queries = len(cls_scores)
        keep = torch.arange(num_queries, device=cls_scores.device) \
            if score_floor is None else \
            torch.nonzero(cls_scores > score_floor).squeeze(1)
        # only the kept queries' probabilities exist (a 360p frame would
        # otherwise hold every query's float map)
        probs = self._upsample_probs(mask_pred[keep], img_meta)
        parts, part_scores, part_query = split_mask_components(
            probs, probs > self.mask_thr, cls_scores[keep],
            **self.split_components)
        k = len(keep)
        masks = parts.new_zeros((num_queries + len(parts) - k, ) +
                                tuple(parts.shape[1:]))
        scores = part_scores.new_zeros(len(masks))
        masks[keep], scores[keep] = parts[:k], part_scores[:k]
        masks[num_queries:], scores[num_queries:] = parts[k:], part_scores[k:]
        query_index = torch.cat([
            torch.arange(num_queries, device=keep.device), keep[part_query[k:]]
        ])
        return InstanceData(
            scores=scores, labels=labels[query_index], masks=masks,
            query_index=query_index)

    @staticmethod
    def _upsample_probs(mask_pred: Tensor, img_meta: dict) -> Tensor:
        """Mask logits ``[n, h, w]`` to probabilities at the original image
        size (through the padded input, as mmdet's Mask2Former)."""
        pad_h, pad_w = img_meta['batch_input_shape']
        img_h, img_w = img_meta['img_shape'][:2]
        ori_h, ori_w = img_meta['ori_shape'][:2]
        if mask_pred.shape[0] == 0:  # interpolate refuses 0 channels
            return mask_pred.new_zeros((0, ori_h, ori_w))
        masks = F.interpolate(
            mask_pred.unsqueeze(0), size=(pad_h, pad_w), mode='bilinear',
            align_corners=False)[:, :, :img_h, :img_w]
        if (img_h, img_w) != (ori_h, ori_w):
            masks = F.interpolate(
                masks, size=(ori_h, ori_w), mode='bilinear',
                align_corners=False)
        return masks[0].sigmoid()

    @staticmethod
    def _upsample_masks(mask_pred: Tensor, img_meta: dict,
                        thr: float = 0.5) -> Tuple[Tensor, Tensor]:
        """Mask logits ``[n, h, w]`` to bool masks (probability above
        ``thr``) at the original image size and their mask quality (mean
        probability inside the mask)."""
        masks = SeaVISHead._upsample_probs(mask_pred, img_meta)
        binary = masks > thr
        mask_scores = (masks * binary).flatten(1).sum(1) / (
            binary.flatten(1).sum(1) + 1e-6)
        return binary, mask_scores
