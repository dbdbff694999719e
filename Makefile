# HostDesk: `make run` sets up and starts HostDesk with a local LiveKit server;
# `make test` sets up and runs lint, type checks and every test (a real livekit-server included).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup livekit-server run serve test lint unit bench package clean

LIVEKIT_MIN := node_modules/.hostdesk/livekit-client.esm.min.mjs

setup: $(STAMP) livekit-server $(LIVEKIT_MIN)

# The viewer page's livekit-client, from npm (served by HostDesk itself, never from a CDN).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Its ES module build minified once (esbuild, from npm; exports and syntax kept as they are):
# half the bytes of every viewer's first visit on the host's uplink.
$(LIVEKIT_MIN): node_modules/.package-lock.json
	node_modules/.bin/esbuild node_modules/livekit-client/dist/livekit-client.esm.mjs \
	    --minify --format=esm --log-level=warning --outfile=$@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

livekit-server:
	@bash scripts/install-livekit-server.sh >/dev/null

run: setup
	$(BIN)/hostdesk --dev

serve: setup
	$(BIN)/hostdesk serve --dev

lint: $(STAMP) node_modules/.package-lock.json
	$(BIN)/ruff check hostdesk tests bench
	$(BIN)/ruff format --check hostdesk tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	node_modules/.bin/tsc --noEmit -p tsconfig.json

test: setup lint package
	@command -v node >/dev/null || { echo "node is missing: the viewer page's unit tests run on Node 20+ (apt-get install nodejs)" >&2; exit 1; }
	node --test tests/viewer/js/
	$(BIN)/python -m pytest

# The one-folder app: dist/HostDesk/hostdesk (PyInstaller, build.spec).
package: setup
	$(BIN)/pyinstaller --noconfirm --log-level ERROR build.spec
	@du -sh dist/HostDesk

# Everything that needs no livekit-server and no browser (the `integration` marker, which
# tests/conftest.py puts on every test using those fixtures), plus the page's pure modules.
unit: $(STAMP) node_modules/.package-lock.json
	node --test tests/viewer/js/
	$(BIN)/python -m pytest -m "not integration"

bench: setup
	$(BIN)/python bench/join_throughput.py

clean:
	rm -rf $(VENV) node_modules build dist .mypy_cache .ruff_cache .pytest_cache
