# Idempotent: the virtualenv is built once and rebuilt only when pyproject.toml changes.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON ?= python3

CHROMIUM := /usr/bin/chromium
TESSERACT := /usr/bin/tesseract
PDFTOPPM := /usr/bin/pdftoppm
APT    := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: install chat test lint eval gate tesseract

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned to the CPU build: letting a resolver pick it pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,llm]'
	touch $(STAMP)

install: $(STAMP)

# the browser tests drive Debian's chromium through playwright (never playwright's own download)
$(CHROMIUM):
	$(APT) install -y -qq chromium || { $(APT) update -qq && $(APT) install -y -qq chromium; }

# OCR (scanned PDF pages, images): Debian's Tesseract and its English language data
$(TESSERACT):
	$(APT) install -y -qq tesseract-ocr tesseract-ocr-eng || { $(APT) update -qq && \
		$(APT) install -y -qq tesseract-ocr tesseract-ocr-eng; }

tesseract: $(TESSERACT)

# the OCR tests make their scans of real PDF pages with poppler's pdftoppm
$(PDFTOPPM):
	$(APT) install -y -qq poppler-utils || { $(APT) update -qq && $(APT) install -y -qq poppler-utils; }

chat: install $(TESSERACT)
	$(BIN)/rag serve

lint: install
	$(BIN)/ruff check rag ui tests evals bench

test: lint $(CHROMIUM) $(TESSERACT) $(PDFTOPPM)
	$(BIN)/pytest
	$(MAKE) gate

# fails when a suite's accuracy drops, or its false refusals or attack successes rise, more than
# 2 points beyond its baseline: ceasefire, multidoc, the false-refusal probe, synthesis, the
# conversation suite and the second injection set with the quoting generator, and ceasefire
# with the local model (a few minutes)
gate: install
	$(BIN)/rag eval ceasefire --generator extractive --gate evals/baseline.json --out reports/gate
	$(BIN)/rag eval multidoc --generator extractive --gate evals/baseline-multidoc.json \
		--out reports/gate-multidoc
	$(BIN)/rag eval probe --generator extractive --gate evals/baseline-probe.json \
		--out reports/gate-probe
	$(BIN)/rag eval synthesis --generator extractive --gate evals/baseline-synthesis.json \
		--out reports/gate-synthesis
	$(BIN)/rag eval conversation --generator extractive --gate evals/baseline-conversation.json \
		--out reports/gate-conversation
	$(BIN)/rag eval injection-2 --generator extractive --gate evals/baseline-injection-2.json \
		--out reports/gate-injection-2
	$(BIN)/rag eval ceasefire --generator local --gate evals/baseline-local.json \
		--out reports/gate-local

eval: install
	$(BIN)/rag eval --out reports/latest
