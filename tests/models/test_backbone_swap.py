# Copyright (c) seavis_mm contributors. All rights reserved.
"""Any MMDetection / MMPretrain backbone swaps in from the seavis_mm scope."""
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest
import torch

from seavis_mm.registry import MODELS

from ._tiny import synthetic_batch, tiny_cfg


def _check(cfg):
    model = MODELS.build(cfg.model)
    model.init_weights()
    data = model.data_preprocessor(synthetic_batch(num_clips=1), True)
    losses = model.loss(**data)
    assert torch.isfinite(losses['loss_cls'])
    return model


def test_mmdet_resnet_prefixed():
    cfg = tiny_cfg()
    assert cfg.model.backbone.type == 'mmdet.ResNet'
    model = _check(cfg)
    assert type(model.backbone).__module__.startswith('mmdet.')


def _torchvision_importable() -> bool:
    if importlib.util.find_spec('torchvision') is None:
        return False
    try:
        import torchvision  # noqa: F401
    except Exception:  # CUDA-linked wheel beside a CPU torch
        return False
    return True


def test_mmdet_swin_transformer():
    cfg = tiny_cfg()
    cfg.model.backbone = dict(
        type='mmdet.SwinTransformer', embed_dims=16, depths=[1, 1, 1, 1],
        num_heads=[1, 2, 2, 4], window_size=4, out_indices=(0, 1, 2, 3))
    cfg.model.track_head.in_channels = [16, 32, 64, 128]
    model = _check(cfg)
    assert type(model.backbone).__name__ == 'SwinTransformer'


def build_convnext():
    """mmpretrain's ConvNeXt (tiny, no weights) in place of the ResNet,
    named from the seavis_mm scope; trains one step."""
    cfg = tiny_cfg()
    cfg.model.backbone = dict(
        type='mmpretrain.ConvNeXt',
        arch=dict(depths=[1, 1, 1, 1], channels=[16, 32, 64, 128]),
        out_indices=(0, 1, 2, 3),
        gap_before_final_norm=False)
    cfg.model.track_head.in_channels = [16, 32, 64, 128]
    model = _check(cfg)
    assert type(model.backbone).__module__.startswith('mmpretrain.')
    return model


# mmpretrain 1.2.0 imports torchvision when its models package loads. On the
# CPU stack used here (torch 2.13.0+cpu) no torchvision can import: PyPI's
# wheels are linked against libtorch_cuda and the CPU wheels live only on
# PyTorch's own index. Where torchvision imports (any CUDA install), this
# test runs.
@pytest.mark.skipif(
    not _torchvision_importable(),
    reason='mmpretrain needs torchvision, which has no CPU wheel on PyPI '
    'for torch 2.13.0+cpu (docs/en/get_started.md)')
def test_mmpretrain_convnext():
    build_convnext()


# Where torchvision can not import, ConvNeXt is built all the same: the only
# torchvision use on mmpretrain.models' import path is
# mmpretrain/models/utils/box_utils.py (``torchvision.ops.boxes``, box IoU for
# its multimodal grounding heads), which ConvNeXt never calls. A fresh
# interpreter gets a torchvision stub whose every attribute raises, so the
# real ConvNeXt code builds and trains while any real torchvision use would
# fail loudly.
_STUB_TORCHVISION = """
import importlib.machinery, sys, types
def stub(name):
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    def missing(attr):
        raise AttributeError(f'{name}.{attr}: torchvision is stubbed')
    module.__getattr__ = missing
    sys.modules[name] = module
    return module
tv, ops, boxes = (stub('torchvision'), stub('torchvision.ops'),
                  stub('torchvision.ops.boxes'))
tv.ops, ops.boxes = ops, boxes
from seavis_mm.utils import register_all_modules
register_all_modules()
from tests.models.test_backbone_swap import build_convnext
print(type(build_convnext().backbone).__module__)
"""


@pytest.mark.skipif(
    _torchvision_importable(),
    reason='torchvision imports: test_mmpretrain_convnext runs instead')
def test_mmpretrain_convnext_with_stubbed_torchvision():
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    proc = subprocess.run([sys.executable, '-c', _STUB_TORCHVISION],
                          cwd=root,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == \
        'mmpretrain.models.backbones.convnext'
