# The two commands a newcomer runs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PO_FILES := $(shell find locale -name '*.po' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test setup lint format messages clean bench

run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) seed_supervision
	$(MANAGE) runserver 127.0.0.1:8000

test: setup
	$(BIN)/python -m pytest

setup: $(VENV)/.installed node_modules/.installed $(MO_FILES)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ocr,pdf]'
	$(MAKE) --no-print-directory opencv-headless
	touch $@

# rapidocr_onnxruntime requires opencv-python, whose cv2 links libGL.so.1 (absent on most
# servers). Both wheels install the same cv2 package, so remove the GUI build and reinstall the
# headless one, at the version pyproject.toml pins, over it. `pip check` then reports rapidocr's
# unmet opencv-python requirement; the headless cv2 provides everything it uses.
.PHONY: opencv-headless
opencv-headless:
	@if $(BIN)/python -m pip show --quiet opencv-python 2>/dev/null; then \
	  $(BIN)/python -m pip uninstall --quiet --yes opencv-python && \
	  $(BIN)/python -m pip install --quiet --force-reinstall --no-deps \
	    "$$($(BIN)/python -m pip freeze | grep -i '^opencv-python-headless==')"; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Benchmarks against the limits of docs/performance.md, at 1× and 50× Hengzhou, on PostgreSQL
# only (benchmarks/run.py says what and how):
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/hengzhou_bench make bench
# uses hengzhou_bench_1x and hengzhou_bench_50x beside it (created and seeded when needed).
# BENCH_RUNS=5 runs of each measure; BENCH_ARGS=--quick runs the 50× 台账 (~2.5 min) once;
# also --fresh, --seed-timing, --sizes 1x, --skip posts. Writes benchmarks/results.json.
BENCH_RUNS ?= 5
BENCH_ARGS ?=

bench: setup $(VENV)/.bench-installed
	BENCH_RUNS=$(BENCH_RUNS) $(BIN)/python -m benchmarks.run $(BENCH_ARGS)

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,ocr,pdf,bench]'
	$(MAKE) --no-print-directory opencv-headless
	touch $@

# Compiled catalogues are built here, not committed; polib needs no system gettext.
%.mo: %.po $(VENV)/.installed
	$(BIN)/python -c 'import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' $< $@

# Refresh the catalogues after changing UI text (needs GNU gettext's xgettext).
messages: setup
	$(MANAGE) makemessages --locale zh_Hans --locale en --ignore '.venv/*' --ignore 'node_modules/*'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles
