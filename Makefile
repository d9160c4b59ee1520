# towndesk — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= $(CURDIR)/.demo
DEMO_CASES ?= 2000
DEB_PACKAGES := fonts-wqy-microhei poppler-utils poppler-data xvfb xauth libxcb-icccm4 libxcb-keysyms1 \
	libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 imagemagick libzbar0

.PHONY: run test lint deps clean-demo bench installer installer-glibc228 bench-startup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The tests need the district server's packages too (the `server` extra); an operator's client does not.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,server]'
	touch $@

# Debian packages the tests need (installed only when missing and running as root).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing: $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages (install them as root): $$missing"; fi; \
	fi

run: $(VENV)/.installed
	@if [ ! -f "$(DEMO_DIR)/towndesk.sqlite3" ]; then $(BIN)/towndesk --data-dir "$(DEMO_DIR)" demo --cases $(DEMO_CASES); fi
	$(BIN)/towndesk --data-dir "$(DEMO_DIR)"

test: $(VENV)/.installed deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check app ui server tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/core.py

# CLI start-up as ratios to `python -c pass` (docs/PERFORMANCE.md, "Command start-up").
bench-startup: $(VENV)/.installed
	$(BIN)/python benchmarks/startup.py

clean-demo:
	rm -rf "$(DEMO_DIR)"

# Linux one-folder build (dist/towndesk) and its .deb (dist/towndesk_<version>_<arch>.deb); see installer/README.md.
installer: $(VENV)/.installed
	@$(BIN)/python -c "import PyInstaller, tzdata" 2>/dev/null || $(BIN)/pip install -q -e '.[installer]'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/towndesk.spec
	installer/linux/build_deb.sh dist/towndesk dist

# The same bundle and .deb for glibc 2.28 targets (UOS 20, Kylin V10), built in a debootstrapped
# Debian 10 chroot (root; see installer/README.md for what it needs and what was run).
installer-glibc228:
	installer/linux/build_glibc228.sh dist/glibc228
