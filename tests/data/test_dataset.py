# Copyright (c) seavis_mm contributors. All rights reserved.
"""AVISegDataset: parsing the raw AVISeg JSON, and every kind of bad input."""
import json
import os
import os.path as osp
import warnings

import numpy as np
import pycocotools.mask as mask_utils
import pytest
import soundfile as sf
from .avis_data_helpers import build, mini_video, toy_dataset_cfg, write_mini

from seavis_mm.datasets import AVISDataError
from seavis_mm.datasets.audio import SILENCE_LOGMEL, AudioLoadError
from seavis_mm.datasets.transforms import AudioFallbackWarning
from seavis_mm.datasets.transforms.loading import _WARNED


@pytest.fixture(autouse=True)
def _fresh_warnings():
    _WARNED.clear()
    yield
    _WARNED.clear()


AUDIO_ONLY = [dict(type='LoadAudioWindows'), dict(type='PackAVISInputs')]


def test_loads_generated_toyavis(toyavis_root):
    ds = build(toy_dataset_cfg(toyavis_root, 'train'))
    with open(osp.join(toyavis_root, 'train.json')) as f:
        raw = json.load(f)
    assert len(ds) == 4
    assert ds.metainfo['classes'][0] == 'bell'
    assert ds.metainfo['cat_ids'] == [1, 2, 3, 4, 5]
    n_frames = sum(v['length'] for v in raw['videos'])
    assert ds.num_all_imgs == n_frames  # silent frames are kept
    anns = {a['id']: a for a in raw['annotations']}
    n_inst = n_empty = 0
    img_ids = set()
    for i in range(len(ds)):
        video = ds.get_data_info(i)
        assert video['video_length'] == len(video['images'])
        for t, frame in enumerate(video['images']):
            img_ids.add(frame['img_id'])
            assert frame['frame_id'] == t and frame['fps'] == 1.0
            assert frame['img_path'].startswith(
                osp.join(toyavis_root, 'train', 'JPEGImages'))
            assert frame['audio_path'] == osp.join(
                toyavis_root, 'train', 'WAVAudios',
                frame['video_name'] + '.wav')
            n_empty += not frame['instances']
            for inst in frame['instances']:
                n_inst += 1
                ann = anns[inst['instance_id']]
                assert ann['video_id'] == video['video_id']
                assert inst['bbox_label'] == ann['category_id'] - 1
                assert isinstance(inst['mask']['counts'], str)
                ours = mask_utils.decode(inst['mask'])
                ref = mask_utils.decode(
                    mask_utils.frPyObjects(ann['segmentations'][t], 128, 128))
                np.testing.assert_array_equal(ours, ref)
                x, y, w, h = ann['bboxes'][t]
                assert inst['bbox'] == [x, y, x + w, y + h]
    assert len(img_ids) == n_frames
    n_ann = sum(s is not None for a in raw['annotations']
                for s in a['segmentations'])
    assert n_inst == n_ann and n_empty > 0


def test_segmentation_formats_agree(tmp_path):
    """Polygons, uncompressed RLE and compressed RLE (bytes or str) of the
    same mask give the same compressed-RLE instance."""
    h, w = 16, 20
    m = np.zeros((h, w), np.uint8, order='F')
    m[4:10, 5:15] = 1
    poly = [[5, 4, 15, 4, 15, 10, 5, 10]]
    comp = mask_utils.encode(np.asfortranarray(m))
    from seavis_mm.datasets.toyavis import mask_to_uncompressed_rle
    segs = [
        poly,
        mask_to_uncompressed_rle(m),
        dict(size=[h, w], counts=comp['counts'].decode())
    ]
    anns = [
        dict(id=10 + i, video_id=1, category_id=2, segmentations=[s, None, s])
        for i, s in enumerate(segs)
    ]
    write_mini(str(tmp_path), [mini_video()], anns)
    ds = build(toy_dataset_cfg(str(tmp_path)))
    frames = ds.get_data_info(0)['images']
    assert [len(f['instances']) for f in frames] == [3, 0, 3]
    masks = [mask_utils.decode(i['mask']) for i in frames[0]['instances']]
    # The polygon rasterises to (nearly) the same rectangle.
    assert (masks[0] != m).sum() <= 20
    np.testing.assert_array_equal(masks[1], m)
    np.testing.assert_array_equal(masks[2], m)
    assert [i['instance_id'] for i in frames[2]['instances']] == [10, 11, 12]
    assert all(i['bbox_label'] == 1 for i in frames[0]['instances'])


