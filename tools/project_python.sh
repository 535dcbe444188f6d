# Sourced by the launcher scripts: sets PYTHON, the interpreter they run.
# $PYTHON if set; else the project's virtual environment (what `make
# install` creates, next to tools/); else `python` from PATH. A bare
# `python` after `make install` is usually one without torch.
if [ -z "${PYTHON:-}" ]; then
  _GANKD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ -x "$_GANKD_REPO/.venv/bin/python" ]; then
    PYTHON=$_GANKD_REPO/.venv/bin/python
  else
    PYTHON=python
  fi
  unset _GANKD_REPO
fi
