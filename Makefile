# One entry point. `make lab` opens the workbook; `make test` runs every test and notebook.
# Each target sets up .venv/ inside the repository first, so a fresh clone needs only
# Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test refresh bench app student clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# JupyterLab refuses to start as root (containers, CI machines) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env

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

# The student edition: solution regions replaced by exercises, outputs cleared, in student/.
student: $(STAMP)
	$(BIN)/python -m w2v_lib.student_edition notebooks/0[0-5]*.ipynb --out-dir student

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
