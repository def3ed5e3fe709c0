# Copyright (c) seavis_mm contributors. All rights reserved.
"""The per-frame network of SeaVIS as a module with flat tensor inputs and
outputs, which exporters and compilers take.

:meth:`SeaVIS.forward_frame` maps ``(img, audio, state)`` to
``(outputs, new_state)``, two dicts of tensors whose keys belong to the
model (the head's per-query outputs, the neck's stream state). They are
read from one probe call and kept in :class:`FrameSignature`, so that a
model that adds an output or changes its state exports without edits here.
"""
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

STATE_PREFIX = 'state.'
NEW_STATE_PREFIX = 'new_state.'


@dataclass
class FrameSignature:
    """Names and shapes of the flat inputs and outputs.

    Attributes:
        output_keys (list[str]): keys of ``outputs``, in graph order.
        state_keys (list[str]): keys of the stream state, in graph order.
        with_audio (bool): whether ``audio`` is an input.
        img_shape (list[int]): ``[1, 3, H, W]`` of the traced frame.
        audio_shape (list[int]): shape of the traced audio (or ``[]``).
        state_shapes (dict): shape per state key.
        state_dtypes (dict): dtype name per state key.
    """
    output_keys: List[str]
    state_keys: List[str]
    with_audio: bool
    img_shape: List[int]
    audio_shape: List[int] = field(default_factory=list)
    state_shapes: Dict[str, List[int]] = field(default_factory=dict)
    state_dtypes: Dict[str, str] = field(default_factory=dict)

    @property
    def input_names(self) -> List[str]:
        names = ['img'] + (['audio'] if self.with_audio else [])
        return names + [STATE_PREFIX + k for k in self.state_keys]

    @property
    def output_names(self) -> List[str]:
        return list(self.output_keys) + [
            NEW_STATE_PREFIX + k for k in self.state_keys
        ]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> 'FrameSignature':
        return cls(**data)

    def split_outputs(self, values: Sequence) -> Tuple[dict, dict]:
        """Flat graph outputs -> ``(outputs, new_state)`` dicts."""
        n = len(self.output_keys)
        if len(values) != n + len(self.state_keys):
            raise ValueError(
                f'the frame network returned {len(values)} tensors, its '
                f'signature has {n} outputs and {len(self.state_keys)} '
                'state tensors')
        return (dict(zip(self.output_keys, values[:n])),
                dict(zip(self.state_keys, values[n:])))


class FrameNetwork(nn.Module):
    """``SeaVIS.forward_frame`` with positional tensors in and a tuple out.

    Args:
        model (nn.Module): A SeaVIS model (eval mode).
        signature (FrameSignature): From :func:`probe_signature`.
    """

    def __init__(self, model: nn.Module, signature: FrameSignature) -> None:
        super().__init__()
        self.model = model
        self.signature = signature

    def forward(self, img: Tensor, *args: Tensor) -> Tuple[Tensor, ...]:
        sig = self.signature
        audio = args[0] if sig.with_audio else None
        state_vals = args[1:] if sig.with_audio else args
        state = dict(zip(sig.state_keys, state_vals))
        outputs, new_state = self.model.forward_frame(img, audio, state)
        return tuple(outputs[k] for k in sig.output_keys) + tuple(
            new_state[k] for k in sig.state_keys)


def probe_signature(model: nn.Module, img: Tensor, audio: Optional[Tensor],
                    state: Dict[str, Tensor]) -> FrameSignature:
    """Run ``forward_frame`` once and record what goes in and out.

    Raises:
        TypeError: ``forward_frame`` did not return two dicts of tensors,
            or the new state's keys differ from the state's.
    """
    with torch.no_grad():
        result = model.forward_frame(img, audio, state)
    if not (isinstance(result, tuple) and len(result) == 2
            and all(isinstance(d, dict) for d in result)):
        raise TypeError(
            f'{type(model).__name__}.forward_frame must return '
            '(outputs: dict, new_state: dict), got '
            f'{type(result).__name__}')
    outputs, new_state = result
    for where, d in (('outputs', outputs), ('new_state', new_state)):
        bad = [k for k, v in d.items() if not isinstance(v, Tensor)]
        if bad:
            raise TypeError(f'forward_frame {where} must hold tensors only; '
                            f'{bad} are not')
    if list(new_state) != list(state):
        raise TypeError(
            f'forward_frame returned state keys {list(new_state)} for '
            f'state keys {list(state)}: the state must keep its keys')
    return FrameSignature(
        output_keys=list(outputs),
        state_keys=list(state),
        with_audio=audio is not None,
        img_shape=list(img.shape),
        audio_shape=list(audio.shape) if audio is not None else [],
        state_shapes={k: list(v.shape)
                      for k, v in state.items()},
        state_dtypes={k: str(v.dtype).replace('torch.', '')
                      for k, v in state.items()})


def flat_inputs(signature: FrameSignature, img: Tensor,
                audio: Optional[Tensor],
                state: Dict[str, Tensor]) -> Tuple[Tensor, ...]:
    """``(img, audio, state)`` as the network's positional inputs."""
    missing = [k for k in signature.state_keys if k not in state]
    if missing:
        raise KeyError(f'the stream state has no {missing} (keys: '
                       f'{list(state)})')
    head = (img, audio) if signature.with_audio else (img, )
    return head + tuple(state[k] for k in signature.state_keys)
