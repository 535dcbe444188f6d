#!/usr/bin/env bash
# Distributed training with torchrun, on GPUs or (gloo) CPUs:
#   tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR, PORT on every node.
set -euo pipefail
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
# On CPU, more threads than cores per machine made training 4x slower.
if [ -z "${OMP_NUM_THREADS:-}" ]; then
  THREADS=$(( $(nproc) / NPROC )); [ "$THREADS" -ge 1 ] || THREADS=1
  export OMP_NUM_THREADS=$THREADS
fi
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m torch.distributed.run \
  --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
  --nproc_per_node="$NPROC" --master_port="$PORT" \
  "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
