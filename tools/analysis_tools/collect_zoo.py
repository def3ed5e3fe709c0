# Copyright (c) seavis_mm contributors. All rights reserved.
"""Collect the ToyAVIS zoo runs of ``tools/run_zoo.sh`` into one table.

For each run directory it re-scores the results file that ``tools/test.py``
wrote (``<work>/results.json``, AVISM's format) against the val ground truth
with the project's evaluator (protocol ``strict``, as the ToyAVIS configs
use), keeps the per-video FSLA, copies the training log JSON to
``docs/results/<name>.log.json``, reads the training wall time from the log
and the recipe the run trained with from its checkpoint (clips an iteration,
frames a clip, learning rate: ``--cfg-options`` included, which the config
file does not say),
times the online path (frames/s on the CPU, one thread) over the val videos,
and, when the split's ground truth of every visible object is there
(``make_toyavis.py --write-visible``), measures how often each model segments
visible but silent objects and finds sounding ones (``silence_breakdown``),
and scores identity (IDF1, ID switches, ids kept across silent gaps:
``evaluate_identity``).
With ``--data-root2`` every row is also scored on a second val set (the
differently seeded, more varied one of ``tools/run_zoo.sh``, results in
``<work>/results_val2.json``).

Writes ``<out-dir>/zoo.json``, ``<out-dir>/zoo_table.md`` and the model-zoo
metafile ``configs/seavis/metafile.yml`` (OpenMMLab's model-index format:
the ToyAVIS rows measured here, and the paper-scale AVISeg configs, which
have no results here).
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import shutil
import time
from datetime import datetime
from typing import Dict, List, Optional, Sequence

# The recipe the zoo of record's ablation rows are taken on (session 34):
# pretrained starts, fine-tuned on the larger set; its ablations are
# ZOO_BASE + '_' + part.
ZOO_BASE = 'seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large'
# The default of session 35, measured against the zoo base: the zoo base
# with the sound-class prior started from the pretrained tagger's head and
# position in the mask features (both measured alone too).
TAGGER_MASK_POS = ZOO_BASE + '_tagger-prior_mask-pos'
# The default config (the best row, Makefile's CONFIG; session 36): session
# 35's default from the visual start pretrained 2,400 iterations longer
# (the large5x stage), and the name SeaVISInferencer / the model index also
# know it by; its FiLM baseline starts from the same checkpoint.
DEFAULT = TAGGER_MASK_POS.replace('large3x', 'large5x')
DEFAULT_ALIAS = 'seavis_toyavis'
# The zoos of record, newest first: the longer starts of session 36 (the
# default among them), the rows measured on the zoo base in session 35,
# the zoo base's (session 34) and the from-scratch one before it. The
# metafile lists the rows of all (a name in an earlier one wins).
RECORDS = ('docs/results/s36/zoo.json', 'docs/results/s35/zoo.json',
           'docs/results/default/zoo.json', 'docs/results/zoo.json')
_D = ZOO_BASE + '_'
ROWS = [
    (DEFAULT, 'SeaVIS (default: session 35\'s default from the visual '
     'start pretrained 2,400 iterations longer)'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large5x_'
     'train-large', 'FiLM baseline, the default\'s starts and training set'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained-large5x_train-large',
     'Audio-blind baseline, the default\'s visual start and training set'),
    (TAGGER_MASK_POS.replace('large3x', 'large4x'),
     'SeaVIS, session 35\'s default from the visual start pretrained 1,200 '
     'iterations longer'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large4x_'
     'train-large', 'FiLM baseline from the visual start pretrained 1,200 '
     'iterations longer'),
    (TAGGER_MASK_POS, 'SeaVIS, default of session 35: pretrained starts, '
     'the tagger\'s head as the sound-class prior, position in the mask '
     'features, fine-tuned on the larger set'),
    (ZOO_BASE, 'SeaVIS, the zoo base (default until session 35): the '
     'prior\'s classifier learnt from nothing'),
    (_D + 'no-identity', 'SeaVIS zoo base w/o identity embedding'),
    (_D + 'no-sound-prob',
     'SeaVIS zoo base w/o sounding probability (cosine gate)'),
    (_D + 'no-sound-class-prior',
     'SeaVIS zoo base w/o the audio\'s sounding categories'),
    (_D + 'no-negfix', 'SeaVIS zoo base w/o AGCL negative fix'),
    (_D + 'no-silent-frames', 'SeaVIS zoo base w/o silent-frame training'),
    (_D + 'audio-stream_no-past-audio',
     'SeaVIS zoo base w/o past audio in training'),
    (_D + 'audio-stream_one-audio-token',
     'SeaVIS zoo base, one audio token a frame'),
    (_D + 'old-tracker',
     'SeaVIS zoo base, previous tracker (eval only, its checkpoint)'),
    (_D + 'tagger-prior',
     'SeaVIS zoo base + the tagger\'s head as the sound-class prior'),
    (_D + 'mask-pos', 'SeaVIS zoo base + position in the mask features'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large4x_train-large',
     'SeaVIS zoo base from a visual start pretrained 1,200 iterations '
     'longer'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained-large3x_train-large',
     'Audio-blind baseline, the zoo base\'s visual start and training set'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large3x_'
     'train-large',
     'FiLM baseline, the zoo base\'s starts and training set'),
    ('seavis_r18_toyavis', 'SeaVIS (full)'),
    ('seavis_r18_toyavis_prev', 'SeaVIS before issue 13 (reference)'),
    ('seavis_r18_toyavis_no-identity', 'SeaVIS w/o identity embedding'),
    ('seavis_r18_toyavis_no-sound-prob',
     'SeaVIS w/o sounding probability (cosine gate)'),
    ('seavis_r18_toyavis_no-negfix', 'SeaVIS w/o AGCL negative fix'),
    ('seavis_r18_toyavis_no-silent-frames',
     'SeaVIS w/o silent frames in training'),
    ('seavis_r18_toyavis_audio-stream_no-past-audio',
     'SeaVIS w/o past audio in training'),
    ('seavis_r18_toyavis_audio-stream_one-audio-token',
     'SeaVIS w/o rich audio tokens (one per frame)'),
    ('seavis_r18_toyavis_mask-pos',
     'SeaVIS + position-embedded mask features'),
    ('seavis_r18_toyavis_query-loc',
     'SeaVIS + query reference points (mask location prior)'),
    ('seavis_r18_toyavis_query-loc_sound-drawn',
     'SeaVIS + query reference points, sounding trained on drawn masks'),
    ('seavis_r18_toyavis_query-loc_pos-query',
     'SeaVIS + query reference points that set the query position'),
    ('seavis_r18_toyavis_query-loc_one-to-many',
     'SeaVIS + query reference points, one-to-many targets, mask NMS'),
    ('seavis_r18_toyavis_sound-drawn',
     'SeaVIS, sounding trained on drawn masks'),
    ('seavis_r18_toyavis_one-to-many',
     'SeaVIS, one-to-many class and identity targets, mask NMS'),
    ('seavis_r18_toyavis_mask-piloted',
     'SeaVIS + mask-piloted decoder training (MP-Former)'),
    ('seavis_r18_toyavis_fine-mask', 'SeaVIS, masks at stride 2'),
    ('seavis_r18_toyavis_query-loc_one-to-many_fine-mask',
     'SeaVIS + query reference points, one-to-many, masks at stride 2'),
    ('seavis_r18_toyavis_query-loc_one-to-many_votes',
     'SeaVIS + query reference points on centre votes, one-to-many'),
    ('seavis_r18_toyavis_query-loc_one-to-many_votes_rival',
     'SeaVIS + points on centre votes, one-to-many, rival mask loss'),
    ('seavis_r18_toyavis_hybrid',
     'SeaVIS + one-to-many query branch in training (hybrid matching)'),
    ('seavis_r18_toyavis_query-loc_votes_hybrid',
     'SeaVIS + points on centre votes, hybrid one-to-many branch'),
    ('seavis_r18_toyavis_sounding-seg',
     'SeaVIS + dense sounding-segmentation loss in training'),
    ('seavis_r18_toyavis_mask-quality',
     'SeaVIS + mask-quality (IoU) class targets'),
    ('seavis_r18_toyavis_query-loc_one-to-many_votes_mask-quality',
     'SeaVIS + points on centre votes, one-to-many, mask-quality targets'),
    ('seavis_r18_toyavis_dec6', 'SeaVIS, 6 transformer decoder layers'),
    ('seavis_r18_toyavis_ema', 'SeaVIS + weight EMA'),
    ('seavis_r18_toyavis_copy-paste', 'SeaVIS + clip copy-paste'),
    ('seavis_r18_toyavis_copy-paste-near',
     'SeaVIS + clip copy-paste beside the source'),
    ('seavis_r18_toyavis_query-loc_one-to-many_votes_copy-paste-near',
     'SeaVIS + points on centre votes, one-to-many, copy-paste beside'),
    ('seavis_r18_toyavis_sound-anchors',
     'SeaVIS + several audio anchors for the sounding probability'),
    ('seavis_r18_toyavis_sound-class-prior',
     'SeaVIS + the audio\'s sounding categories in the sounding logit'),
    ('seavis_r18_toyavis_visible-gt',
     'SeaVIS trained on every visible object, sounding flagged'),
    ('seavis_r18_toyavis_visible-gt_sound-class-prior',
     'SeaVIS on every visible object + the audio\'s sounding categories'),
    ('seavis_r18_toyavis_audio-pretrained',
     'SeaVIS, audio encoder pretrained as a tagger'),
    ('seavis_r18_toyavis_audio-pretrained_sound-class-prior',
     'SeaVIS, pretrained audio + the audio\'s sounding categories'),
    ('mask2former-film_r18_toyavis_audio-pretrained',
     'FiLM baseline, audio encoder pretrained as a tagger'),
    ('seavis_r18_toyavis_visual-pretrained',
     'SeaVIS, visual start pretrained'),
    ('seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior',
     'SeaVIS, both encoders pretrained + the audio\'s sounding categories'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained',
     'FiLM baseline, both encoders pretrained'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained',
     'Audio-blind baseline, visual encoder pretrained'),
    ('seavis_r18_toyavis_audio-visual-pretrained_backbone-lr-0.1',
     'SeaVIS, both encoders pretrained, backbone fine-tuned at 0.1x'),
    ('seavis_r18_toyavis_audio-visual-pretrained-2x_sound-class-prior',
     'SeaVIS, both encoders pretrained, visual start trained 2x longer'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-2x',
     'FiLM baseline, both encoders pretrained, visual start 2x longer'),
    ('seavis_r18_toyavis_audio-visual-pretrained-varied_sound-class-prior',
     'SeaVIS, both encoders pretrained, visual start on a more varied set'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large_sound-class-prior',
     'SeaVIS, both encoders pretrained, visual start on a 10x larger set'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large',
     'FiLM baseline, both encoders pretrained, visual start on a 10x '
     'larger set'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-prior',
     'SeaVIS, both encoders pretrained, visual start 2x longer on the 10x '
     'larger set'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large2x',
     'FiLM baseline, both encoders pretrained, visual start 2x longer on '
     'the 10x larger set'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained-large2x',
     'Audio-blind baseline, visual start 2x longer on the 10x larger set'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-thr-0.02',
     'SeaVIS, visual start 2x longer on the 10x larger set, sound gate at '
     '0.02 (eval only)'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large2x_train-large',
     'SeaVIS, visual start 2x longer on the 10x larger set, fine-tuned on '
     'it (800 videos)'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large2x_train-large_'
     'sound-thr-0.02',
     'SeaVIS, visual start 2x longer on the 10x larger set, fine-tuned on '
     'it, sound gate at 0.02 (eval only)'),
    ('mask2former-film_r18_toyavis_audio-visual-pretrained-large2x_'
     'train-large',
     'FiLM baseline, visual start 2x longer on the 10x larger set, '
     'fine-tuned on it (800 videos)'),
    ('seavis_r18_toyavis_audio-visual-pretrained-large3x_sound-class-prior',
     'SeaVIS, both encoders pretrained, visual start 3x longer on the 10x '
     'larger set'),
    ('seavis_r18_toyavis_audio-visual-pretrained_split-components',
     'SeaVIS, both encoders pretrained, masks split into components '
     '(eval only)'),
    ('seavis_r18_toyavis_old-tracker',
     'SeaVIS, previous tracker (eval only, full checkpoint)'),
    ('seavis_r18_toyavis_split-components',
     'SeaVIS, masks split into components (eval only, full checkpoint)'),
    ('seavis_r18_toyavis_no-agcl', 'SeaVIS w/o AGCL (and w/o sound gate)'),
    ('seavis_r18_toyavis_no-ccaf', 'SeaVIS w/o CCAF'),
    ('mask2former-minvis_r18_toyavis',
     'Mask2Former + MinVIS matching (audio-blind)'),
    ('mask2former-film_r18_toyavis', 'Mask2Former + FiLM audio (naive AV)'),
]
# Paper-scale configs: a GPU user's configs for the real AVISeg; not trained
# here (no GPU, no AVISeg), so the metafile lists them without results.
PAPER_CONFIGS = [
    ('seavis_r50_8xb2-20k_aviseg', 'ResNet-50', 'AVISeg (VGGish log-mel '
     'computed from the audio)'),
    ('seavis_r50_8xb2-20k_aviseg-feat', 'ResNet-50',
     "AVISeg (AVISeg's released VGGish features)"),
    ('seavis_swin-l_8xb2-20k_aviseg', 'Swin-L', 'AVISeg'),
]
KEYS = ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA', 'LocA', 'mAP')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('zoo_dir', help='work_dirs/zoo of tools/run_zoo.sh')
    parser.add_argument('--data-root', default='data/toyavis')
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', default='docs/results')
    parser.add_argument(
        '--fps-frames',
        type=int,
        default=60,
        help='val frames to time the online path on (0 to skip)')
    parser.add_argument(
        '--reuse-fps',
        metavar='ZOO_JSON',
        help="take a row's frames/s from this earlier zoo.json when it has "
        'one (timed on a quiet machine) and time only the other rows: '
        'collecting while trainings run would time the load')
    parser.add_argument(
        '--visible-gt',
        help='ground truth of every visible object (default: '
        '<data-root>/val_visible.json when it exists)')
    parser.add_argument(
        '--data-root2',
        help='a second val set (tools/run_zoo.sh: data/toyavis_val2); each '
        'row is scored on it from <work>/results_val2.json')
    parser.add_argument('--metafile', default='configs/seavis/metafile.yml')
    parser.add_argument(
        '--record',
        nargs='*',
        default=[],
        metavar='ZOO_JSON',
        help='zoos of record (zoo.json) whose rows the metafile lists too; '
        'a row of this run replaces one of the same name, a missing file '
        'is skipped (tools/run_zoo.sh names every one of RECORDS)')
    return parser.parse_args(argv)


class ValSet:
    """One val set's ground truth (sounding, and every visible object when
    ``val_visible.json`` is there), read once and scored against every
    row's results file."""

    def __init__(self, data_root: str, visible_path: Optional[str] = None):
        from seavis_mm.evaluation.functional import load_gt
        self.data_root = data_root
        self.gt = load_gt(osp.join(data_root, 'val.json'))
        visible_path = visible_path or osp.join(data_root, 'val_visible.json')
        self.visible = load_gt(visible_path) if osp.exists(
            visible_path) else None
        if self.visible is None:
            print(f'no {visible_path}: no silent-object column')

    def score(self, results: str) -> Dict:
        """FSLA / HOTA / mAP keys, ``per_video_fsla``, ``identity`` (IDF1,
        IDSW, ids kept across silent gaps) and, with the visible ground
        truth, ``silence`` (unrounded: the table rounds once)."""
        from seavis_mm.evaluation import evaluate_avis
        from seavis_mm.evaluation.functional import (evaluate_identity,
                                                     silence_breakdown)
        res = evaluate_avis(self.gt, results, protocol='strict',
                            per_video=True)
        out = {k: round(res[k], 2) for k in KEYS}
        out['per_video_fsla'] = {
            str(k): round(v['FSLA'], 2)
            for k, v in res.pop('per_video').items()
        }
        out['identity'] = evaluate_identity(self.gt, results, self.visible)
        if self.visible is not None:
            out['silence'] = silence_breakdown(self.gt, self.visible, results)
        return out


