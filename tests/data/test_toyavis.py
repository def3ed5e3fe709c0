# Copyright (c) seavis_mm contributors. All rights reserved.
"""The ToyAVIS generator: layout, determinism, ground-truth rules, sounds,
and the mp4 export."""
import filecmp
import json
import os
import os.path as osp

import cv2
import numpy as np
import pycocotools.mask as mask_utils
import pytest
import soundfile as sf

from seavis_mm.datasets.toyavis import (_COLOURS_BGR, TOYAVIS_CLASSES,
                                        category_sound, export_video_mp4,
                                        generate_video, make_toyavis,
                                        mask_to_uncompressed_rle, video_names)
from seavis_mm.datasets.toyavis_v2 import CATEGORY_HUES, hue_distance


def test_layout_and_json(toyavis_root):
    for split, n in (('train', 4), ('val', 2)):
        with open(osp.join(toyavis_root, f'{split}.json')) as f:
            data = json.load(f)
        assert [c['name'] for c in data['categories']] == list(TOYAVIS_CLASSES)
        assert [c['id'] for c in data['categories']] == [1, 2, 3, 4, 5]
        assert len(data['videos']) == n
        for v in data['videos']:
            assert 8 <= v['length'] == len(v['file_names']) <= 20
            assert (v['height'], v['width']) == (128, 128)
            for fn in v['file_names']:
                img = cv2.imread(
                    osp.join(toyavis_root, split, 'JPEGImages', fn))
                assert img.shape == (128, 128, 3)
            name = v['file_names'][0].split('/')[0]
            info = sf.info(
                osp.join(toyavis_root, split, 'WAVAudios', name + '.wav'))
            assert info.samplerate == 16000 and info.channels == 1
            assert info.frames == 16000 * v['length']
        lengths = {v['id']: v['length'] for v in data['videos']}
        for a in data['annotations']:
            segs = a['segmentations']
            assert len(segs) == lengths[a['video_id']]
            assert any(s is not None for s in segs)
            for s, box, area in zip(segs, a['bboxes'], a['areas']):
                if s is None:
                    assert box is None and area is None
                    continue
                # Uncompressed RLE as the official YouTube-VIS JSON has it.
                assert isinstance(s['counts'], list)
                m = mask_utils.decode(mask_utils.frPyObjects(s, 128, 128))
                assert m.sum() == area >= 20
                ys, xs = np.nonzero(m)
                assert box == [
                    xs.min(),
                    ys.min(),
                    xs.max() - xs.min() + 1,
                    ys.max() - ys.min() + 1
                ]


def test_same_seed_same_bytes(tmp_path):
    a, b, c = (str(tmp_path / x) for x in 'abc')
    make_toyavis(a, train_videos=3, val_videos=1, seed=7)
    make_toyavis(b, train_videos=3, val_videos=1, seed=7)
    make_toyavis(c, train_videos=3, val_videos=1, seed=8)
    for split in ('train', 'val'):
        assert filecmp.cmp(osp.join(a, f'{split}.json'),
                           osp.join(b, f'{split}.json'),
                           shallow=False)
        for name in video_names(a, split):
            wav = osp.join(split, 'WAVAudios', name + '.wav')
            assert filecmp.cmp(osp.join(a, wav),
                               osp.join(b, wav),
                               shallow=False)
            frame = osp.join(split, 'JPEGImages', name, '00000.jpg')
            assert filecmp.cmp(osp.join(a, frame),
                               osp.join(b, frame),
                               shallow=False)
    with open(osp.join(a, 'train.json'), 'rb') as fa, \
            open(osp.join(c, 'train.json'), 'rb') as fc:
        assert fa.read() != fc.read()


def _shows_its_category(frame, vis, cat, style):
    """Does the visible part show the category's colour? v1: the colour
    itself; v2 (jittered, lit, blurred, noisy): the nearest category hue.
    None where too small or too washed out to tell."""
    if style == 'v1':
        mean = frame[vis].mean(0)
        return np.abs(mean - np.array(_COLOURS_BGR[cat])).max() < 45
    core = cv2.erode(vis.astype(np.uint8), np.ones((3, 3)))
    if core.sum() < 15:
        return None
    # hue of the median colour (a median of hues would wrap)
    px = np.median(frame[core > 0], 0).astype(np.float32) / 255
    h, s, _ = cv2.cvtColor(px.reshape(1, 1, 3), cv2.COLOR_BGR2HSV)[0, 0]
    if s < 0.25:
        return None
    return np.argmin(hue_distance(h, CATEGORY_HUES)) == cat


@pytest.mark.parametrize('style,variety', [('v1', 'normal'),
                                           ('v2', 'normal'),
                                           ('v2', 'high')])
