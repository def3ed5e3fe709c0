# Copyright (c) seavis_mm contributors. All rights reserved.
"""AudioTagger: the segmentation model's audio encoder alone, tagging the
categories that sound in each frame."""
import pytest
import torch
import torch.nn.functional as F

from seavis_mm.models import AudioTagger
from ._tiny import synthetic_batch, tiny_cfg


def _tagger():
    torch.manual_seed(0)
    return AudioTagger(audio_encoder=tiny_cfg().model.audio_encoder,
                       num_classes=5)


def test_targets_loss_and_predict():
    model = _tagger()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    # two clips of 3 frames: labels 1 and 3 at even frames, 1 at odd ones
    target = model.targets(data['data_samples'])
    even, odd = [0, 1, 0, 1, 0], [0, 1, 0, 0, 0]
    assert target.tolist() == [even, odd, even] * 2
    logits = model(**data, mode='tensor')
    assert logits.shape == (6, 5)
    loss = model(**data, mode='loss')['loss_tag']
    assert torch.allclose(
        loss, F.binary_cross_entropy_with_logits(logits, target))
    loss.backward()
    grads = [p.grad for p in model.audio_encoder.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    frames = model(**data, mode='predict')
    assert len(frames) == 6
    assert torch.allclose(frames[1].pred_score, logits[1].sigmoid())


def test_bad_labels_and_mode():
    model = _tagger()
    batch = synthetic_batch(labels=(1, 7))
    data = model.data_preprocessor(batch, training=True)
    with pytest.raises(ValueError, match='label 7 in frame 0.*num_classes'):
        model(**data, mode='loss')
    with pytest.raises(ValueError, match='unknown mode'):
        model(**data, mode='nope')
