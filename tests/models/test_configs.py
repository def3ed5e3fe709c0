# Copyright (c) seavis_mm contributors. All rights reserved.
"""Every config of the zoo parses, builds its model and its evaluator, and
names types that resolve from the seavis_mm scope."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from seavis_mm.registry import METRICS, MODELS
from tests._scripts import load_script

CONFIGS = sorted(
    glob.glob(
        osp.join(osp.dirname(__file__), '..', '..', 'configs', 'seavis',
                 '*.py')))


def test_config_basenames_unique():
    # mim finds a config by basename anywhere in the package
    all_configs = glob.glob(
        osp.join(osp.dirname(__file__), '..', '..', 'configs', '**', '*.py'),
        recursive=True)
    names = [osp.basename(p) for p in all_configs]
    assert len(names) == len(set(names))


def _mark(path):
    # the paper-scale models (R50 / Swin-L with full VGGish) take seconds to
    # build on 2 cores
    marks = [pytest.mark.slow] if 'aviseg' in osp.basename(path) else []
    return pytest.param(path, marks=marks, id=osp.basename(path))


@pytest.mark.parametrize('path', [_mark(p) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'seavis_mm'
    cfg.model.backbone.init_cfg = None  # no downloads here
    model = MODELS.build(cfg.model)
    assert model.num_classes == cfg.model.track_head.num_things_classes
    METRICS.build(cfg.test_evaluator)
    source = cfg.test_dataloader.dataset.audio_source
    if model.audio_encoder is not None:
        expected = 'VGGishFeatureProjector' if source == 'feat' \
            else 'VGGishAudioEncoder'
        assert type(model.audio_encoder).__name__ == expected


def _flat(cfg, prefix: str = '') -> dict:
    """A config (or a part) as {dotted key: value}."""
    out = {}
    for key, value in cfg.items():
        if isinstance(value, dict):
            out.update(_flat(value, f'{prefix}{key}.'))
        else:
            out[f'{prefix}{key}'] = value
    return out


def _diff(cfg, ref) -> dict:
    """What ``cfg`` sets differently from ``ref``: {key: value}."""
    a, b = _flat(cfg.to_dict()), _flat(ref.to_dict())
    return {k: a.get(k) for k in set(a) | set(b) if a.get(k) != b.get(k)}


SEAVIS_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'seavis')
# the zoo base (whose ablation rows the zoo of record has) and the default
# config, named where the zoo and the model index name them
_ZOO = load_script('tools/analysis_tools/collect_zoo.py')
ZOO_BASE, DEFAULT = _ZOO.ZOO_BASE, _ZOO.DEFAULT
# session 35's default: the zoo base with the tagger's head and mask position
TAGGER_MASK_POS = _ZOO.TAGGER_MASK_POS


@pytest.mark.parametrize('part', [
    'no-identity', 'no-negfix', 'no-silent-frames',
    'audio-stream_no-past-audio', 'audio-stream_one-audio-token',
    'old-tracker', 'no-sound-prob'
])
def test_default_ablations_change_what_the_scratch_ablations_change(part):
    """Each ablation row of the default recipe turns off its part exactly
    as the from-scratch zoo's ablation of that part does, and nothing else
    (w/o the sounding probability also drops the sound-class prior, which
    adds to that probability and which the from-scratch base has not)."""
    def load(name):
        return Config.fromfile(osp.join(SEAVIS_DIR, name + '.py'))

    got = _diff(load(f'{ZOO_BASE}_{part}'), load(ZOO_BASE))
    want = _diff(load(f'seavis_r18_toyavis_{part}'),
                 load('seavis_r18_toyavis'))
    assert want
    if part == 'no-sound-prob':
        assert got.pop('model.track_head.sound_class_prior.loss_weight') \
            is None
    assert got == want


def test_default_ablation_of_the_sound_class_prior():
    cfg = Config.fromfile(
        osp.join(SEAVIS_DIR, f'{ZOO_BASE}_no-sound-class-prior.py'))
    ref = Config.fromfile(osp.join(SEAVIS_DIR, f'{ZOO_BASE}.py'))
    assert ref.model.track_head.sound_class_prior.loss_weight == 1.0
    assert cfg.model.track_head.sound_class_prior is None
    assert _diff(cfg, ref) == {
        'model.track_head.sound_class_prior.loss_weight': None
    }


# what the tagger-prior variant sets: the prior's classifier is the
# tagger's one Linear, loaded from its checkpoint
TAGGER_PRIOR = {
    'model.track_head.sound_class_prior.num_layers': 1,
    'model.track_head.sound_class_prior.init_cfg.type': 'Pretrained',
    'model.track_head.sound_class_prior.init_cfg.checkpoint':
    'work_dirs/audio_tagger/audio-tagger_toyavis/iter_600.pth',
    'model.track_head.sound_class_prior.init_cfg.prefix': 'cls_head.',
}


@pytest.mark.parametrize('name,want', [
    (f'{ZOO_BASE}_tagger-prior', TAGGER_PRIOR),
    (f'{ZOO_BASE}_mask-pos', {'model.track_head.mask_pos_embed': True}),
    (TAGGER_MASK_POS, dict(TAGGER_PRIOR,
                           **{'model.track_head.mask_pos_embed': True})),
    ('seavis_r18_toyavis_audio-visual-pretrained-large4x_train-large', {
        'load_from': 'work_dirs/visual_pretrain/'
        'mask2former_r18_toyavis-pretrain_large4x/iter_1200.pth'
    }),
])
def test_session_35_variants_change_only_their_parts(name, want):
    """The rows measured against the zoo base in session 35 change only
    their part (the tagger's head as the prior; position in the mask
    features; both, the default of session 35; a visual start pretrained
    longer)."""
    cfg = Config.fromfile(osp.join(SEAVIS_DIR, name + '.py'))
    ref = Config.fromfile(osp.join(SEAVIS_DIR, f'{ZOO_BASE}.py'))
    assert _diff(cfg, ref) == want


@pytest.mark.parametrize('start', ['large4x', 'large5x'])
def test_session_36_longer_starts_change_only_the_start(start):
    """Session 35's default from the longer visual starts (session 36; the
    large5x one is the default config) differs from it only in the
    checkpoint it loads."""
    name = TAGGER_MASK_POS.replace('large3x', start)
    if start == 'large5x':
        assert name == DEFAULT
    cfg = Config.fromfile(osp.join(SEAVIS_DIR, name + '.py'))
    ref = Config.fromfile(osp.join(SEAVIS_DIR, f'{TAGGER_MASK_POS}.py'))
    assert _diff(cfg, ref) == {
        'load_from': 'work_dirs/visual_pretrain/'
        f'mask2former_r18_toyavis-pretrain_{start}/iter_1200.pth'
    }


@pytest.mark.parametrize('base,start', [
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-{}_train-large',
     'large4x'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-{}_train-large',
     'large5x'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained-{}_train-large',
     'large5x'),
])
def test_longer_visual_start_baseline_matches_its_seavis_row(base, start):
    """The baselines from the longer visual starts differ from the zoo
    base's baselines only in that start, as the SeaVIS rows do."""
    def load(name):
        return Config.fromfile(osp.join(SEAVIS_DIR, name + '.py'))

    got = _diff(load(base.format(start)), load(base.format('large3x')))
    assert got == {
        'load_from': 'work_dirs/visual_pretrain/'
        f'mask2former_r18_toyavis-pretrain_{start}/iter_1200.pth'
    }
