#!/usr/bin/env bash
# `make demo`: installs what is missing, builds the package, and serves the demo portal and the sandbox API on
# 127.0.0.1 (port $PORT, default 8080; a free port if that one is taken). Ctrl-C stops it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
./scripts/setup.sh
./scripts/package.sh
build_sandbox
PORT=${PORT:-8080}
addr="127.0.0.1:$PORT"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then addr="127.0.0.1:0"; fi
echo "Demo: the Lumen Rewards portal on the carecloud-customer package, against the embedded CareCloud sandbox."
echo "Customers: alice@example.com / Passw0rd1, bob@example.com / Passw0rd2."
exec "$SANDBOX_BIN" --addr "$addr" "${SANDBOX_SITE[@]}"