def _bad_json(tmp_path, mutate):
    v = mini_video()
    ann = dict(id=1, video_id=1, category_id=1, segmentations=[None] * 3)
    raw = dict(videos=[v],
               annotations=[ann],
               categories=[dict(id=1, name='bell')])
    write_mini(str(tmp_path), [v], [ann])
    mutate(raw)
    with open(tmp_path / 'train.json', 'w') as f:
        json.dump(raw, f)
    return toy_dataset_cfg(str(tmp_path))


@pytest.mark.parametrize('mutate,pattern', [
    (lambda r: r.pop('videos'), "missing field 'videos'"),
    (lambda r: r['videos'][0].pop('file_names'),
     r"videos\[0\].*missing field 'file_names'"),
    (lambda r: r['videos'][0].update(length=5), '"length" is 5'),
    (lambda r: r['videos'][0].update(height='16'), "'height' must be int"),
    (lambda r: r['annotations'][0].update(segmentations=[None]),
     '1 segmentations for a video of 3 frames'),
    (lambda r: r['annotations'][0].update(video_id=9),
     'video_id 9 is not in "videos"'),
    (lambda r: r['annotations'][0].update(category_id=4),
     'category_id 4 is not in "categories"'),
    (lambda r: r['annotations'][0].pop('segmentations'),
     "missing field 'segmentations'"),
    (lambda r: r['annotations'][0]['segmentations'].__setitem__(1, 'x'),
     'frame 1: segmentation must be null, an RLE dict or a polygon'),
    (lambda r: r['annotations'][0]['segmentations'].__setitem__(
        0, dict(size=[16, 20], counts=[5, 5])), 'summing to 320'),
    (lambda r: r['annotations'][0]['segmentations'].__setitem__(
        2, dict(size=[8, 8], counts='abc')), 'differs from the video size'),
    (lambda r: r['categories'].append(dict(id=7, name='violin')),
     r"categories \['violin'\] are not in metainfo"),
    (lambda r: r['annotations'].append(dict(r['annotations'][0])),
     'duplicate annotation id 1'),
    (lambda r: r['videos'][0].update(file_names=['a.jpg'] * 3),
     'has no video folder'),
])
def test_wrong_json_fields(tmp_path, mutate, pattern):
    cfg = _bad_json(tmp_path, mutate)
    with pytest.raises(AVISDataError, match=pattern) as e:
        build(cfg)
    assert 'train.json' in str(e.value)


def test_invalid_json_text(tmp_path):
    write_mini(str(tmp_path), [mini_video()], [])
    (tmp_path / 'train.json').write_text('{"videos": [')
    with pytest.raises(AVISDataError, match="train.json' is not valid JSON"):
        build(toy_dataset_cfg(str(tmp_path)))


@pytest.mark.parametrize('bad', [
    '../../etc/passwd', 'vid/../../../etc/passwd', '/etc/passwd',
    'C:\\Windows\\x.jpg', 'http://evil/x.jpg'
])
def test_file_names_escaping_data_root_are_refused(tmp_path, bad):
    v = mini_video()
    write_mini(str(tmp_path), [v], [])
    v['file_names'][1] = bad
    with open(tmp_path / 'train.json') as f:
        raw = json.load(f)
    raw['videos'][0]['file_names'][1] = bad
    with open(tmp_path / 'train.json', 'w') as f:
        json.dump(raw, f)
    with pytest.raises(AVISDataError,
                       match=r'file_names\[1\].*(escape|absolute|outside)'):
        build(toy_dataset_cfg(str(tmp_path)))


