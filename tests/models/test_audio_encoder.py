# Copyright (c) seavis_mm contributors. All rights reserved.
import pytest
import torch
from mmengine.runner import load_checkpoint

from seavis_mm.registry import MODELS


def _vggish_port_state_dict(seed=0):
    """A state dict in the layout of the PyTorch port of VGGish
    (features.{0,3,6,8,11,13}, embeddings.{0,2,4}), made here since no
    weights can be downloaded."""
    g = torch.Generator().manual_seed(seed)
    sd = {}
    convs = [(0, 1, 64), (3, 64, 128), (6, 128, 256), (8, 256, 256),
             (11, 256, 512), (13, 512, 512)]
    for idx, cin, cout in convs:
        sd[f'features.{idx}.weight'] = torch.randn(cout, cin, 3, 3,
                                                   generator=g) * 0.01
        sd[f'features.{idx}.bias'] = torch.randn(cout, generator=g) * 0.01
    fcs = [(0, 512 * 4 * 6, 4096), (2, 4096, 4096), (4, 4096, 128)]
    for idx, cin, cout in fcs:
        sd[f'embeddings.{idx}.weight'] = torch.randn(cout, cin,
                                                     generator=g) * 0.01
        sd[f'embeddings.{idx}.bias'] = torch.randn(cout, generator=g) * 0.01
    return sd


def test_vggish_shapes_small_variant():
    enc = MODELS.build(
        dict(type='VGGishAudioEncoder', channels=(8, 8, 16, 16, 32, 32),
             fc_dims=(64, 32)))
    out = enc(torch.randn(2, 5, 1, 96, 64))
    assert out.shape == (2, 5, 32)
    with pytest.raises(ValueError, match=r'\[\*, 1, 96, 64\]'):
        enc(torch.randn(2, 1, 64, 96))


def test_vggish_loads_port_checkpoint_as_is(tmp_path):
    sd = _vggish_port_state_dict()
    ckpt = tmp_path / 'vggish.pth'
    torch.save(sd, ckpt)
    enc = MODELS.build(
        dict(type='VGGishAudioEncoder',
             init_cfg=dict(type='Pretrained', checkpoint=str(ckpt))))
    enc.init_weights()
    for k, v in sd.items():
        assert torch.equal(enc.state_dict()[k], v), k
    # also loadable with mmengine's loader directly, strictly
    enc2 = MODELS.build(dict(type='VGGishAudioEncoder'))
    load_checkpoint(enc2, str(ckpt), strict=True)
    x = torch.randn(3, 1, 96, 64)
    assert torch.allclose(enc(x), enc2(x))
    # the port flattens in (H, W, C) order: check against a hand-written
    # forward in that order
    with torch.no_grad():
        h = enc.features(x)
        ref = enc.embeddings(h.permute(0, 2, 3, 1).reshape(3, -1))
    assert torch.allclose(enc(x), ref)


def test_vggish_frozen():
    enc = MODELS.build(
        dict(type='VGGishAudioEncoder', channels=(8, 8, 16, 16, 32, 32),
             fc_dims=(64, 32), frozen=True))
    enc.init_weights()
    enc.train()
    assert not enc.training
    assert all(not p.requires_grad for p in enc.parameters())


def test_feature_projector():
    proj = MODELS.build(dict(type='VGGishFeatureProjector', out_channels=64))
    assert proj(torch.randn(2, 7, 128)).shape == (2, 7, 64)
    with pytest.raises(ValueError, match='128'):
        proj(torch.randn(2, 64))


@pytest.mark.parametrize('grid,num', [(None, 24), ((2, 4), 8)])
def test_vggish_cell_tokens(grid, num):
    """'cells': the last conv map's time-frequency cells, one token each,
    from the same conv pass as the embedding (which is unchanged)."""
    enc = MODELS.build(
        dict(type='VGGishAudioEncoder', channels=(8, 8, 16, 16, 32, 32),
             fc_dims=(64, 32), tokens='cells', cell_grid=grid))
    assert enc.num_tokens == num and enc.token_channels == 32
    x = torch.randn(2, 5, 1, 96, 64)
    emb, tokens = enc.forward_tokens(x)
    assert emb.shape == (2, 5, 32) and tokens.shape == (2, 5, num, 32)
    assert torch.allclose(emb, enc(x))
    with torch.no_grad():
        fmap = enc.features(x[1, 2:3])  # [1, 32, 6, 4], time x frequency
    # one patch against a batch of ten: the CPU convolution may pick another
    # algorithm for each, so they agree to float rounding, not bit for bit
    tol = dict(rtol=1e-4, atol=1e-6)
    if grid is None:
        # time-major: token 4 * i + j is the cell (time i, frequency j)
        assert torch.allclose(tokens[1, 2, 4 * 3 + 1], fmap[0, :, 3, 1],
                              **tol)
    else:
        assert torch.allclose(tokens[1, 2, 0],
                              fmap[0, :, :3, :1].mean((1, 2)), **tol)
    # a frame's tokens come from its own patch only
    x2 = x.clone()
    x2[:, 3:] = torch.randn_like(x2[:, 3:])
    assert torch.equal(enc.forward_tokens(x2)[1][:, :3], tokens[:, :3])
    with pytest.raises(ValueError, match='tokens'):
        MODELS.build(dict(type='VGGishAudioEncoder', tokens='grid'))


def test_pooled_tokens_are_the_embedding():
    for cfg in (dict(type='VGGishAudioEncoder', channels=(8, 8, 16, 16, 32,
                                                           32),
                     fc_dims=(64, 32)),
                dict(type='VGGishFeatureProjector', in_channels=16,
                     out_channels=32)):
        enc = MODELS.build(cfg)
        x = torch.randn(2, 3, 1, 96, 64) if 'channels' in cfg else \
            torch.randn(2, 3, 16)
        emb, tokens = enc.forward_tokens(x)
        assert enc.num_tokens == 1 and enc.token_channels == 32
        assert tokens.shape == (2, 3, 1, 32)
        assert torch.equal(tokens[:, :, 0], emb)
