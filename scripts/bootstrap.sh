#!/usr/bin/env bash
# Install everything the site and the tests need, from pinned versions; safe to re-run.
# Python packages: requirements.lock into .venv.  Front-end assets: package-lock.json via npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
want=$(stamp requirements.lock)
if [ "$(cat .venv/.lock-stamp 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing Python packages from requirements.lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  echo "$want" > .venv/.lock-stamp
fi

want=$(stamp package.json package-lock.json)
if [ "$(cat node_modules/.lock-stamp 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing front-end assets with npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.lock-stamp
fi
.venv/bin/python scripts/vendor_assets.py
