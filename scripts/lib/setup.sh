# Sourced by scripts/dev, scripts/test and scripts/bench: installs what is missing and
# nothing else, so every run after the first is quick. Follows the toolchain recipe in
# shared/design.md (wasm-bindgen from crates.io at the locked version; no downloads from
# GitHub).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
WORKER_BUILD_VERSION="0.8.7"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  if [ "$(worker-build --version 2>/dev/null || true)" != "$WORKER_BUILD_VERSION" ]; then
    say "installing worker-build $WORKER_BUILD_VERSION (a few minutes, once)"
    cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
  fi
  local bindgen
  bindgen="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen" ]; then
    say "installing wasm-bindgen-cli $bindgen to match Cargo.lock (a few minutes, once)"
    # Its own lockfile can pin a crate the registry mirror no longer serves; then let
    # cargo resolve that dependency afresh (the CLI version itself stays exact).
    cargo install wasm-bindgen-cli --version "$bindgen" --locked \
      || cargo install wasm-bindgen-cli --version "$bindgen"
  fi
  export WASM_BINDGEN_BIN="$HOME/.cargo/bin/wasm-bindgen"
}

ensure_node_modules() {
  command -v npm >/dev/null || { echo "node and npm are required"; exit 1; }
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    say "installing npm packages (wrangler, jose, miniflare)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# PostgreSQL on 127.0.0.1:5432 backs the Postgres store tests. These machines start it
# before the session; start it if it is down, and say so plainly if there is none.
ensure_postgres() {
  command -v psql >/dev/null || { echo "psql (PostgreSQL) is required for the Postgres store tests"; exit 1; }
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    if command -v pg_ctlcluster >/dev/null; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
  fi
}

# The browser tests drive Debian's Chromium (never a downloaded one: downloads fail here).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  say "installing Chromium from Debian's packages (once)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y --no-install-recommends chromium >/dev/null \
    || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
  [ -x /usr/bin/chromium ] || { echo "Chromium could not be installed (apt-get install chromium)"; exit 1; }
}

# AuthSec's Python SDK, pinned, in a virtualenv of its own (never the system Python):
# the SDK e2e test (tests/sdk/) drives it against the e2e Worker.
SDK_VERSION="4.7.3"
# authlib drives the OAuth provider's code flow from Python (tests/interop/).
AUTHLIB_VERSION="1.9.10"
ensure_sdk_venv() {
  local venv="$ROOT/.venv-sdk"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip show authsec-sdk 2>/dev/null | grep -qx "Version: $SDK_VERSION" \
    && "$venv/bin/python" -m pip show authlib 2>/dev/null | grep -qx "Version: $AUTHLIB_VERSION"; then
    return
  fi
  say "creating .venv-sdk with authsec-sdk $SDK_VERSION and authlib $AUTHLIB_VERSION (once)"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || { echo "python3 -m venv failed (apt-get install python3-venv)"; return 1; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "authsec-sdk==$SDK_VERSION" "authlib==$AUTHLIB_VERSION"
}

ensure_dev_vars() {
  node "$ROOT/scripts/lib/dev-vars.mjs" "$ROOT/.dev.vars"
}

setup_all() {
  ensure_rust
  ensure_node_modules
  ensure_dev_vars
}
