# The Redis Cluster Workshop. Two commands: `make lab` (start learning) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Notebook kernels run `python` from PATH: make it the venv's.
export PATH := $(BIN):$(PATH)
PYTEST := $(BIN)/python -m pytest

.PHONY: lab setup setup-dev lock redis up status down notebooks messages test test-unit test-cluster test-docker test-notebooks test-notebooks-fr test-notebooks-docker test-binder test-browser bench

lab: setup redis  ## set everything up, start the cluster, open JupyterLab on the notebooks
	$(BIN)/python -m helpers lab

setup: $(VENV)/.runtime  ## the virtual environment with the runtime dependencies
setup-dev: $(VENV)/.dev  ## ... plus what the tests need

# Students get the newest versions the ranges in requirements.txt allow. Tests and CI install the
# exact versions of constraints.txt, so a new release upstream cannot turn them red by itself.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

$(VENV)/.dev: $(BIN)/python requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt -e .
	touch $(VENV)/.runtime $@

# Refresh the locked versions (then run make test and commit constraints.txt): make lock
lock:  ## re-resolve requirements-dev.txt in a fresh venv and write constraints.txt
	rm -rf /tmp/workshop-lock && $(PYTHON) -m venv /tmp/workshop-lock
	/tmp/workshop-lock/bin/pip install --quiet --upgrade pip
	/tmp/workshop-lock/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Exact versions for make test and CI, from requirements-dev.txt's ranges. Refresh: make lock"; \
	  /tmp/workshop-lock/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf /tmp/workshop-lock

redis:  ## install redis-server when missing (apt-get, sudo apt-get or brew); else point to Docker
	@command -v redis-server >/dev/null && exit 0; \
	if command -v apt-get >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y redis-server redis-tools || { $$SUDO apt-get update && $$SUDO apt-get install -y redis-server redis-tools; }; \
	elif command -v brew >/dev/null; then brew install redis; \
	else echo "Could not install redis-server on this machine. Use Docker instead: start Docker, then run"; \
	  echo "  $(BIN)/python -m helpers up --backend docker"; fi

up: setup redis  ## start the cluster (or find the running one)
	$(BIN)/python -m helpers up
status: setup
	$(BIN)/python -m helpers status
down: setup  ## stop the cluster, keep its data
	$(BIN)/python -m helpers down

