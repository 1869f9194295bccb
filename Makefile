# BudgetDesk — `make run` and `make test` work on a fresh machine with Python 3.11+ (Linux or Windows).
ifeq ($(OS),Windows_NT)
PYTHON ?= python
# cmd.exe does not run a program named with forward slashes
VENV_PY := .venv\Scripts\python.exe
else
PYTHON ?= python3
VENV_PY := .venv/bin/python
endif
STAMP := .venv/.installed

.PHONY: run test bench lint screenshots installer dist dist-host deb clean

$(STAMP): pyproject.toml
	@echo "正在安装依赖（首次约 1 分钟）…"
	$(PYTHON) -m venv .venv
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --progress-bar on -e ".[dev]"
	$(VENV_PY) -c "import pathlib; pathlib.Path('$(STAMP)').touch()"

# make run ARGS="--db FILE" passes options to the program. On Linux the X11 libraries Qt needs are
# checked first (app/system/qtdeps.py): installed with apt-get as root, else the exact apt-get line is shown.
run: $(STAMP)
ifneq ($(OS),Windows_NT)
	$(VENV_PY) -m app.system.qtdeps
endif
	$(VENV_PY) -m app $(ARGS) gui

# The layer contracts (import-linter: wings, no import circles) and the type check (mypy on app/ and db/)
# run before the tests; docs/architecture.md explains both.
test: export QT_QPA_PLATFORM = offscreen
test: $(STAMP)
	$(VENV_PY) -c "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())" --no-cache
	$(VENV_PY) -m mypy
	$(VENV_PY) -m pytest

bench: export QT_QPA_PLATFORM = offscreen
bench: $(STAMP)
	$(VENV_PY) -m bench --json build/bench.json

lint: $(STAMP)
	$(VENV_PY) -m ruff check .

screenshots: export QT_QPA_PLATFORM = offscreen
screenshots: $(STAMP)
	$(VENV_PY) -m devtools.screenshots build/screenshots

# The frozen program, one folder: dist/BudgetDesk/ (Linux and Windows). PyInstaller is pinned in
# the "dist" extra. Windows then: ISCC installer\budgetdesk.iss (README, 安装).
DIST_STAMP := .venv/.dist-installed
$(DIST_STAMP): $(STAMP) pyproject.toml
	$(VENV_PY) -m pip install --quiet -e ".[dev,dist]"
	$(VENV_PY) -c "import pathlib; pathlib.Path('$(DIST_STAMP)').touch()"

# On Linux the interpreter and the C libraries it carries are compiled for glibc 2.28 first
# (installer/old_glibc.py, zig cc; build/old-glibc/), so the program runs on 统信UOS 20 / 银河麒麟 V10;
# installer/glibc.py then refuses any file that needs a newer glibc. ARCH=aarch64: the arm64 recipe.
# `make dist-host` freezes with this machine's interpreter instead (quick; runs on this glibc or newer).
ifeq ($(OS),Windows_NT)
dist: dist-host
else
ARCH ?= $(shell uname -m)
dist: $(DIST_STAMP)
	$(VENV_PY) -m installer.old_glibc --arch $(ARCH)
	$(VENV_PY) -m installer.glibc dist/BudgetDesk
	$(VENV_PY) -m installer.sizes dist/BudgetDesk
endif

dist-host: $(DIST_STAMP)
	$(VENV_PY) -m PyInstaller --noconfirm --clean --log-level WARN build_installer.spec
	$(VENV_PY) -m installer.sizes dist/BudgetDesk

installer: dist

# Linux: dist/budgetdesk_<version>_<arch>.deb from the frozen program (dpkg-deb, no fpm).
deb: dist
	$(VENV_PY) -m installer.deb

clean:
	$(PYTHON) -c "import shutil; [shutil.rmtree(p, ignore_errors=True) for p in ('.venv', 'build', 'dist')]"
