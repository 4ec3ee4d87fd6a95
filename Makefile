# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-midnight lint messages bench clean

# Development and tests install the pinned runtime set plus the pinned tools on top;
# a production machine installs requirements.txt alone.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m xiangcheng.devstack run

test: $(STAMP)
	$(PY) -m xiangcheng.devstack test $(ARGS)

# The suite again on a clock pinned either side of one midnight in Xiangcheng (Asia/Shanghai):
# just after it, while UTC is still on the day, month and year before, and just before it.
# New Year's Day 2027 is a Friday, so the inbox's working days count across the weekend too.
test-midnight: $(STAMP)
	$(PY) -m xiangcheng.devstack test --clock "2027-01-01 00:20" $(ARGS)
	$(PY) -m xiangcheng.devstack test --clock "2026-12-31 23:50" $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# manage.py defaults to the production settings; these two need the development ones.
messages: export DJANGO_SETTINGS_MODULE = xiangcheng.settings.local
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=.local --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans -l en --ignore=.venv

clean:
	rm -rf $(VENV) .local

# The benchmark (docs/perf.md): bulk data, every page against the floor, the sign-up rush and the
# reminder fan-out. A quick look: make bench ARGS="--pages --seconds 5 --scale 0.01".
bench: $(STAMP)
	$(PY) -m bench $(ARGS)
