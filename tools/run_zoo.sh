#!/usr/bin/env bash
# Reproduce the ToyAVIS model zoo of record (configs/seavis/README.md): the
# default config, the zoo base it is built on (pretrained starts fine-tuned
# on the larger ToyAVIS set), the baselines and one ablation row per part of
# the zoo base, on two seeds; then rewrite
# the results table, the log JSONs and the plots in docs/results/default/
# and the metafile.
#
#   bash tools/run_zoo.sh            # or: make zoo
#   ITERS=400 JOBS=2 bash tools/run_zoo.sh
#   ZOO=scratch bash tools/run_zoo.sh   # the from-scratch zoo before it,
#                                       # into docs/results/
#
# The default zoo needs the pretrained starts: with GEN=1 (the default) it
# runs tools/run_pretrain.sh first, which writes the ToyAVIS sets and skips
# every stage already trained (about 2.5 hours on 2 cores the first time).
#
# Reproducibility check (configs/seavis/README.md): train one config again
# into another folder without touching docs/results, then compare:
#   OUT=work_dirs/zoo_repro CONFIGS=seavis_r18_toyavis COLLECT=0 \
#       bash tools/run_zoo.sh
#   cmp work_dirs/zoo{,_repro}/seavis_r18_toyavis/results.json
#
# A row whose OUT/NAME/iter_ITERS.pth exists is tested, not trained again
# (RETRAIN=1 trains it again); a training that stopped midway resumes from
# its last checkpoint. So a queue cut short is started again with the same
# command.
#
# JOBS runs that many trainings side by side, each on one CPU thread (on a
# 2-core machine two single-threaded runs beat one two-threaded run).
#
# TRAIN_OPTS adds --cfg-options to every training (the 1,600-iteration curve
# keeps every checkpoint: TRAIN_OPTS=default_hooks.checkpoint.max_keep_ckpts=-1).
#
# Every row trains on its config's own training set (ToyAVIS train in
# data/toyavis/, or the larger set a _train-large config names); DATA given
# trains every row on DATA's train split instead.
# Every row is tested on two val sets: DATA's val (the training generator's
# look, STYLE v2 by default; STYLE=v1 reproduces the old numbers) and DATA2,
# a differently seeded, more varied val set (v2, seed 1000, variety high)
# that no training ever sees; results go to <work>/results.json and
# <work>/results_val2.json. VAL2=0 skips the second.
#
# Each entry of CONFIGS is NAME, NAME%SEED or NAME@SOURCE (with an optional
# %SEED after it):
#   NAME          train configs/seavis/NAME.py with SEED, test it, in OUT/NAME;
#   NAME%S        the same with seed S (S != SEED goes to ${OUT}_seedS/NAME,
#                 collected into RESULTS/zoo_seedS.json);
#   NAME@SOURCE   no training: test NAME's config (another tracker, say) on
#                 SOURCE's checkpoint of the same seed, waiting for it when
#                 an entry of this queue trains it (else the checkpoint an
#                 earlier queue left in OUT).
# The entries are one queue over JOBS workers, so a list that mixes seeds
# keeps every worker busy to the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
# DATA given: every row trains on DATA's train split; not given: on its
# config's own (data/toyavis/, or a larger set a config names)
DATA_GIVEN=${DATA:+1}
DATA=${DATA:-data/toyavis}
DATA2=${DATA2:-data/toyavis_val2}
STYLE=${STYLE:-v2}
VAL2=${VAL2:-1}
ZOO=${ZOO:-default}
case "$ZOO" in
    default) OUT=${OUT:-work_dirs/zoo_default}; RESULTS=${RESULTS:-docs/results/default};;
    scratch) OUT=${OUT:-work_dirs/zoo}; RESULTS=${RESULTS:-docs/results};;
    *) echo "ZOO=$ZOO: default or scratch" >&2; exit 2;;
