#!/usr/bin/env bash
# The pretrained starts of the toy configs (configs/seavis/README.md,
# sessions 29-33), from nothing, in order: the data they train on, the audio
# tagger, then the visual pretraining chain, each stage starting from the
# one before:
#
#   bash tools/run_pretrain.sh        # or: make pretrain
#
# About 2.5 hours on 2 CPU cores (the tagger 4 minutes, each of the seven
# visual stages about 20).
# The checkpoints land where configs/_base_/audio_pretrained_toyavis.py and
# configs/_base_/visual_pretrained_toyavis.py name them:
# work_dirs/audio_tagger/<config>/ and work_dirs/visual_pretrain/<config>/.
#
# A stage that finished (its work dir holds .done) is skipped, one stopped
# midway resumes from its last checkpoint, so a run cut short is started
# again with the same command. STAGES picks the visual stages to reach
# (default: the whole chain to _large5x, the default config's start; the
# other _train-large rows start from _large2x, _large3x or _large4x, so
# STAGES ending at pretrain_large3x is enough for the zoo base's rows).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
GEN=${GEN:-1}
STAGES=${STAGES:-"pretrain pretrain_2x pretrain_large pretrain_large2x pretrain_large3x pretrain_large4x pretrain_large5x"}

make_set() {
    # make_set ROOT LAST ARGS...: write a ToyAVIS set unless one is there
    # (LAST, the file the generator writes last; it is seeded, so a set
    # written before, by make demo or run_zoo.sh, is the same one)
    local root=$1 last=$2; shift 2
    if [ "$GEN" = 1 ] && [ ! -f "$root/$last" ]; then
        $PY tools/dataset_converters/make_toyavis.py "$root" "$@"
    fi
}

train() {
    # train CONFIG WORK: one stage, skipped when done, resumed when cut
    local config=$1 work=$2 resume=""
    if [ -f "$work/.done" ]; then
        echo "done already: $work"
        return
    fi
    if [ -f "$work/last_checkpoint" ]; then
        # trained to its end already (by hand, as the configs' headers say,
        # or before this script marked stages): done. Resuming it would
        # only replay its whole dataloader (mmengine skips the data of
        # every iteration done), minutes per stage
        local last iters
        last=$(basename "$(cat "$work/last_checkpoint")")
        iters=$($PY -c 'import sys; from mmengine.config import Config; print(Config.fromfile(sys.argv[1]).train_cfg.max_iters)' "$config")
        if [ "$last" = "iter_$iters.pth" ] && [ -f "$work/$last" ]; then
            echo "trained to the end already: $work/$last"
            touch "$work/.done"
            return
        fi
        resume="--resume"
    fi
    echo "training $config -> $work $resume"
    $PY tools/train.py "$config" --work-dir "$work" $resume
    touch "$work/.done"
}

# ToyAVIS train (the tagger's set, as the zoo's), the pretraining set and
# the ten times larger one: never val, val2 or the calibration split
make_set data/toyavis val_visible.json --train-videos 80 --val-videos 20 --seed 0 --write-visible
make_set data/toyavis_pretrain train_visible.json --train-videos 80 --val-videos 0 --seed 3000 --write-visible
case " $STAGES " in
    *_large*) make_set data/toyavis_pretrain_large train_visible.json \
        --train-videos 800 --val-videos 0 \
        --seed 4000 --write-visible;;
esac
train configs/audio_tagger/audio-tagger_toyavis.py work_dirs/audio_tagger/audio-tagger_toyavis
for stage in $STAGES; do
    name=mask2former_r18_toyavis-$stage
    train "configs/visual_pretrain/$name.py" "work_dirs/visual_pretrain/$name"
done