def test_missing_frame_file(toyavis_copy):
    ds = build(toy_dataset_cfg(toyavis_copy))
    frame = ds.get_data_info(1)['images'][2]
    os.remove(frame['img_path'])
    with pytest.raises(FileNotFoundError) as e:
        build(toy_dataset_cfg(toyavis_copy))
    msg = str(e.value)
    assert frame['video_name'] in msg and frame['img_path'] in msg
    assert 'frame 2' in msg and 'not found' in msg


def test_corrupt_frame_file(toyavis_copy):
    ds = build(toy_dataset_cfg(toyavis_copy))
    frame = ds.get_data_info(0)['images'][0]
    with open(frame['img_path'], 'wb') as f:
        f.write(b'not a jpeg at all')
    ds = build(
        toy_dataset_cfg(toyavis_copy,
                        test_mode=True,
                        pipeline=[
                            dict(type='TransformBroadcaster',
                                 transforms=[dict(type='LoadImageFromFile')])
                        ]))
    with pytest.raises(Exception) as e:
        ds[0]
    assert frame['img_path'] in str(e.value)
    assert frame['video_name'] in str(e.value)


def test_missing_wav_errors(toyavis_copy):
    ds = build(toy_dataset_cfg(toyavis_copy))
    wav = ds.get_data_info(2)['images'][0]['audio_path']
    os.remove(wav)
    with pytest.raises(FileNotFoundError, match='audio file.*not found') as e:
        build(toy_dataset_cfg(toyavis_copy))
    assert wav in str(e.value)
    assert ds.get_data_info(2)['images'][0]['video_name'] in str(e.value)
    # Without the start-up check the transform says the same.
    ds = build(
        toy_dataset_cfg(toyavis_copy,
                        check_files=False,
                        test_mode=True,
                        pipeline=[dict(type='LoadAudioWindows')]))
    with pytest.raises(FileNotFoundError, match="missing_audio='silence'"):
        ds[2]


def test_missing_wav_silence_fallback_warns_once(toyavis_copy):
    ds = build(toy_dataset_cfg(toyavis_copy))
    wav = ds.get_data_info(2)['images'][0]['audio_path']
    os.remove(wav)
    with pytest.warns(AudioFallbackWarning) as rec:
        ds = build(
            toy_dataset_cfg(toyavis_copy,
                            missing_audio='silence',
                            test_mode=True,
                            pipeline=[dict(type='LoadAudioWindows')]))
        out1 = ds[2]
        out2 = ds[2]
        ds[0]
    msgs = [
        str(r.message) for r in rec
        if issubclass(r.category, AudioFallbackWarning)
    ]
    assert len(msgs) == 1 and wav in msgs[0] and 'silence' in msgs[0]
    for out in (out1, out2):
        assert all(
            (a == np.float32(SILENCE_LOGMEL)).all() for a in out['audio'])


def _rewrite_wav(ds, idx, fn):
    path = ds.get_data_info(idx)['images'][0]['audio_path']
    y, sr = sf.read(path, dtype='float32')
    sf.write(path, fn(y), sr, subtype='FLOAT')
    return path


