# Copyright (c) seavis_mm contributors. All rights reserved.
import math

import torch
import torch.nn.functional as F

from seavis_mm.models.losses import agcl_frame_loss, agcl_instance_loss
from seavis_mm.registry import MODELS


def test_frame_loss_hand_computed():
    # anchor p = [1, 0]; e1 = [1, 0] (sounding), e2 = [0, 1], e3 = [-1, 0]
    e = torch.tensor([[[1., 0.], [0., 1.], [-1., 0.]]], requires_grad=True)
    p = torch.tensor([[1., 0.]])
    pos = torch.tensor([[True, False, False]])
    loss = agcl_frame_loss(e, p, pos, temperature=1.0)
    expected = math.log(math.e + 1 + math.exp(-1)) - 1  # 0.4076
    assert abs(loss.item() - expected) < 1e-6
    loss.backward()
    g = e.grad[0]
    # gradient descent moves the positive towards the anchor (pull) and the
    # negatives away from it (push)
    assert (-g[0] @ p[0]) > 0
    assert (-g[1] @ p[0]) < 0 and (-g[2] @ p[0]) < 0


def test_frame_loss_temperature_and_weight():
    e = F.normalize(torch.randn(4, 6, 8), dim=-1)
    p = F.normalize(torch.randn(4, 8), dim=-1)
    pos = torch.zeros(4, 6, dtype=torch.bool)
    pos[0, 1] = pos[2, 3] = pos[2, 4] = True
    loss_fn = MODELS.build(
        dict(type='AGCLFrameLoss', temperature=0.5, loss_weight=2.0))
    # two frames with positives; frame 2 averages its two positives
    logits = torch.einsum('fqd,fd->fq', e, p) / 0.5

    def nce(f, i):
        neg = logits[f][~pos[f]]
        return torch.logsumexp(torch.cat([logits[f, i:i + 1], neg]),
                               0) - logits[f, i]

    expected = (nce(0, 1) + (nce(2, 3) + nce(2, 4)) / 2) / 2
    assert torch.allclose(loss_fn(e, p, pos), 2.0 * expected)


def test_frame_loss_no_positive_is_zero_with_grad():
    e = torch.randn(2, 3, 4, requires_grad=True)
    loss = agcl_frame_loss(e, torch.randn(2, 4),
                           torch.zeros(2, 3, dtype=torch.bool), 0.1)
    assert loss.item() == 0
    loss.backward()


def test_instance_loss_hand_computed():
    # one clip, 3 frames, 2 queries; instance 7 sounds in frames 0 (q0) and
    # 1 (q1) and is silent in frame 2
    e = torch.tensor([[[[1., 0.], [0., -1.]],
                       [[-1., 0.], [0., 1.]],
                       [[0.6, 0.8], [-1., 0.]]]], requires_grad=True)
    p = torch.tensor([[[1., 0.], [0.6, 0.8], [0., 1.]]])
    ids = torch.tensor([[[7, -1], [-1, 7], [-1, -1]]])
    loss = agcl_instance_loss(e, p, ids, temperature=1.0)
    # mean anchor of frames 0, 1: normalise([0.8, 0.4])
    a = (0.8 / math.sqrt(0.8), 0.4 / math.sqrt(0.8))
    s_pos1 = a[0]  # e[0,0] = [1, 0]
    s_pos2 = a[1]  # e[1,1] = [0, 1]
    # frame 2: the query most similar to mean([1,0],[0,1]) is [0.6, 0.8]
    s_neg = 0.6 * a[0] + 0.8 * a[1]
    l1 = math.log(math.exp(s_pos1) + math.exp(s_neg)) - s_pos1
    l2 = math.log(math.exp(s_pos2) + math.exp(s_neg)) - s_pos2
    assert abs(loss.item() - (l1 + l2) / 2) < 1e-5
    loss.backward()
    g = e.grad[0]
    anchor = torch.tensor(a)
    assert (-g[0, 0] @ anchor) > 0 and (-g[1, 1] @ anchor) > 0  # pulled
    assert (-g[2, 0] @ anchor) < 0  # the silent look-alike is pushed
    assert torch.all(g[2, 1] == 0)  # not selected: untouched


def test_instance_loss_skips_always_sounding():
    e = F.normalize(torch.randn(1, 2, 3, 4), dim=-1)
    ids = torch.tensor([[[1, -1, -1], [-1, 1, -1]]])  # sounds in every frame
    loss = agcl_instance_loss(e, F.normalize(torch.randn(1, 2, 4), dim=-1),
                              ids, 0.1)
    assert loss.item() == 0
