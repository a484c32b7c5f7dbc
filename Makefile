# Two commands on a fresh machine: `make run` (extract the bundled corpus) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps corpus run test clean

# Debian fonts for the PDF fixtures (DejaVu has every Vietnamese glyph). Installed when we
# are root; otherwise we say exactly what to install.
system-deps:
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; \
	  else echo "please install the DejaVu fonts: sudo apt-get install fonts-dejavu-core"; fi; \
	fi

$(BIN)/kehoach: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

setup: system-deps $(BIN)/kehoach

# DOCX and text-PDF versions of the sample plans, generated (never committed).
corpus: setup
	$(BIN)/python scripts/make_corpus_formats.py corpus corpus/generated

run: corpus
	$(BIN)/kehoach extract corpus -o outputs

test: corpus
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) outputs/*.parquet corpus/generated .pytest_cache
