# Everything goes through a local virtual environment, rebuilt when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test lint typecheck bench setup clean chromium postgres

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

setup: $(STAMP)

# `make run USER=3001` (or `make chat USER=3001`) is the terminal chat as user 3001. Only a USER given on
# the command line counts: the shell's own USER (the login name) is not a chat user.
CHAT_USER := $(if $(filter command line,$(origin USER)),--user $(USER))

run: $(STAMP)
	$(BIN)/python -m bot run $(CHAT_USER)

chat: $(STAMP)
	$(BIN)/python -m bot chat $(CHAT_USER)

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The PostgreSQL tests get a throw-away server where PostgreSQL is installed; elsewhere they are skipped.
# TEST_WORKERS processes share the suite (pytest-xdist); TEST_WORKERS=0 runs it in this one process. One per
# core: on 2 cores, 2 workers took 2:11 and 226 s of CPU, 3 took 2:23 and 249 s, 4 took 2:37 and 271 s.
# Bytecode is written even where the environment asks not to (PYTHONDONTWRITEBYTECODE): otherwise each
# worker and every bot process a test starts compiles the bot and the tests anew, a third of their start-up.
# Each test's files (its SQLite database above all) are in memory where the machine has 2 GiB free there: on a
# virtual disk the same tests took a sixth longer. Only failed tests' folders are kept (pyproject.toml).
TEST_WORKERS ?= auto
TEST_TMPDIR := $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$$(df -Pk /dev/shm | awk 'NR == 2 {print $$4}')" -gt 2097152 ] && echo /dev/shm)
# The type check runs beside the tests and its output follows theirs: without its cache (a fresh clone) mypy
# takes half a minute of one core, which the tests, often waiting on processes and sockets, leave partly idle.
# It runs at a lower priority, so that it takes those idle moments rather than the tests' turns: on a fresh
# clone's caches, alternating rounds, make test took 117 and 112 s with mypy at the tests' priority, 105 and 99 s
# niced. make fails if either fails.
test: $(STAMP) chromium postgres lint
	@typecheck="$$(mktemp)"; trap 'rm -f "$$typecheck"' EXIT; \
	nice -n 10 $(BIN)/mypy >"$$typecheck" 2>&1 & mypy=$$!; \
	echo "$(BIN)/python -m pytest -n $(TEST_WORKERS), and $(BIN)/mypy beside it"; \
	PYTHONDONTWRITEBYTECODE= $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR) )./scripts/with-postgres.sh \
		$(BIN)/python -m pytest -n $(TEST_WORKERS); tests=$$?; \
	wait $$mypy; typed=$$?; echo "$(BIN)/mypy"; cat "$$typecheck"; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

# The desk's browser tests use Debian's Chromium: installed here where we are root with apt, otherwise they
# are skipped (install it with `apt-get install chromium`, or point CHROMIUM at one).
chromium:
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: the browser tests will be skipped"; \
	else echo "no chromium: the browser tests will be skipped (apt-get install chromium to run them)"; fi

# The PostgreSQL tests start a throw-away server from Debian's package (scripts/with-postgres.sh): installed
# here where we are root with apt, otherwise they are skipped with one line saying how to run them.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			postgresql >/dev/null) || echo "postgresql could not be installed: the PostgreSQL tests will be skipped"; \
	else echo "no postgresql: its tests will be skipped (apt-get install postgresql to run them)"; fi

# Every bench in turn (under a throw-away PostgreSQL server where one can be started, for the PostgreSQL
# bench), then one table of every figure the benches recorded, its goal and whether it holds. A bench that
# fails does not stop the others; it is named under the table and make fails.
bench: $(STAMP)
	@BENCH_SUMMARY="$$(mktemp)" ./scripts/with-postgres.sh sh -c '\
		failed=""; \
		for script in bench/bench_*.py; do \
			echo; echo "== $$script"; $(BIN)/python $$script || failed="$$failed $$script"; \
		done; \
		$(BIN)/python bench/summary.py "$$BENCH_SUMMARY" $$failed; rm -f "$$BENCH_SUMMARY"; [ -z "$$failed" ]'

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
