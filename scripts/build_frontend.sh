#!/usr/bin/env bash
# Install the front-end packages and build the pages Flask serves (frontend/dist) when anything
# they are made of (sources, Vite config, build script, lock file) changed since the last build.
# Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
if [ -f dist/BUILT ] && [ -f dist/.vite/manifest.json ] && [ -z "$(find src scripts vite.config.js package.json package-lock.json -newer dist/BUILT -print -quit)" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to build the web assets (install Node.js 20+)" >&2
  exit 1
fi
echo "==> building the web assets (frontend/)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
