#!/usr/bin/env bash
# install.sh: idempotent set-up of Supersonic on a fresh Debian 12 machine.
#   1. Debian packages (skipped when all are already installed),
#   2. gonb and goimports built into ./bin from the versions pinned by the `tool`
#      directives in go.mod, gopls v0.23.0, and the kernel binary ./bin/supersonic,
#   3. the npm packages of the browser test tier (puppeteer-core, pinned by
#      notebooks/browser/package-lock.json) in notebooks/browser/node_modules,
#   4. the Jupyter kernelspec "supersonic" registered for the current user.
# Run as root, or as a user with sudo. Exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "$0")"
REPO="$(pwd)"

say()  { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
trap 'fail "failed at line $LINENO: $BASH_COMMAND"' ERR

PACKAGES=(
  jupyter-notebook python3-nbclient jupyter-nbconvert python3-jupyter-client python3-ipykernel
  clang-19 llvm-19 llvm-19-dev csmith libcsmith-dev z3 libz3-dev libhalide14-0-dev
  sqlite3 chromium fonts-liberation2 gcc libomp-19-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  say "Debian packages: all ${#PACKAGES[@]} already installed, skipping apt"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "not root and no sudo: cannot install ${missing[*]}"
    SUDO="sudo"
  fi
  say "Debian packages: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

command -v go >/dev/null || fail "go is not on PATH; install Go $(sed -n 's/^go //p' go.mod) first"
[ -x /usr/bin/python3 ] || fail "/usr/bin/python3 is missing"
/usr/bin/python3 -c 'import jupyter_client, nbclient' || fail "/usr/bin/python3 lacks jupyter_client or nbclient"

mkdir -p bin
say "Building gonb and goimports (pinned by go.mod's tool directives) and gopls v0.23.0 into bin/"
go build -o bin/ github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports
# gopls v0.23.0 builds only with the golang.org/x/tools it was released with, older than the one
# NATS (nats-server -> x/crypto -> x/text) brings into go.mod: it is built in a module of its own.
GOFLAGS= GOBIN="$REPO/bin" go install golang.org/x/tools/gopls@v0.23.0

say "Building the kernel into bin/supersonic"
go build -o bin/supersonic ./kernel/cmd/supersonic

say "Building every package once, so that notebook cells compile from a warm cache"
go build ./...

say "npm packages of the browser test tier (notebooks/browser: puppeteer-core) into notebooks/browser/node_modules"
if ! command -v npm >/dev/null; then
  say "npm is missing: installing Debian's npm"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends npm
fi
want="$(node -p 'require("./notebooks/browser/package.json").dependencies["puppeteer-core"]')"
have="$(node -p 'try { require("./notebooks/browser/node_modules/puppeteer-core/package.json").version } catch (e) { "" }')"
if [ "$want" = "$have" ]; then
  echo "puppeteer-core $have already installed, skipping npm"
else
  (cd notebooks/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

say "Registering the Jupyter kernelspec 'supersonic'"
bin/supersonic install --user --gonb "$REPO/bin/gonb" --checkout "$REPO"

say "Done: $(bin/supersonic version)"
