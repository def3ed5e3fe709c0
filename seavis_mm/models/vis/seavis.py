# Copyright (c) seavis_mm contributors. All rights reserved.
"""The SeaVIS model: wires the registered parts, holds no maths of its own.

Training runs on T-frame clips (CCAF with a causal mask, Mask2Former losses
and AGCL in the head). Inference is online: :meth:`SeaVIS.predict_frame` takes
one frame and its audio, keeps the stream's state (CCAF's audio history, the
tracker's memory) and resets it at ``frame_id == 0``, like mmdet's online
trackers (``mot/qdtrack.py``). :meth:`SeaVIS.predict` on a whole video is a
loop over :meth:`predict_frame`, and the streaming inferencer calls the same
function one frame at a time, so what is evaluated is what users run.

A frame is two steps: :meth:`SeaVIS.forward_frame`, the network, pure
(``(img, audio, state) -> (outputs, new_state)``, the audio history passed
explicitly), which is what is exported to ONNX or compiled
(:mod:`seavis_mm.deployment`); and :meth:`SeaVIS.track_frame`,
post-processing and the tracker in Python, shared by every backend.
"""
from typing import Callable, Dict, List, Optional, Tuple

import torch
from mmdet.models.mot import BaseMOTModel
from mmdet.structures import TrackSampleList
from mmdet.structures.det_data_sample import DetDataSample
from mmengine.structures import InstanceData
from torch import Tensor

from seavis_mm.models.audio_encoders import encode_audio_tokens
from seavis_mm.models.layers import MSDA_IMPLS, msda_implementation
from seavis_mm.registry import MODELS


