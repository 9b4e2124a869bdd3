# docedit: every set-up step is here, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo preview test chromium lint bench assets clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q docedit  # an editable install compiles nothing itself
	touch $(STAMP)

demo: $(STAMP)  ## set up and render the sample documentary to out/intercepted.mp4
	$(BIN)/docedit validate timelines/intercepted.yaml
	$(BIN)/docedit render timelines/intercepted.yaml -o out/intercepted.mp4

preview: $(STAMP)  ## a fast, small render of the sample for checking the edit
	$(BIN)/docedit render timelines/intercepted.yaml --profile preview -o out/intercepted-preview.mp4

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 -q

# The review page's test opens it in a real browser: Playwright (a pip package) drives
# Debian's chromium, as its own browser download is not reachable everywhere.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

MAX_MODULE_LINES := 400

lint: $(STAMP)  ## ruff, mypy, the import contract (pyproject.toml), and no module over 400 lines
	$(BIN)/ruff check docedit tests bench assets
	$(BIN)/ruff format --check docedit tests bench assets
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	@find docedit -name '*.py' -exec wc -l {} + | awk -v max=$(MAX_MODULE_LINES) \
		'$$2 != "total" && $$1 > max { print $$2 ": " $$1 " lines, over " max; bad = 1 } \
		END { exit bad }'

bench: $(STAMP)
	$(BIN)/python -m bench

assets:  ## remake the sample media (needs Debian's espeak-ng and sox; results are committed)
	$(BIN)/python assets/make_assets.py

clean:
	rm -rf out .pytest_cache
