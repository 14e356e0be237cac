# Sourced by scripts/demo.sh and the test scripts: make .venv (first use) and keep IOC and its test tools installed
# in it (again whenever pyproject.toml changed). It is made from `python3` on the PATH, or from
# the interpreter PYTHON names; a .venv made from another one than PYTHON is made again.
python=${PYTHON:-python3}
if [ -n "${PYTHON:-}" ] && [ -x .venv/bin/python ]; then
  wanted=$("$PYTHON" -c 'import os, sys; print(os.path.realpath(sys.executable))')
  made_from=$(.venv/bin/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))')
  if [ "$wanted" != "$made_from" ]; then
    echo "==> .venv was made from $made_from, PYTHON is $wanted: making it again"
    rm -rf .venv
  fi
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
if ! .venv/bin/python -c "import ioc, pytest, importlinter, xdist, mypy" 2>/dev/null \
   || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> installing IOC and its test tools into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --editable ".[test]"
  touch .venv/.installed
fi