def train_wall_minutes(train_log: str) -> Optional[float]:
    """Minutes between the first and the last training iteration logged."""
    stamps = []
    pattern = re.compile(r'^(\d\d/\d\d \d\d:\d\d:\d\d) - mmengine - INFO - '
                         r'Iter\(train\)')
    if not osp.exists(train_log):
        return None
    with open(train_log) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                stamps.append(datetime.strptime(m.group(1), '%m/%d %H:%M:%S'))
    if len(stamps) < 2:
        return None
    return round((stamps[-1] - stamps[0]).total_seconds() / 60, 1)


def copy_train_log_json(work: str, dst: str) -> Optional[str]:
    """Copy mmengine's scalar log of the training run (the newest one that
    has training losses)."""
    for path in sorted(glob.glob(osp.join(work, '*', 'vis_data', '*.json')),
                       reverse=True):
        with open(path) as f:
            if '"loss"' in f.read():
                shutil.copyfile(path, dst)
                return dst
    return None


def trained_recipe(ckpt: str) -> Optional[Dict]:
    """The recipe a run trained with, read from the config its checkpoint
    carries (mmengine saves the run's config in ``meta['cfg']``).

    The config file alone does not say what ``--cfg-options`` changed
    (``tools/run_zoo.sh TRAIN_OPTS``, e.g. more clips an iteration), and
    ``tools/test.py`` overwrites the config dumped in the work dir with the
    test's, so the checkpoint is the one record of the training's.

    Args:
        ckpt (str): The run's checkpoint.

    Returns:
        dict or None: ``batch_size`` (clips an iteration),
        ``frames_per_clip``, ``lr``, ``max_iters`` and ``seed``; None when
        there is no checkpoint (e.g. pruned by ``max_keep_ckpts``).

    Raises:
        ValueError: The checkpoint carries no config (not saved by an
            mmengine runner); the message names the file.
    """
    if not osp.exists(ckpt):
        return None
    from mmengine.config import Config

    from seavis_mm.utils import safe_torch_load
    text = (safe_torch_load(ckpt, map_location='cpu').get('meta')
            or {}).get('cfg')
    if not isinstance(text, str):
        raise ValueError(f'checkpoint "{ckpt}": no training config in '
                         "meta['cfg'] (expected an mmengine runner's "
                         'checkpoint)')
    cfg = Config.fromstring(text, '.py')
    return dict(
        batch_size=cfg.train_dataloader.batch_size,
        frames_per_clip=frames_per_clip(cfg),
        lr=cfg.optim_wrapper.optimizer.lr,
        max_iters=cfg.train_cfg.get('max_iters'),
        seed=cfg.get('randomness', {}).get('seed'))