esac
ITERS=${ITERS:-400}
SEED=${SEED:-0}
JOBS=${JOBS:-2}
COLLECT=${COLLECT:-1}
TRAIN_OPTS=${TRAIN_OPTS:-}
# the zoo of record (configs/seavis/README.md): every row on two seeds, in
# the order that answers the most if the queue is cut short: the default
# config and its baselines, seed 1 of those, the full model (the zoo base)
# and its baselines, seed 1 of those, the previous tracker evaluated on the
# full model's weights, one ablation per part, then seed 1 of every ablation
if [ "$ZOO" = default ]; then
    # the zoo base (collect_zoo.py's ZOO_BASE), whose ablation rows these are
    FULL=seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large
    # the default config (collect_zoo.py's DEFAULT): the zoo base with the
    # sound-class prior from the pretrained tagger's head and position in
    # the mask features (session 35), from the large5x visual start
    # (session 36), with both baselines from that start
    DEFAULT_ROW=seavis_r18_toyavis_audio-visual-pretrained-large5x_train-large_tagger-prior_mask-pos
    DEFAULT_BASELINES="mask2former-film_r18_toyavis_audio-visual-pretrained-large5x_train-large \
mask2former-minvis_r18_toyavis_visual-pretrained-large5x_train-large"
    ABL=$(for p in no-identity no-sound-prob no-sound-class-prior no-negfix no-silent-frames \
        audio-stream_no-past-audio audio-stream_one-audio-token; do printf '%s_%s ' "$FULL" "$p"; done)
    BASELINES="mask2former-film_r18_toyavis_audio-visual-pretrained-large3x_train-large \
mask2former-minvis_r18_toyavis_visual-pretrained-large3x_train-large"
else
    # the from-scratch zoo, and SeaVIS as it was before issue 13
    FULL=seavis_r18_toyavis
    DEFAULT_ROW=
    DEFAULT_BASELINES=
    ABL="seavis_r18_toyavis_no-identity seavis_r18_toyavis_no-sound-prob seavis_r18_toyavis_no-negfix \
seavis_r18_toyavis_no-silent-frames seavis_r18_toyavis_audio-stream_no-past-audio \
seavis_r18_toyavis_audio-stream_one-audio-token"
    BASELINES="seavis_r18_toyavis_prev mask2former-film_r18_toyavis mask2former-minvis_r18_toyavis"
fi
seed1() {  # the entries NAME%1 of every NAME given
    local e
    for e in "$@"; do printf '%s%%1 ' "$e"; done
}
HEAD="$DEFAULT_ROW $DEFAULT_BASELINES"
CONFIGS=${CONFIGS:-"$HEAD $(seed1 $HEAD) $FULL $BASELINES $(seed1 $FULL $BASELINES) \
${FULL}_old-tracker@$FULL ${FULL}_old-tracker@$FULL%1 $ABL $(seed1 $ABL)"}

# GEN=0 keeps data already written by these same commands
if [ "${GEN:-1}" = 1 ]; then
    # a pretrained row's starts (and the sets they train on); done stages
    # are skipped
    case "$CONFIGS" in *pretrained*) PY=$PY bash tools/run_pretrain.sh;; esac
    $PY tools/dataset_converters/make_toyavis.py "$DATA" --train-videos 80 --val-videos 20 --seed 0 --style "$STYLE" --write-visible > /dev/null
    if [ "$VAL2" = 1 ]; then
        $PY tools/dataset_converters/make_toyavis.py "$DATA2" --train-videos 0 --val-videos 20 --seed 1000 --style v2 --variety high --write-visible > /dev/null
    fi
fi

out_dir() {  # the work root of a seed
    if [ "$1" = "$SEED" ]; then echo "$OUT"; else echo "${OUT}_seed$1"; fi
}

queued() {  # is SOURCE ($1) trained with seed $2 by an entry of this queue?
    local e
    for e in $CONFIGS; do
        case "$e" in *@*) continue;; esac
        if [ "$e" = "$1%$2" ] || { [ "$2" = "$SEED" ] && [ "$e" = "$1" ]; }; then
            return 0
        fi
    done
    return 1
}

