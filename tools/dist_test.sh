#!/usr/bin/env bash
# Distributed testing through torchrun + MMEngine's `--launcher pytorch`.
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
# The backend comes from env_cfg.dist_cfg (nccl on GPUs; test.py falls back
# to gloo where CUDA is absent, so this also runs N CPU processes).
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
$PYTHON -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS \
    --master_port=$PORT \
    $(dirname "$0")/test.py \
    $CONFIG \
    $CHECKPOINT \
    --launcher pytorch \
    ${@:4}
