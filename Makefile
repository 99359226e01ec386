# One entry point. `make lab` opens the workbook; `make test` runs every test and notebook.
# Each target sets up .venv/ inside the repository first, so a fresh clone needs only
# Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab lint test test-quick test-no-avx512 test-min refresh bench app student grade grade-usage clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# JupyterLab refuses to start as root (containers, CI machines) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG)

# pytest-xdist: one worker per core (at most 4). conftest.py keeps the notebooks together in one
# worker, in order, the browser tests together in another, and each test module together (its
# module-scoped fixtures built once), longest work first. The 20 slowest tests are listed.
XDIST := -n auto --maxprocesses 4 --durations 20
test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) notebooks tests --nbval --nbval-current-env

# While working: the tests that take seconds (no notebook, release run, grading run or browser).
test-quick: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 tests -m "not slow and not browser"

# The notebooks again with numpy's AVX-512 code paths switched off (numpy 1.x and 2.x names), so
# that one machine checks the stored outputs for CPUs with and without AVX-512.
NO_AVX512 := AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4
test-no-avx512: $(STAMP)
	NPY_DISABLE_CPU_FEATURES="$(NO_AVX512)" $(BIN)/python .ci/simd_report.py --expect-no-avx512
	NPY_DISABLE_CPU_FEATURES="$(NO_AVX512)" $(BIN)/python -m pytest notebooks --nbval --nbval-current-env

# The lowest versions pyproject.toml admits, in a venv of their own: the lower bounds are tested.
# Notebooks run with --nbval-lax there (every cell must run; older numpy prints some values
# differently, so their text is compared only in the newest versions).
VENV_MIN  := .venv-min
STAMP_MIN := $(VENV_MIN)/.installed
$(STAMP_MIN): pyproject.toml
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_MIN)/bin/python .ci/min_constraints.py > $(VENV_MIN)/constraints.txt
	$(VENV_MIN)/bin/python -m pip install --quiet -c $(VENV_MIN)/constraints.txt -e '.[test]'
	touch $(STAMP_MIN)

# The browser tests are left out there: with the oldest JupyterLab/Voila/ipywidgets/plotly/playwright
# stack the explorer's figure does not draw within their time limit (measured, not yet bisected);
# they run with the newest versions in `make test`.
test-min: $(STAMP_MIN)
	$(VENV_MIN)/bin/python -m pytest tests notebooks --nbval-lax --nbval-current-env -m "not browser"

# Re-execute every notebook in place: the only way stored outputs are produced.
# No widget state and no timing metadata are saved, so outputs stay comparable.
refresh: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=900 \
	  --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.record_timing=False \
	  notebooks/*.ipynb

# The explorer as a standalone web app (Voila), for people who do not code: app/explorer.ipynb
# shows only the explorer; app/voila.json culls a kernel 5 minutes after its tab is closed.
app: $(STAMP)
	$(BIN)/voila app/explorer.ipynb --Voila.config_file_paths=app

# Style (ruff) and the layers contract (import-linter: [tool.importlinter] in pyproject.toml).
# .pre-commit-config.yaml runs the same two on every commit once `pre-commit install` is done.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(VENV_MIN) .pytest_cache .hypothesis

# The course's grader (nbgrader) is an optional extra: installed on first use only.
GRADE_STAMP := $(VENV)/.grade-installed

$(GRADE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[grade]'
	touch $(GRADE_STAMP)

# The student release in student/ (docs/instructors.md); RELEASE_FLAGS="--no-hints --notebooks 00-05" for
# graded use (the graded part first; the later notebooks after the deadline).
student: $(GRADE_STAMP)
	$(BIN)/python -m w2v_lib student --out student --force $(RELEASE_FLAGS)

# make grade SUBMISSIONS=<folder>: <folder>/<student-id>/*.ipynb -> <folder>/grades.csv, <folder>/feedback/
# Without SUBMISSIONS it stops at the usage line, before installing anything.
grade: $(if $(SUBMISSIONS),$(GRADE_STAMP),grade-usage)
	$(BIN)/python -m w2v_lib grade "$(SUBMISSIONS)"

grade-usage:
	@echo "usage: make grade SUBMISSIONS=<folder of <student-id>/ folders>"; exit 2
