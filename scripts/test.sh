#!/usr/bin/env bash
# Run the whole test suite (unit tests, docs doctests, strict site build): installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/ensure_chromium.sh
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