# Edit a notebook's text source (notebooks/NN_*.md), then rebuild the .ipynb students open:
# its cells from the .md, its outputs by running every notebook in order, as a student would,
# on a private cluster at ports 7000-7005 (the ports students see; stop your own first: make down).
# One notebook only: make notebooks NOTEBOOKS=notebooks/02_first_steps.md
# The French edition (notebooks/fr/, run in French) after the English one: make notebooks NOTEBOOKS="$$(ls notebooks/fr/0*.md)"
NOTEBOOKS ?= $(sort $(wildcard notebooks/[0-9][0-9]_*.md)) $(sort $(wildcard notebooks/fr/[0-9][0-9]_*.md))
notebooks: setup-dev redis  ## rebuild the .ipynb files from their .md sources and run them in order
	@home=$$(mktemp -d /tmp/workshop-notebooks-XXXX); \
	export WORKSHOP_HOME=$$home WORKSHOP_BASE_PORT=7000; unset REDIS_CLUSTER_URL; \
	status=0; for source in $(NOTEBOOKS); do \
	  echo "== $$source"; \
	  case "$$source" in notebooks/fr/*) export WORKSHOP_LANG=fr;; *) export WORKSHOP_LANG=en;; esac; \
	  $(BIN)/jupytext --quiet --to ipynb --update "$$source" && \
	  $(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=900 "$${source%.md}.ipynb" || { status=1; break; }; \
	done; \
	$(BIN)/python -m helpers down --purge >/dev/null; rm -rf "$$home"; exit $$status

# Every message the helpers and the notebooks' code cells show a student is an English template
# translated by helpers/locale/<language>/LC_MESSAGES/helpers.po (helpers/i18n.py). After adding
# or changing one: `make messages`, translate the new entries of the .po (no "fuzzy" left), then
# `make messages` again to compile the .mo. tests/unit/test_messages.py fails until both are done.
MESSAGES := helpers/locale
# `mark`: a lab's events, named in the notebooks (writer.mark("kill")), drawn translated by charts.py.
BABEL_KEYWORDS := -k _n:1,2 -k tr -k tr_n:1,2 -k mark
messages: setup-dev  ## extract the messages into the .po catalogues, and compile them
	$(BIN)/pybabel --quiet extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-by-file \
	  --no-wrap --project="Redis Cluster Workshop" -o $(MESSAGES)/helpers.pot .
	$(BIN)/pybabel --quiet update -i $(MESSAGES)/helpers.pot -d $(MESSAGES) -D helpers --no-wrap \
	  --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel --quiet compile -d $(MESSAGES) -D helpers --statistics
	rm $(MESSAGES)/helpers.pot

# Every layer reads pytest.ini: a notebook cell fails after 600 s (--nbval-cell-timeout) and any
# test after 900 s (pytest-timeout), so a hang costs minutes, not nbval's default 2,000 s per cell.
# Two pytest-xdist workers: most of a test's time is waiting (a failure to be agreed on, a new
# master's 2 s before it says ok), so two run side by side on two cores. The notebooks stay
# together, in order, on one worker; they come first, being the longest (tests/nbval_cluster.py).
test: setup-dev redis  ## every layer: unit, cluster, docker, notebooks, browser; then the notebooks on Docker alone, as on Binder, over TLS, and in French
	$(PYTEST) -n 2 --nbval notebooks tests --ignore=notebooks/fr
	$(MAKE) --no-print-directory -j 2 --output-sync test-notebooks-docker test-binder test-notebooks-tls test-notebooks-fr
test-unit: setup-dev
	$(PYTEST) tests/unit
test-cluster: setup-dev redis
	$(PYTEST) tests/cluster
test-docker: setup-dev
	$(PYTEST) tests/docker
test-notebooks: setup-dev redis
	$(PYTEST) --nbval notebooks --ignore=notebooks/fr
# The French edition (notebooks/fr/), its kernels in French (tests/nbval_cluster.py), on ports from
# 7800, away from the passes it runs beside.
test-notebooks-fr: setup-dev redis
	NOTEBOOKS_PORTS_FROM=7800 $(PYTEST) --nbval notebooks/fr
# The notebooks again, on the docker backend, on a machine where Redis's programs are hidden
# (tests/without-redis.sh): what a student with Docker alone runs. Without a Docker engine it is
# skipped on a laptop, and fails in CI (CI=true), where no layer may skip. Notebook 06 needs the
# local backend's relay; tests/docker checks that Docker refuses it with the way out.
test-notebooks-docker: setup-dev
	@if ! docker info >/dev/null 2>&1; then \
	  if [ "$$CI" = true ]; then echo "CI=true and no Docker engine answers: .ci/run must start one"; exit 1; fi; \
	  echo "test-notebooks-docker: skipped, no Docker engine answers"; exit 0; fi; \
	tests/without-redis.sh env WORKSHOP_BACKEND=docker $(PYTEST) --nbval notebooks \
	  --ignore=notebooks/06_network_partitions.ipynb --ignore=notebooks/fr

# The notebooks as Binder runs them (binder/): a non-root user, a fresh virtual environment with
# only what binder/ installs, the local backend (tests/as-binder.sh; needs network for pip).
# `make test` runs it beside test-notebooks-docker: each finds free ports for its cluster when
# its first notebook starts, the docker pass within seconds, this one after a minute of pip.
test-binder: redis
	tests/as-binder.sh

# Notebooks 02 and 03 on a TLS cluster (`up --tls`) that they reach only as an external one,
# through REDIS_CLUSTER_URL=rediss://...?ssl_ca_certs=... (tests/nbval_cluster.py). On ports from
# 7600: it starts while the docker and Binder passes run, and their notebook 07 restarts a cluster.
test-notebooks-tls: setup-dev redis
	NOTEBOOKS_OVER_TLS=yes NOTEBOOKS_PORTS_FROM=7600 $(PYTEST) --nbval notebooks/02_first_steps.ipynb \
	  notebooks/03_python_integration.ipynb

test-browser: setup-dev redis  ## needs Debian's chromium at /usr/bin/chromium
	$(PYTEST) tests/browser

bench: setup-dev redis  ## timing goals, as ratios against the reference tools
	$(BIN)/python bench/cluster_startup.py
	$(BIN)/python bench/bulk_load.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/failover.py
	$(BIN)/python bench/relay.py
	$(BIN)/python bench/tls.py