def test_unreadable_and_nan_wav(toyavis_copy):
    cfg = toy_dataset_cfg(toyavis_copy, test_mode=True, pipeline=AUDIO_ONLY)
    ds = build(cfg)
    name = ds.get_data_info(0)['images'][0]['video_name']
    path = ds.get_data_info(0)['images'][0]['audio_path']
    with open(path, 'wb') as f:
        f.write(b'RIFF....WAVEfmt garbage')
    with pytest.raises(AudioLoadError, match='could not be decoded') as e:
        build(cfg)[0]
    assert name in str(e.value) and path in str(e.value)

    def add_nan(y):
        y[5000] = np.nan
        return y

    name1 = ds.get_data_info(1)['images'][0]['video_name']
    path1 = _rewrite_wav(ds, 1, add_nan)
    with pytest.raises(AudioLoadError, match='1 NaN/inf') as e:
        build(cfg)[1]
    assert name1 in str(e.value) and path1 in str(e.value)


def test_short_audio_padded_with_one_warning(toyavis_copy):
    cfg = toy_dataset_cfg(toyavis_copy, test_mode=True, pipeline=AUDIO_ONLY)
    ds = build(cfg)
    length = ds.get_data_info(0)['video_length']
    path = _rewrite_wav(ds, 0, lambda y: y[:3 * 16000 + 500])
    ds = build(cfg)
    with pytest.warns(AudioFallbackWarning) as rec:
        out = ds[0]
        ds[0]
    msgs = [
        str(r.message) for r in rec
        if issubclass(r.category, AudioFallbackWarning)
    ]
    assert len(msgs) == 1 and path in msgs[0] and 'padding' in msgs[0]
    audio = out['inputs']['audio']
    assert audio.shape == (length, 1, 96, 64)
    silent = np.float32(SILENCE_LOGMEL)
    assert (audio[:3] > silent).any(dim=(1, 2, 3)).all()
    assert (audio[4:] == silent).all()


def test_long_audio_is_fine(toyavis_copy):
    cfg = toy_dataset_cfg(toyavis_copy, test_mode=True, pipeline=AUDIO_ONLY)
    ds = build(cfg)
    ref = ds[0]['inputs']['audio']
    _rewrite_wav(ds, 0, lambda y: np.concatenate([y, np.ones(48000) * .5]))
    with warnings.catch_warnings():
        warnings.simplefilter('error', AudioFallbackWarning)
        out = build(cfg)[0]['inputs']['audio']
    # Float wav vs the original 16-bit one: equal to quantisation.
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-3)


def test_feat_source(toyavis_copy):
    cfg = toy_dataset_cfg(toyavis_copy,
                          audio_source='feat',
                          test_mode=True,
                          pipeline=AUDIO_ONLY)
    with pytest.raises(FileNotFoundError, match='FEATAudios.*not found'):
        build(cfg)
    ds = build(dict(cfg, check_files=False))
    feats = {}
    for i in range(len(ds)):
        name, length = ds.get_video_info(i)
        path = osp.join(toyavis_copy, 'train', 'FEATAudios', name + '.npy')
        os.makedirs(osp.dirname(path), exist_ok=True)
        feats[i] = np.random.default_rng(i).standard_normal(
            (length, 128)).astype(np.float32)
        np.save(path, feats[i])
    ds = build(cfg)
    out = ds[1]
    assert out['inputs']['audio'].dtype.is_floating_point
    np.testing.assert_array_equal(out['inputs']['audio'].numpy(), feats[1])
    name, _ = ds.get_video_info(0)
    np.save(osp.join(toyavis_copy, 'train', 'FEATAudios', name + '.npy'),
            np.zeros((3, 4, 5)))
    with pytest.raises(AudioLoadError, match=r'shape \(3, 4, 5\).*\[T, D\]'):
        build(cfg)[0]


def test_empty_video_list_and_bad_options(tmp_path):
    write_mini(str(tmp_path), [], [])
    with pytest.raises(AVISDataError, match='"videos" is empty'):
        build(toy_dataset_cfg(str(tmp_path)))
    with pytest.raises(ValueError, match='audio_source'):
        build(toy_dataset_cfg(str(tmp_path), audio_source='mp3'))
    with pytest.raises(ValueError, match='missing_audio'):
        build(toy_dataset_cfg(str(tmp_path), missing_audio='zeros'))
