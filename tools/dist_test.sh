#!/usr/bin/env bash
# Distributed evaluation with torchrun:
#   tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args...]
# Python: $PYTHON, else the project's .venv, else python from PATH.
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
PORT=${PORT:-29500}
if [ -z "${OMP_NUM_THREADS:-}" ]; then
  THREADS=$(( $(nproc) / NPROC )); [ "$THREADS" -ge 1 ] || THREADS=1
  export OMP_NUM_THREADS=$THREADS
fi
# mmengine sets MKL to 1 thread per process (with a warning) unless told.
export MKL_NUM_THREADS=${MKL_NUM_THREADS:-$OMP_NUM_THREADS}
source "$(dirname "$0")/project_python.sh"  # sets PYTHON
exec "$PYTHON" -m torch.distributed.run --nproc_per_node="$NPROC" \
  --master_port="$PORT" "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" \
  --launcher pytorch "${@:4}"
