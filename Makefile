# Two commands on a fresh machine: `make run` (extract the bundled corpus) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps corpus run lint test test-fast clean

# Debian packages: Tesseract with its Vietnamese model (OCR of scans), the DejaVu fonts
# for the PDF fixtures (every Vietnamese glyph) and Chromium, which the review page's
# browser tests drive (Playwright runs the system's Chromium; it downloads no browser).
# Installed when we are root; otherwise we say exactly what to install.
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-vie fonts-dejavu-core chromium
system-deps:
	@if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx vie \
	    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "please install: sudo apt-get install $(SYSTEM_PACKAGES)"; fi; \
	fi

$(BIN)/kehoach: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

setup: system-deps $(BIN)/kehoach

# DOCX, text-PDF and scanned (image-only PDF, TIFF) versions of the sample plans,
# generated (never committed).
corpus: setup
	$(BIN)/python scripts/make_corpus_formats.py corpus corpus/generated
	$(BIN)/python scripts/make_scans.py corpus/generated corpus/generated/scans

run: corpus
	$(BIN)/kehoach extract corpus -o outputs

# the gate (issue 12): ruff (pyflakes, pycodestyle, bugbear, import order, complexity at
# 110 columns) and mypy (every function typed); settings in pyproject.toml
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: corpus lint
	$(BIN)/python -m pytest -q

# everyday edits: everything but the OCR, batch, packaging and browser tests
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow and not browser"

clean:
	rm -rf $(VENV) outputs/[!R]* outputs/_parts corpus/generated .pytest_cache
