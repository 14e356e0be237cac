# Sourced by the test scripts: make .venv (first use) and keep IOC and its test tools installed
# in it (again whenever pyproject.toml changed).
python=${PYTHON:-python3}
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