def frames_per_clip(cfg) -> Optional[int]:
    """The frames of each training clip (a batch is clips): the training
    pipeline's ``AVISClipSample`` ``num_frames``; None without one."""
    frames = None
    for step in cfg.train_dataloader.dataset.get('pipeline', []):
        if step.get('type') == 'AVISClipSample':
            frames = step['num_frames']
    return frames


def online_fps(config: str, ckpt: str, data_root: str,
               num_frames: int) -> Optional[float]:
    """Frames/s of the online path (``model.predict`` one video at a time,
    so ``predict_frame`` frame by frame) on the val videos, one torch thread
    (two threads on a loaded 2-core machine time the scheduler, see
    docs/en/benchmarks.md)."""
    if num_frames <= 0:
        return None
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.runner import load_checkpoint

    from seavis_mm.registry import DATASETS, MODELS
    from seavis_mm.utils import register_all_modules

    register_all_modules()
    torch.set_num_threads(1)
    cfg = Config.fromfile(config)
    cfg.test_dataloader.dataset.data_root = data_root.rstrip('/') + '/'
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    model.eval()
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    frames, seconds = 0, 0.0
    with torch.no_grad():
        for i in range(len(dataset)):
            data = pseudo_collate([dataset[i]])
            data = model.data_preprocessor(data, False)
            t0 = time.perf_counter()
            model.predict(**data)
            seconds += time.perf_counter() - t0
            frames += data['inputs']['imgs'].shape[1]
            if frames >= num_frames:
                break
    return round(frames / seconds, 2)


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    val = ValSet(args.data_root, args.visible_gt)
    val2 = ValSet(args.data_root2) if args.data_root2 else None
    timed: Dict[str, float] = {}
    if args.reuse_fps:
        with open(args.reuse_fps) as f:
            timed = {
                r['name']: r['fps_cpu']
                for r in json.load(f)['rows'] if r.get('fps_cpu')
            }
    rows: List[Dict] = []
    for name, title in ROWS:
        work = osp.join(args.zoo_dir, name)
        results = osp.join(work, 'results.json')
        if not osp.exists(results):
            print(f'skip {name}: no {results}')
            continue
        scores = val.score(results)
        config = f'configs/seavis/{name}.py'
        ckpt = osp.join(work, f'iter_{args.iters}.pth')
        log_json = copy_train_log_json(
            work, osp.join(args.out_dir, f'{name}.log.json'))
        row = dict(
            name=name,
            title=title,
            config=config,
            iters=args.iters,
            seed=args.seed,
            train_minutes=train_wall_minutes(work + '.train.log'),
            fps_cpu=timed[name] if name in timed else online_fps(
                config, ckpt, args.data_root, args.fps_frames)
            if osp.exists(ckpt) else None,
            log_json=log_json,
            train_recipe=trained_recipe(ckpt),
            **scores)
        results2 = osp.join(work, 'results_val2.json')
        if val2 is not None and osp.exists(results2):
            row['val2'] = val2.score(results2)
        elif val2 is not None:
            print(f'{name}: no {results2}, no val2 columns')
        rows.append(row)
        print(name, {k: row[k] for k in KEYS + ('fps_cpu', )})

    with open(osp.join(args.out_dir, 'zoo.json'), 'w') as f:
        json.dump(
            dict(
                protocol='strict',
                data=dict(
                    root=args.data_root,
                    generator='tools/dataset_converters/make_toyavis.py '
                    '--train-videos 80 --val-videos 20 --seed 0',
                    root2=args.data_root2,
                    generator2=VAL2_GENERATOR if args.data_root2 else None),
                rows=rows),
            f,
            indent=1)
    # the config links of the written table resolve from where it lies
    configs = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
        __file__)))), 'configs', 'seavis')
    lines = zoo_table(rows, osp.relpath(configs, osp.abspath(args.out_dir)))
    with open(osp.join(args.out_dir, 'zoo_table.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    write_metafile(merge_records(rows, args.record), args.metafile)
    return rows


def _num(value: Optional[float], fmt: str = '.1f') -> str:
    """A table cell: ``-`` for a missing or undefined number."""
    if value is None or value != value:  # None or NaN
        return '-'
    return format(value, fmt)


def _scores_cells(s: Dict) -> List[str]:
    """The cells of one val set's scores (see :data:`VAL_COLUMNS`)."""
    silence = s.get('silence', {})
    identity = s.get('identity', {})
    return [
        _num(s['FSLA']),
        _num(s['HOTA']),
        _num(s['DetA']),
        _num(s['AssA']),
        _num(s['mAP']), f"{_num(s['FAn'], '.0f')} / "
        f"{_num(s['FAs'], '.0f')} / {_num(s['FAm'], '.0f')}",
        _num(silence.get('sounding_found')),
        _num(silence.get('silent_found')),
        _num(identity.get('IDF1')),
        _num(identity.get('IDSW'), 'd'),
        _num(identity.get('IDKept'))
    ]


VAL_COLUMNS = ('FSLA', 'HOTA', 'DetA', 'AssA', 'mAP', 'FAn / FAs / FAm',
               'sounding objects found %', 'silent objects segmented %',
               'IDF1', 'ID switches', 'id kept across silent gaps %')
VAL2_GENERATOR = ('tools/dataset_converters/make_toyavis.py --train-videos 0 '
                  '--val-videos 20 --seed 1000 --variety high')


def zoo_table(rows: List[Dict], config_dir: str = '.') -> List[str]:
    """The markdown zoo table: each row's scores on val and, when any row
    has them, on the second val set (columns prefixed ``val2``); config
    links point into ``config_dir`` (``.`` for configs/seavis/README.md)."""
    with_val2 = any('val2' in r for r in rows)
    header = ['Model', 'Config', *VAL_COLUMNS]
    if with_val2:
        header += [f'val2 {c}' for c in VAL_COLUMNS]
    header += ['frames/s (CPU, 1 thread)', 'iters (min)']
    lines = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    for r in rows:
        cells = [r['title'], f"[{r['name']}]({config_dir}/{r['name']}.py)"]
        cells += _scores_cells(r)
        if with_val2:
            cells += (_scores_cells(r['val2']) if 'val2' in r else ['-'] *
                      len(VAL_COLUMNS))
        cells += [_num(r['fps_cpu']), f"{r['iters']} ({r['train_minutes']})"]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


# The collection's paper and code (model-index ``Paper`` / ``Code``).
PAPER = {
    'Title': 'SeaVIS: Sound-Enhanced Association for Online Audio-Visual '
    'Instance Segmentation',
    'URL': 'https://arxiv.org/abs/2603.01431',
}
CODE_URL = 'seavis_mm/models/vis/seavis.py'
# Where ``mim download`` looks (a model's ``Weights``): none is published,
# so every model says how to get one instead of giving an address.
WEIGHTS_NOTE = ('not published: train it with `mim train seavis_mm {config}` '
                '(ToyAVIS: make_toyavis.py + tools/run_zoo.sh)')
TOYAVIS_RESOURCES = '1 CPU thread'
PAPER_RESOURCES = '8x GPUs'


def config_metadata(config: str) -> Dict:
    """Training Techniques, Architecture, Batch Size (clips) and Frames
    per Clip as the config file says (so that the metafile can not drift
    from the configs)."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    model = cfg.model
    backbone = model.backbone
    arch = [backbone.type.split('.')[-1] + (
        f"-{backbone['depth']}" if 'depth' in backbone else '')]
    arch.append('Mask2Former')
    if model.get('audio_encoder'):
        arch.append(model.audio_encoder.type)
    if model.get('audio_fusion'):
        arch.append(model.audio_fusion.type)
    if model.get('neck'):
        arch.append('CCAF')
    head = model.track_head
    if head.get('loss_agcl_frame') or head.get('loss_agcl_instance'):
        arch.append('AGCL')
    tracker = model.get('tracker', {})
    if tracker:
        gate = tracker.get('sound_gate', True)
        arch.append(tracker.type + (' (sound gate)' if gate else ''))
    optim = cfg.optim_wrapper
    techniques = [optim.optimizer.type]
    if optim.get('clip_grad'):
        techniques.append('Gradient Clipping')
    schedulers = cfg.param_scheduler
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    techniques += [s['type'] for s in schedulers]
    if head.get('mask_piloting') is not None:
        techniques.append('Mask-Piloted Training')
    if head.get('loss_rival') is not None:
        techniques.append('RivalMaskLoss')
    if head.get('hybrid') is not None:
        techniques.append('Hybrid Matching (one-to-many query branch)')
    if head.get('sounding_seg') is not None:
        techniques.append('Dense Sounding Segmentation Loss')
    if head.get('loss_cls_quality') is not None:
        techniques.append('Mask-Quality (IoU) Class Targets')
    for hook in cfg.get('custom_hooks', []):
        if hook.get('type') == 'EMAHook':
            techniques.append(f"EMA ({hook.get('ema_type')})")
    pipeline = cfg.train_dataloader.dataset.get('pipeline', [])
    if any(step.get('type') == 'ClipCopyPaste' for step in pipeline):
        techniques.append('Clip Copy-Paste')
    if head.get('fine_mask') is not None:
        arch.insert(2, 'FineMaskFeatures (stride 2)')
    if (head.get('query_loc_prior') or {}).get('votes') is not None:
        arch.insert(2, 'CenterVotes')
    out = {
        'Training Techniques': techniques,
        'Architecture': arch,
        'Batch Size': cfg.train_dataloader.batch_size,
    }
    frames = frames_per_clip(cfg)
    if frames is not None:
        out['Frames per Clip'] = frames
    return out


def write_metafile(rows: List[Dict],
                   path: str,
                   root: Optional[str] = None) -> Dict:
    """The OpenMMLab model-index metafile of the collection (the format of
    mmdet's ``configs/*/metafile.yml``, read by ``mim search`` and
    ``mim download``).

    The ToyAVIS rows carry their measured ``Results`` under the dataset
    ``ToyAVIS``; the paper-scale AVISeg configs have none (not trained
    here). No model has published weights, which ``Weights`` says.

    Args:
        rows (list[dict]): The rows of ``zoo.json``.
        path (str): The metafile to write.
        root (str, optional): The repository root, where the configs are
            read from. Defaults to the one of this script.

    Returns:
        dict: What was written.
    """
    import yaml
    root = root or osp.dirname(osp.dirname(osp.dirname(osp.abspath(
        __file__))))
    models = []
    for r in rows:
        meta = {
            'Training Data': 'ToyAVIS',
            **config_metadata(osp.join(root, r['config'])),
            'Training Resources': TOYAVIS_RESOURCES,
            'Iterations': r['iters'],
            'Seed': r['seed'],
            'Training Time (min)': r['train_minutes'],
            'Training Log': r['log_json'],
        }
        # what the run trained with, over what its config file says
        # (--cfg-options); rows collected before the record have none
        recipe = r.get('train_recipe') or {}
        for key, field in (('Batch Size', 'batch_size'),
                           ('Frames per Clip', 'frames_per_clip')):
            if recipe.get(field) is not None:
                meta[key] = recipe[field]
        if recipe.get('lr') is not None:
            meta['Learning Rate'] = recipe['lr']
        if r['train_minutes'] is None:
            # an evaluation-only row (e.g. a tracker ablation) tests the
            # weights of another row: no training of its own
            for key in ('Training Time (min)', 'Training Log'):
                meta.pop(key)
            meta['Note'] = ('evaluation-only row: tested on the weights of '
                            'another row, no training of its own')
        if r['fps_cpu']:
            meta['inference time (ms/im)'] = [{
                'value': round(1000 / r['fps_cpu'], 1),
                'hardware': 'CPU (1 thread)',
                'backend': 'PyTorch',
                'batch size': 1,
                'mode': 'FP32',
                'resolution': '(128, 128)'
            }]
        metrics = {k: r[k] for k in ('FSLA', 'HOTA', 'DetA', 'AssA', 'mAP')}
        models.append({
            'Name': r['name'],
            **_alias(r['name']),
            'In Collection': 'SeaVIS',
            'Config': r['config'],
            'Metadata': meta,
            'Results': [{
                'Task': 'Audio-Visual Instance Segmentation',
                'Dataset': 'ToyAVIS',
                'Metrics': metrics
            }],
            'Weights': WEIGHTS_NOTE.format(config=r['config']),
        })
    # zoo rows whose training did not run in the zoo of record are listed
    # (every released config is a model of the index) without Results:
    # a number is only ever a measured one
    measured = {r['name'] for r in rows}
    for name, *_ in ROWS:
        config = f'configs/seavis/{name}.py'
        if name in measured or not osp.isfile(osp.join(root, config)):
            continue
        models.append({
            'Name': name,
            **_alias(name),
            'In Collection': 'SeaVIS',
            'Config': config,
            'Metadata': {
                'Training Data': 'ToyAVIS',
                **config_metadata(osp.join(root, config)),
                'Training Resources': TOYAVIS_RESOURCES,
                'Note': 'not trained in the zoo of record yet (ToyAVIS '
                'ablation): no results, no training time',
            },
            'Weights': WEIGHTS_NOTE.format(config=config),
        })
    for name, backbone, data in PAPER_CONFIGS:
        config = f'configs/seavis/{name}.py'
        models.append({
            'Name': name,
            'In Collection': 'SeaVIS',
            'Config': config,
            'Metadata': {
                'Training Data': 'AVISeg',
                'Audio': data,
                **config_metadata(osp.join(root, config)),
                'Training Resources': PAPER_RESOURCES,
                'Iterations': 20000,
                'Backbone': backbone,
                'Note': 'paper-scale config, not trained here (no GPU, no '
                'AVISeg): no results, no training time',
            },
            'Weights': WEIGHTS_NOTE.format(config=config),
        })
    doc = {
        'Collections': [{
            'Name': 'SeaVIS',
            'Metadata': {
                'Training Data': ['ToyAVIS', 'AVISeg'],
                'Training Techniques': ['AdamW', 'Gradient Clipping',
                                        'MultiStepLR'],
                'Training Resources': f'{TOYAVIS_RESOURCES} (ToyAVIS), '
                f'{PAPER_RESOURCES} (AVISeg)',
                'Architecture': [
                    'ResNet', 'Swin Transformer', 'Mask2Former',
                    'VGGish-style audio encoder', 'CCAF', 'AGCL',
                    'sound-aware online tracker'
                ],
            },
            'Paper': dict(PAPER),
            'README': 'configs/seavis/README.md',
            'Code': {
                'URL': CODE_URL,
                'Version': _version(root),
            },
        }],
        'Models': models,
    }
    with open(path, 'w') as f:
        f.write('# Written by tools/analysis_tools/collect_zoo.py '
                '(tools/run_zoo.sh; or write_metafile_from_json).\n')
        yaml.safe_dump(doc, f, sort_keys=False, width=79)
    from mmengine.logging import print_log
    print_log(f'wrote {path}', logger='current')
    return doc


def _alias(name: str) -> Dict:
    """mmdet's ``Alias`` field (``rtmdet-t``): a short name the model index
    also finds the default recipe by."""
    return {'Alias': [DEFAULT_ALIAS]} if name == DEFAULT else {}


def merge_records(rows: List[Dict], records: List[str]) -> List[Dict]:
    """``rows``, then the rows of the zoo.json files ``records`` (those
    that exist) whose name no earlier row has: the rows of every zoo of
    record, for the metafile."""
    out, names = list(rows), {r['name'] for r in rows}
    for path in records:
        if not osp.isfile(path):
            continue
        with open(path) as f:
            for r in json.load(f)['rows']:
                if r['name'] not in names:
                    out.append(r)
                    names.add(r['name'])
    return out


def _version(root: str) -> str:
    scope: Dict = {}
    with open(osp.join(root, 'seavis_mm', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return 'v' + scope['__version__']


def write_metafile_from_json(zoo_jsons: Sequence[str] = RECORDS,
                             path: str = 'configs/seavis/metafile.yml'
                             ) -> Dict:
    """Rewrite the metafile from the ``zoo.json`` files already collected
    (the zoos of record by default; a name in an earlier file wins), e.g.
    after a change of the metafile format, without re-running the zoo."""
    return write_metafile(merge_records([], list(zoo_jsons)), path)


if __name__ == '__main__':
    main()