run_one() {
    local entry=$1 seed=$SEED source=""
    case "$entry" in *%*) seed=${entry##*%}; entry=${entry%\%*};; esac
    case "$entry" in *@*) source=${entry##*@}; entry=${entry%@*};; esac
    local name=$entry
    local root
    root=$(out_dir "$seed")
    mkdir -p "$root"
    local work="$root/$name"
    # runs in its own background shell: mark it done even when it fails, so
    # that no NAME@SOURCE entry waits forever
    ZOO_WORK=$work
    trap 'touch "$ZOO_WORK.test.done"' EXIT
    local data_opts="val_dataloader.dataset.data_root=$DATA/ test_dataloader.dataset.data_root=$DATA/"
    [ -z "$DATA_GIVEN" ] || data_opts="train_dataloader.dataset.data_root=$DATA/ $data_opts"
    local milestone=$(( ITERS * 4 / 5 ))
    if [ -n "$source" ]; then
        # evaluation only: wait for SOURCE's test to finish when this queue
        # trains it (a checkpoint of an earlier queue is used as it is),
        # share its weights
        if queued "$source" "$seed"; then
            while [ ! -f "$root/$source.test.done" ]; do sleep 20; done
        elif [ ! -f "$root/$source/iter_$ITERS.pth" ]; then
            echo "$entry@$source: no $root/$source/iter_$ITERS.pth, and no entry of CONFIGS trains it" >&2
            exit 1
        fi
        mkdir -p "$work"
        ln -sf "$(realpath "$root/$source/iter_$ITERS.pth")" "$work/iter_$ITERS.pth"
    elif [ -f "$work/iter_$ITERS.pth" ] && [ "${RETRAIN:-0}" = 0 ]; then
        # a queue cut short and started again: trained rows are only tested
        echo "trained already: $work/iter_$ITERS.pth (RETRAIN=1 trains again)"
    else
        # a training stopped midway resumes from its last checkpoint
        # (RETRAIN=1 starts from scratch)
        local resume=""
        [ -f "$work/last_checkpoint" ] && [ "${RETRAIN:-0}" = 0 ] && resume="--resume"
        # a resumed run appends to its log, a fresh one starts it again
        [ -n "$resume" ] || : > "$work.train.log"
        # val_begin past the end: no validation inside training, the test
        # below scores the same checkpoint (a third pass over val was 10% of
        # a row's time)
        OMP_NUM_THREADS=1 $PY tools/train.py "configs/seavis/$name.py" --work-dir "$work" $resume \
            --cfg-options randomness.seed=$seed train_cfg.max_iters=$ITERS \
            train_cfg.val_begin=$((ITERS + 1)) param_scheduler.end=$ITERS \
            "param_scheduler.milestones=[$milestone]" $data_opts $TRAIN_OPTS \
            >> "$work.train.log" 2>&1
    fi
    OMP_NUM_THREADS=1 $PY tools/test.py "configs/seavis/$name.py" "$work/iter_$ITERS.pth" \
        --work-dir "$work" --cfg-options $data_opts \
        "test_evaluator.outfile_prefix=$work/results" > "$work.test.log" 2>&1
    if [ "$VAL2" = 1 ]; then
        local val2_opts="val_dataloader.dataset.data_root=$DATA2/ test_dataloader.dataset.data_root=$DATA2/"
        OMP_NUM_THREADS=1 $PY tools/test.py "configs/seavis/$name.py" "$work/iter_$ITERS.pth" \
            --work-dir "$work/val2" --cfg-options $val2_opts \
            "test_evaluator.outfile_prefix=$work/results_val2" > "$work.test_val2.log" 2>&1
    fi
    echo "done: $name (seed $seed) $(date -u +%H:%M:%S)"
}

mkdir -p "$OUT"
rm -f "$OUT"/*.test.done "$OUT"_seed*/*.test.done
running=0
for name in $CONFIGS; do
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

[ "$COLLECT" = 1 ] || exit 0
VAL2_OPTS=""
[ "$VAL2" = 1 ] && VAL2_OPTS="--data-root2 $DATA2"
# the metafile lists the rows of every zoo of record
# (collect_zoo.py RECORDS); this run's rows replace the same names
RECORD_OPTS="--record docs/results/s36/zoo.json docs/results/s35/zoo.json docs/results/default/zoo.json docs/results/zoo.json"
$PY tools/analysis_tools/collect_zoo.py "$OUT" --data-root "$DATA" $VAL2_OPTS --iters "$ITERS" --seed "$SEED" \
    --out-dir "$RESULTS" $RECORD_OPTS
# other seeds: their own JSON (zoo_seedS.json), the table of record is SEED's
for s in $(for e in $CONFIGS; do case "$e" in *%*) echo "${e##*%}";; esac; done | sort -u); do
    [ "$s" = "$SEED" ] && continue
    $PY tools/analysis_tools/collect_zoo.py "$(out_dir "$s")" --data-root "$DATA" $VAL2_OPTS --iters "$ITERS" --seed "$s" \
        --out-dir "$RESULTS/seed$s" --metafile "$RESULTS/seed$s/metafile.yml" --fps-frames 0
    mv "$RESULTS/seed$s/zoo.json" "$RESULTS/zoo_seed$s.json"
    rm -f "$RESULTS/seed$s/metafile.yml"
done
$PY tools/analysis_tools/plot_results.py "$RESULTS/zoo.json" --out-dir "$RESULTS"
