# Postvak: the two commands are `make run` and `make test`.
#   make run     first use: venv, install, `postvak init ./var`, demo user (password printed); then serve
#   make test    venv with test extras, test data, the whole test suite (PostgreSQL part only if POSTVAK_TEST_PG)
#   make check   ruff + mypy + test
#   make bench   every bench/bench_*.py, printing its figures
#   make clean   caches and build output; `make distclean` also removes .venv and ./var (the demo data)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
VAR    ?= var
CONFIG := $(VAR)/postvak.toml
# Unprivileged users cannot bind ports below 1024: shift every port by 10000 (993 -> 10993).
PORT_OFFSET ?= $(shell [ "$$(id -u)" = 0 ] && echo 0 || echo 10000)
DEMO_DOMAIN := example.test
DEMO_USER   := demo@$(DEMO_DOMAIN)
SOURCES := config protocols store filters crypto servers

.PHONY: run test check lint typecheck bench clean distclean testdata

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(CONFIG): | $(VENV)/.installed
	$(VENV)/bin/postvak init $(VAR) --port-offset $(PORT_OFFSET) --listen 127.0.0.1 --hostname localhost
	$(VENV)/bin/postvak -c $(CONFIG) domain add $(DEMO_DOMAIN)
	@password="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(12))')"; \
	printf '%s\n' "$$password" | $(VENV)/bin/postvak -c $(CONFIG) user add $(DEMO_USER) --password-stdin >/dev/null && \
	echo "" && \
	echo "  demo account: $(DEMO_USER)  password: $$password" && \
	echo "  IMAPS 127.0.0.1:$$((993 + $(PORT_OFFSET)))  submission 127.0.0.1:$$((587 + $(PORT_OFFSET)))  (self-signed certificate: $(VAR)/cert.pem)" && \
	echo "  (printed once; change it with: $(VENV)/bin/postvak -c $(CONFIG) user passwd $(DEMO_USER))" && \
	echo ""

run: $(VENV)/.installed $(CONFIG)
	$(VENV)/bin/postvak -c $(CONFIG) serve

# Test data that is too large to keep in git is fetched by tests/data/fetch.py, when there is one.
testdata: $(VENV)/.installed-test
	@if [ -f tests/data/fetch.py ]; then $(PY) tests/data/fetch.py; fi

test: $(VENV)/.installed-test testdata
	@if [ -z "$$POSTVAK_TEST_PG" ]; then \
		echo "note: POSTVAK_TEST_PG is not set: the PostgreSQL run is skipped (SQLite runs in full)"; fi
	$(VENV)/bin/pytest tests

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy $(SOURCES)

check: lint typecheck test

bench: $(VENV)/.installed-test
	@found=0; for script in bench/bench_*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(PY) "$$script" || exit 1; \
	done; [ $$found = 1 ] || echo "no bench/bench_*.py yet"

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist bench/results

distclean: clean
	rm -rf $(VENV) $(VAR)