def test_ground_truth_is_visible_and_sounding(style, variety):
    """Ground truth = visible and sounding, visible parts disjoint, same
    category sounds together, occlusion happens, and the visible part of an
    object shows its category's colour (v2: through light, blur, noise)."""
    rng = np.random.default_rng(3)
    n_vis_silent = n_multi = n_occluded = 0
    colour_checks = []
    for _ in range(12):
        video = generate_video(rng, style=style, variety=variety)
        frames, objects = video['frames'], video['objects']
        num_t = len(frames)
        assert len(video['audio']) == num_t * 16000
        assert np.abs(video['audio']).max() <= 0.95 + 1e-6
        assert 1 <= len(objects) <= 4
        for t in range(num_t):
            union = np.zeros((128, 128), int)
            sounding_visible = 0
            for o in objects:
                vis = o['visible'][t]
                union += vis
                if vis.any():
                    colour_checks.append(
                        _shows_its_category(frames[t], vis, o['category'],
                                            style))
                    sounding_visible += bool(o['sounding'][t])
                    n_vis_silent += not o['sounding'][t]
            assert union.max() <= 1  # visible parts never overlap
            n_multi += sounding_visible >= 2
        # Same-category objects sound together.
        for o1 in objects:
            for o2 in objects:
                if o1['category'] == o2['category']:
                    assert (o1['sounding'] == o2['sounding']).all()
        # Occlusion happens: some object shows less than its full shape.
        n_occluded += any(o['visible'][t].sum() == 0 for o in objects
                          for t in range(num_t))
    assert n_vis_silent > 10 and n_multi > 10 and n_occluded >= 1
    checked = [c for c in colour_checks if c is not None]
    assert len(checked) > 100
    if style == 'v1':
        assert all(checked)
    else:  # a few heavily blurred slivers may read as a neighbour's hue
        assert np.mean(checked) > 0.97


@pytest.mark.parametrize('cat,freq', [(0, 880), (2, 523), (4, 220)])
def test_category_sounds_have_their_pitch(cat, freq):
    y = category_sound(cat, np.random.default_rng(0), detune=0.0)
    assert y.shape == (16000, )
    spec = np.abs(np.fft.rfft(y))
    assert np.argmax(spec) == pytest.approx(freq, abs=8)


def test_siren_sweeps_and_drum_bursts():
    rng = np.random.default_rng(0)
    siren = category_sound(3, rng, 0.0)
    f_early = np.argmax(np.abs(np.fft.rfft(siren[:2000]))) * 8
    f_late = np.argmax(np.abs(np.fft.rfft(siren[-2000:]))) * 8
    assert 550 < f_early < 800 and 1050 < f_late < 1250
    drum = np.abs(category_sound(1, rng, 0.0))
    env = drum.reshape(50, 320).max(1)  # 20 ms blocks
    assert (env[::10] > 5 * env[5::10]).all()  # bursts every 0.2 s


def test_uncompressed_rle_round_trip():
    rng = np.random.default_rng(0)
    for first in (0, 1):
        m = (rng.random((7, 9)) > 0.5).astype(np.uint8)
        m[0, 0] = first
        rle = mask_to_uncompressed_rle(m)
        assert sum(rle['counts']) == 63
        back = mask_utils.decode(mask_utils.frPyObjects(rle, 7, 9))
        np.testing.assert_array_equal(back, m)


def test_export_mp4_has_video_and_audio(toyavis_root, tmp_path):
    import av
    name = video_names(toyavis_root, 'val')[0]
    with open(osp.join(toyavis_root, 'val.json')) as f:
        length = json.load(f)['videos'][0]['length']
    out = export_video_mp4(toyavis_root,
                           'val',
                           name,
                           str(tmp_path / 'v.mp4'),
                           fps_out=5)
    with av.open(out) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
        vs, aus = c.streams.video[0], c.streams.audio[0]
        assert vs.codec_context.name in ('h264', 'mpeg4')
        assert aus.codec_context.name == 'aac'
        assert aus.rate == 16000
        assert float(c.duration / 1e6) == pytest.approx(length, abs=0.15)
        n_video = sum(1 for _ in c.decode(video=0))
    assert n_video == 5 * length
    with av.open(out) as c:
        n_audio = sum(f.samples for f in c.decode(audio=0))
    assert n_audio / 16000 == pytest.approx(length, abs=0.15)


def test_extract_audio_round_trip(toyavis_root, tmp_path):
    """mp4 -> extract_audio.py -> the AVISeg layout again."""
    from .avis_data_helpers import load_tool
    main = load_tool('tools/dataset_converters/extract_audio.py').main
    name = video_names(toyavis_root, 'val')[0]
    with open(osp.join(toyavis_root, 'val.json')) as f:
        length = json.load(f)['videos'][0]['length']
    src = tmp_path / 'raw'
    os.makedirs(src)
    export_video_mp4(toyavis_root,
                     'val',
                     name,
                     str(src / 'clip.mp4'),
                     fps_out=10)
    out = str(tmp_path / 'out')
    main([
        str(src), out, '--split', 'test', '--frames-fps', '1', '--write-json',
        '--classes', 'toyavis'
    ])
    y, sr = sf.read(osp.join(out, 'test', 'WAVAudios', 'clip.wav'))
    assert sr == 16000 and abs(len(y) / sr - length) < 0.15
    orig, _ = sf.read(osp.join(toyavis_root, 'val', 'WAVAudios',
                               name + '.wav'))
    # AAC is lossy but keeps the signal (same loudness per second).
    n = min(len(y), len(orig))
    rms = [
        np.sqrt(np.mean(x[:n].reshape(-1, 16000)[:, 2000:-2000]**2, 1))
        for x in (y[:n // 16000 * 16000], orig[:n // 16000 * 16000])
    ]
    np.testing.assert_allclose(rms[0], rms[1], rtol=0.2, atol=0.01)
    frames = sorted(os.listdir(osp.join(out, 'test', 'JPEGImages', 'clip')))
    assert len(frames) == length
    with open(osp.join(out, 'test.json')) as f:
        js = json.load(f)
    assert js['videos'][0]['length'] == length
    assert js['videos'][0]['file_names'][0] == 'clip/00000.jpg'
    # The written layout loads as a test split (no annotations).
    from .avis_data_helpers import build, toy_dataset_cfg
    ds = build(toy_dataset_cfg(out, 'test', test_mode=True))
    assert ds.get_data_info(0)['video_length'] == length
