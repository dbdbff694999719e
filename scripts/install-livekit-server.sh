#!/usr/bin/env bash
# Install the pinned livekit-server used by HostDesk's --dev mode and integration tests.
#
# The binary goes to a cache outside the repository:
#   ${HOSTDESK_CACHE:-$HOME/.cache/hostdesk}/livekit-server-v1.9.12/livekit-server
# and is reused when already there. The last line printed on success is its absolute path.
#
# Needs Go (the build uses `go install`, CGO disabled). A first build downloads the module
# graph from the Go module proxy and takes a minute or two; later builds reuse go's caches.
set -euo pipefail

VERSION="v1.9.12"
MODULE="github.com/livekit/livekit-server/cmd/server"

cache_root="${HOSTDESK_CACHE:-${HOME:?HOME is not set}/.cache/hostdesk}"
dest_dir="${cache_root}/livekit-server-${VERSION}"
dest="${dest_dir}/livekit-server"

log() { printf '%s\n' "$*" >&2; }
fail() { log "install-livekit-server: $*"; exit 1; }

if [[ -x "${dest}" ]]; then
    # Already installed: reuse it.
    (cd "${dest_dir}" && printf '%s\n' "$(pwd -P)/livekit-server")
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    fail "Go is not installed (needed to build livekit-server ${VERSION}).
Install Go 1.24 or newer: a release from https://go.dev/dl/, or your distribution's package
(e.g. 'apt-get install golang' where that is new enough; Debian 12's is 1.19, too old), then run
this script again. Or point HOSTDESK_LIVEKIT_SERVER at an existing livekit-server binary."
fi

# livekit-server v1.9.12 declares `go 1.24.0`. Go 1.21+ can fetch a newer toolchain by itself
# (GOTOOLCHAIN=auto); older Go (e.g. Debian 12's golang 1.19) cannot.
go_version="$(go env GOVERSION 2>/dev/null || true)"   # e.g. go1.26.8
go_minor="$(printf '%s' "${go_version}" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [[ -n "${go_minor}" ]] && (( go_minor < 24 )); then
    if (( go_minor < 21 )) || [[ "$(go env GOTOOLCHAIN)" == "local" ]]; then
        fail "livekit-server ${VERSION} needs Go 1.24 or newer; found ${go_version:-an unknown Go}.
Install a recent Go from https://go.dev/dl/ (or Debian backports), or with Go 1.21+ set
GOTOOLCHAIN=auto so that go fetches the toolchain it needs, then run this script again."
    fi
fi

mkdir -p "${dest_dir}" || fail "cannot create ${dest_dir}"
dest_dir="$(cd "${dest_dir}" && pwd -P)"
dest="${dest_dir}/livekit-server"

# Build into a private temporary GOBIN inside the cache (same filesystem, so the final mv is an
# atomic rename and a concurrent run never sees a half-written binary).
tmp_bin="$(mktemp -d "${dest_dir}/.gobin.XXXXXX")"
cleanup() { rm -rf "${tmp_bin}"; }
trap cleanup EXIT

log "Building livekit-server ${VERSION} with $(go version) (go install ${MODULE}@${VERSION}) ..."
start=${SECONDS}
if ! GOBIN="${tmp_bin}" CGO_ENABLED=0 \
        go install "${MODULE}@${VERSION}"; then
    fail "'go install ${MODULE}@${VERSION}' failed (see the go output above).
Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)) and that your Go
($(go version)) is recent enough for livekit-server ${VERSION}."
fi

if [[ ! -x "${tmp_bin}/server" ]]; then
    fail "'go install' succeeded but produced no '${tmp_bin}/server' binary"
fi

if ! version_out="$("${tmp_bin}/server" --version 2>&1)"; then
    fail "the built binary does not run: ${version_out}"
fi

mv -f "${tmp_bin}/server" "${dest}" || fail "cannot move the binary to ${dest}"
log "Built ${version_out} in $((SECONDS - start)) s."
printf '%s\n' "${dest}"
