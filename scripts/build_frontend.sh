#!/usr/bin/env bash
# Install the front-end packages and build the assets Flask serves (frontend/dist), when the
# lock file changed since the last build. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
if [ -f dist/BUILT ] && [ dist/BUILT -nt package-lock.json ] && [ dist/BUILT -nt scripts/build.mjs ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to build the web assets (install Node.js 20+)" >&2
  exit 1
fi
echo "==> building the web assets (frontend/)"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