@MODELS.register_module()
class SeaVIS(BaseMOTModel):
    """Online audio-visual instance segmentation.

    Args:
        backbone (dict): Any MMDetection / MMPretrain backbone returning
            multi-level features (``mmdet.ResNet``,
            ``mmpretrain.ConvNeXt``, ...).
        track_head (dict): :class:`SeaVISHead` config.
        tracker (dict): :class:`SoundAwareTracker` config.
        audio_encoder (dict, optional): :class:`VGGishAudioEncoder` (wav) or
            :class:`VGGishFeatureProjector` (released features); None for an
            audio-blind model.
        neck (dict, optional): :class:`CCAF`, between pixel decoder and
            transformer decoder.
        audio_fusion (dict, optional): fusion on the backbone levels
            (:class:`FiLMFusion`, the naive baseline).
        data_preprocessor (dict, optional): :class:`AVISDataPreprocessor`.
        msda_impl (str): How the pixel decoder's multi-scale deformable
            attention runs on a CPU: ``'mmcv'`` (mmcv's ``grid_sample``
            path) or ``'gather'`` (one weighted gather over all levels and
            heads, same values within 1e-5, 3-4x faster on a CPU;
            :mod:`seavis_mm.models.layers.msda`; gradients equal too, so
            training uses it). GPUs use mmcv's CUDA kernel either way.
            Defaults to ``'gather'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 track_head: dict,
                 tracker: dict,
                 audio_encoder: Optional[dict] = None,
                 neck: Optional[dict] = None,
                 audio_fusion: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 msda_impl: str = 'gather',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if msda_impl != 'mmcv' and msda_impl not in MSDA_IMPLS:
            raise ValueError(f"SeaVIS: msda_impl must be 'mmcv' or one of "
                             f'{sorted(MSDA_IMPLS)}, got {msda_impl!r}')
        self.msda_impl = msda_impl
        self.backbone = MODELS.build(backbone)
        self.track_head = MODELS.build(track_head)
        self.tracker = MODELS.build(tracker)
        self.audio_encoder = MODELS.build(audio_encoder) \
            if audio_encoder else None
        self.neck = MODELS.build(neck) if neck else None
        self.audio_fusion = MODELS.build(audio_fusion) \
            if audio_fusion else None
        if self.audio_encoder is None and (self.neck or self.audio_fusion
                                           or self.track_head
                                           .with_audio_anchor):
            raise ValueError('SeaVIS: neck / audio_fusion / audio anchors '
                             'need an audio_encoder')
        self.num_classes = self.track_head.num_classes

    @property
    def with_audio(self) -> bool:
        return self.audio_encoder is not None

    # ------------------------------------------------------------------
    # shared pieces
    # ------------------------------------------------------------------
    def _encode_audio(
            self, inputs: dict) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        """``[N, T, ...]`` audio -> ``[N, T, C_a]`` embeddings and
        ``[N, T, M, C_t]`` CCAF tokens (or None, None)."""
        if not self.with_audio:
            return None, None
        if inputs.get('audio') is None:
            raise ValueError(
                'This model uses audio but the batch has none: the pipeline '
                'must contain LoadAudioWindows and PackAVISInputs')
        return encode_audio_tokens(self.audio_encoder, inputs['audio'])

    def _past_audio(self, inputs: dict) -> dict:
        """CCAF's keys from the audio before each clip: the last
        ``neck.past_audio_frames`` of ``past_audio`` ``[N, P, ...]`` (with
        ``past_audio_valid`` ``[N, P]``), which
        ``LoadAudioWindows(past_audio_frames=P)`` adds; none when either is
        off. The encoder runs on them without gradient (the clip's own
        frames train it; this halves the past's cost), CCAF's projection
        of them is trained."""
        num = getattr(self.neck, 'past_audio_frames', 0)
        if not num or inputs.get('past_audio') is None:
            return {}
        valid = inputs.get('past_audio_valid')
        with torch.no_grad():
            past = encode_audio_tokens(self.audio_encoder,
                                       inputs['past_audio'][:, -num:])[1]
        return dict(
            past_audio=past,
            past_valid=valid[:, -num:] if valid is not None else None)

    def _visual(self, imgs: Tensor, audio_emb: Optional[Tensor]
                ) -> Tuple[Tensor, List[Tensor]]:
        """Backbone (+ FiLM) + pixel decoder on ``[B, 3, H, W]``."""
        feats = self.backbone(imgs)
        if self.audio_fusion is not None:
            feats = self.audio_fusion(feats, audio_emb)
        with msda_implementation(self.msda_impl):
            return self.track_head.pixel_decode(feats)

    # ------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------
    def loss(self, inputs: dict, data_samples: TrackSampleList,
             **kwargs) -> Dict[str, Tensor]:
        """Losses on a batch of T-frame clips.

        Args:
            inputs (dict): ``imgs`` ``[N, T, 3, H, W]`` and ``audio``
                ``[N, T, 1, 96, 64]`` or ``[N, T, 128]``; optionally the P
                frames before each clip, ``past_audio`` ``[N, P, ...]`` and
                ``past_audio_valid`` ``[N, P]``.
            data_samples (list[TrackDataSample]): N clips of T frames.
        """
        imgs = inputs['imgs']
        if imgs.dim() != 5:
            raise ValueError('SeaVIS.loss expects imgs [N, T, C, H, W], got '
                             f'{tuple(imgs.shape)}')
        num_clips, clip_len = imgs.shape[:2]
        audio_emb, audio_tokens = self._encode_audio(inputs)
        flat_audio = audio_emb.flatten(0, 1) if audio_emb is not None \
            else None
        mask_features, memorys = self._visual(imgs.flatten(0, 1), flat_audio)
        if self.neck is not None:
            memorys, mask_features = self.neck.forward_clip(
                memorys, mask_features, audio_tokens,
                **self._past_audio(inputs))
        mask_features = self.track_head.refine_mask_features(
            mask_features, imgs.flatten(0, 1))
        frames = [frame for clip in data_samples for frame in clip]
        piloted = self.track_head.piloted_queries(frames, memorys)
        hybrid = self.track_head.hybrid_queries(len(frames))
        # every layer's masks: the deep supervision (in eval mode too)
        cls_list, mask_list, query_feat = self.track_head.decode(
            mask_features, memorys, all_masks=True, piloted=piloted,
            hybrid=hybrid)
        return self.track_head.loss_clip(cls_list, mask_list, query_feat,
                                         audio_emb, frames, num_clips,
                                         clip_len, piloted, mask_features,
                                         hybrid)

    # ------------------------------------------------------------------
    # online inference
    # ------------------------------------------------------------------
    def reset_stream(self) -> None:
        """Start a new stream: clear the audio history and the tracks."""
        self.tracker.reset()
        if self.neck is not None:
            self.neck.reset_stream()

    @property
    def stream_state(self) -> Optional[Dict[str, Tensor]]:
        """The state :meth:`predict_frame` carries to the next frame (None
        at a stream's start and without a neck). Setting it resumes a
        stream from a state (e.g. one a backend or another process
        computed)."""
        return self.neck.stream_state if self.neck is not None else None

    @stream_state.setter
    def stream_state(self, state: Optional[Dict[str, Tensor]]) -> None:
        if self.neck is not None:
            # held by the neck, so that its cache_len, push_audio and
            # forward_stream see the same history
            self.neck._state = state

    def init_state(self, device=None) -> Dict[str, Tensor]:
        """The stream state at a stream's first frame: CCAF's audio
        history, empty (``{}`` without a neck). Fixed-shape tensors, so an
        exported :meth:`forward_frame` carries them as inputs/outputs."""
        if self.neck is None:
            return {}
        return self.neck.init_state(1, device)

    def _encode_frame_audio(self, audio: Optional[Tensor], where: str
                            ) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        if not self.with_audio:
            return None, None
        if audio is None:
            raise ValueError(f'This model uses audio; {where} got none')
        return encode_audio_tokens(self.audio_encoder, audio)

    def forward_frame(self, img: Tensor, audio: Optional[Tensor],
                      state: Dict[str, Tensor]
                      ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        """The per-frame network: pure (reads no held state, changes
        nothing) and traceable, what ``tools/deployment/pytorch2onnx.py``
        exports.

        Args:
            img (Tensor): ``[1, 3, H, W]`` preprocessed frame.
            audio (Tensor, optional): the frame's own audio
                ``[1, 1, 96, 64]`` or ``[1, 128]`` (None for audio-blind
                models).
            state (dict[str, Tensor]): the stream state
                (:meth:`init_state` at a stream's first frame, then the
                previous frame's ``new_state``).

        Returns:
            tuple: ``outputs`` (``cls_logits`` ``[Q, C+1]``, ``mask_logits``
            ``[Q, h, w]``, ``embeds`` ``[Q, D]``; with audio anchors
            ``anchor`` ``[D]``; with an identity embedding ``id_embeds``
            ``[Q, D_id]``; with a sounding probability ``sound_logits``
            ``[Q]``, see :meth:`SeaVISHead.query_outputs`) and ``new_state``
            (same keys as ``state``).
        """
        audio_emb, audio_tokens = self._encode_frame_audio(
            audio, 'forward_frame')
        mask_features, memorys = self._visual(img, audio_emb)
        if self.neck is not None:
            memorys, mask_features, state = self.neck.forward_state(
                memorys, mask_features, audio_tokens, state)
        mask_features = self.track_head.refine_mask_features(
            mask_features, img)
        cls_list, mask_list, query_feat = self.track_head.decode(
            mask_features, memorys)
        outputs = dict(
            cls_logits=cls_list[-1][0], mask_logits=mask_list[-1][0])
        for key, value in self.track_head.query_outputs(
                query_feat, audio_emb).items():
            outputs[key] = value[0]
        return outputs, state

    def track_frame(self, outputs: Dict[str, Tensor],
                    data_sample: DetDataSample) -> InstanceData:
        """Post-processing and the tracker on :meth:`forward_frame`'s
        ``outputs`` (Python, shared by every backend).

        Returns:
            InstanceData: ``masks`` (bool, original size), ``labels``,
            ``scores``, ``instances_id``, ``sound_scores`` of the instances
            output at this frame.
        """
        meta = data_sample.metainfo
        # only the queries that can pass the tracker's score threshold are
        # upsampled (exact: see SeaVISHead.postprocess_frame)
        per_query = self.track_head.postprocess_frame(
            outputs['cls_logits'], outputs['mask_logits'], meta,
            score_floor=getattr(self.tracker, 'score_thr', None))
        # a query split into mask components (SeaVISHead split_components)
        # gives each component its embeddings
        rows = per_query.get('query_index')

        def per_row(x: Optional[Tensor]) -> Optional[Tensor]:
            return x if x is None or rows is None else x[rows]

        sound_logits = outputs.get('sound_logits')
        return self.tracker.track(
            frame_id=meta.get('frame_id', -1),
            embeds=per_row(outputs['embeds']),
            scores=per_query.scores,
            labels=per_query.labels,
            masks=per_query.masks,
            audio_anchor=outputs.get('anchor'),
            id_embeds=per_row(outputs.get('id_embeds')),
            sound_probs=None
            if sound_logits is None else per_row(sound_logits.sigmoid()))

    def _held_state(self, like: Tensor) -> Dict[str, Tensor]:
        state = self.stream_state
        return self.init_state(like.device) if state is None else state

    def observe_audio(self, audio: Tensor) -> None:
        """Push one frame's audio into the held history without any visual
        work (a live frame dropped for lack of time still enters the audio
        history).

        Args:
            audio (Tensor): the frame's audio ``[1, 1, 96, 64]`` or
                ``[1, 128]``.
        """
        _, audio_tokens = self._encode_frame_audio(audio, 'observe_audio')
        if self.neck is not None:
            self.neck.push_audio(audio_tokens)

    def predict_frame(self,
                      img: Tensor,
                      audio: Optional[Tensor],
                      data_sample: DetDataSample,
                      frame_forward: Optional[Callable] = None
                      ) -> InstanceData:
        """Segment, classify and track the sounding instances of one frame:
        reset at ``frame_id == 0``, :meth:`forward_frame` on the held
        state, :meth:`track_frame`.

        Args:
            img (Tensor): ``[1, 3, H, W]`` preprocessed frame.
            audio (Tensor, optional): the frame's own audio ``[1, 1, 96, 64]``
                or ``[1, 128]`` (None for audio-blind models).
            data_sample (DetDataSample): the frame's metainfo
                (``frame_id``, ``img_shape``, ``ori_shape``,
                ``batch_input_shape``).
            frame_forward (callable, optional): computes
                :meth:`forward_frame` another way (a backend of
                :mod:`seavis_mm.deployment`: ONNX Runtime,
                ``torch.compile``); default this model's.

        Returns:
            InstanceData: ``masks`` (bool, original size), ``labels``,
            ``scores``, ``instances_id``, ``sound_scores`` of the instances
            output at this frame.
        """
        if data_sample.metainfo.get('frame_id', -1) == 0:
            self.reset_stream()
        if self.with_audio and audio is None:
            raise ValueError('This model uses audio; predict_frame got none')
        forward = frame_forward or self.forward_frame
        outputs, self.stream_state = forward(img, audio,
                                             self._held_state(img))
        return self.track_frame(outputs, data_sample)

    def predict(self,
                inputs: dict,
                data_samples: TrackSampleList,
                rescale: bool = True,
                frame_forward: Optional[Callable] = None) -> TrackSampleList:
        """Online inference over one video (or one frame of a stream).

        Args:
            inputs (dict): ``imgs`` ``[1, T, 3, H, W]`` (+ ``audio``).
            data_samples (list[TrackDataSample]): one video of T frames.
            rescale (bool): kept for mmdet's interface; masks are always at
                the original image size.
            frame_forward (callable, optional): see :meth:`predict_frame`.

        Returns:
            list[TrackDataSample]: each frame with ``pred_track_instances``.
        """
        if len(data_samples) != 1:
            raise ValueError('SeaVIS.predict runs one video (batch size 1) '
                             f'at a time, got {len(data_samples)}')
        imgs = inputs['imgs'][0]
        audio = inputs.get('audio')
        audio = audio[0] if audio is not None else None
        track_sample = data_samples[0]
        for t in range(len(track_sample)):
            frame_audio = audio[t:t + 1] if audio is not None else None
            track_sample[t].pred_track_instances = self.predict_frame(
                imgs[t:t + 1], frame_audio, track_sample[t], frame_forward)
        return [track_sample]
