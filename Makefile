# Linli: `make run` starts the demo on embedded defaults; `make test` runs everything against PostgreSQL and Redis.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per requirements file's contents: a change to either file reinstalls what it lists.
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | md5sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

PG_URL ?= postgres://postgres@127.0.0.1:5432/linli
REDIS ?= redis://127.0.0.1:6379
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(REDIS)/0} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(REDIS)/1}

.PHONY: install install-dev run test lint messages bench fuzz loadtest backup restore clean

# `make run` installs what runs Linli (requirements.txt); tests, lint and benchmarks also the tools
# (requirements-dev.txt, which includes the first).
$(RUN_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "Linli needs Python 3.11 or newer: make $(MAKECMDGOALS) PYTHON=python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $(DEV_STAMP)

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Linli is starting at http://127.0.0.1:8000/   (API docs: http://127.0.0.1:8000/api/docs/)"
	@echo "  Demo logins, password linli-demo-2026:"
	@echo "    district · town_houlong · community_fulian · staff_yifang · staff_yijiayuan"
	@echo "    resident_fulian · committee_fulian · mediator_shanyao · admin (site administrator)"
	@echo "  Ctrl-C stops the web server, the Celery worker and Celery beat."
	@echo ""
	$(BIN)/honcho start -f Procfile

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-dev lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	@test -x /usr/bin/chromium || echo "note: Debian's chromium is missing (apt-get install chromium); browser tests will fail"
	$(TEST_ENV) $(BIN)/pytest -n 2 -q

messages: install
	for app in core communities complaints committees inspections mediation ratings summons bulletins; do \
	  (cd $$app && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete); done
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete $(foreach a,core communities complaints committees inspections mediation ratings summons bulletins .venv var,-i "$(a)/*")
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

# Metrics engine at 10,000 compounds / 1,000,000 complaints (bench/metrics.py); drops and recreates its own
# database (BENCH_METRICS_DATABASE_URL, default linli_bench_metrics).
.PHONY: bench-metrics
bench: bench-metrics
bench-metrics: install-dev
	REDIS_URL=$${REDIS_URL:-$(REDIS)/0} $(BIN)/python bench/metrics.py

# Exports (bench/exports.py): 100,000 complaints through the export job on a seed_scale database of its own
# (BENCH_EXPORTS_DATABASE_URL, default linli_bench_exports; BENCH_COMPLAINTS to change its size).
.PHONY: bench-exports
bench-exports: install-dev
	REDIS_URL=$${REDIS_URL:-$(REDIS)/0} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(REDIS)/1} $(BIN)/python bench/exports.py

clean:
	rm -rf var staticfiles

# --- Operations (README: production deployment) ------------------------------------------------
# `make backup` dumps $DATABASE_URL to var/backups/ (pg_dump, custom format).
backup: install
	$(BIN)/python manage.py backup_db

# `make restore FILE=var/backups/linli-….dump CONFIRM=yes` replaces the contents of $DATABASE_URL;
# `make restore FILE=… TARGET_URL=postgres://…/scratch CREATE=yes` restores into a new database instead.
restore: install
	$(BIN)/python manage.py restore_db $(FILE) $(if $(TARGET_URL),--target-url $(TARGET_URL)) $(if $(filter yes,$(CREATE)),--create) $(if $(filter yes,$(CONFIRM)),--yes)

# `make fuzz`: schemathesis as every demo role against gunicorn with production settings (bench/fuzz.py).
fuzz: install-dev
	$(TEST_ENV) $(BIN)/python bench/fuzz.py

# `make loadtest`: 32 users for 60 s against the production stack, then the Redis and PostgreSQL
# fault runs (bench/loadtest.py; FAULTS=none skips them). Stops services shared with everyone: see README.
loadtest: install-dev
	$(TEST_ENV) $(BIN)/python bench/loadtest.py --faults $${FAULTS:-none,redis,postgres}

# Tally of an owners' vote over 20,000 units (bench/tally.py); a database of its own (BENCH_TALLY_DATABASE_URL).
# `bench` collects one prerequisite per benchmark, so each app adds its own without touching the others.
.PHONY: bench-tally
bench: bench-tally
bench-tally: install-dev
	REDIS_URL=$${REDIS_URL:-$(REDIS)/0} $(BIN)/python bench/tally.py

# Complaint creation through the API vs a bare view writing the same rows (bench/complaint_create.py).
# Needs PostgreSQL; writes only the bench world's rows (compound 基准小区) into BENCH_DATABASE_URL.
.PHONY: bench-create
bench: bench-create
bench-create: install-dev
	DATABASE_URL=$${BENCH_DATABASE_URL:-$${DATABASE_URL:-$(PG_URL)}} REDIS_URL=$${REDIS_URL:-$(REDIS)/0} \
	  $(BIN)/python bench/complaint_create.py --seconds $${BENCH_SECONDS:-20} --clients $${BENCH_CLIENTS:-8}

# List pages at 10,000 compounds / 1,000,000 complaints (bench/lists.py): page 1, a deep page by cursor, a
# filtered page and a search per list, API and portal; drops and recreates BENCH_LISTS_DATABASE_URL
# (default linli_bench_lists). BENCH_COMPLAINTS=10000000 for the larger size.
.PHONY: bench-lists
bench: bench-lists
bench-lists: install-dev
	REDIS_URL=$${REDIS_URL:-$(REDIS)/0} $(BIN)/python bench/lists.py

# What each fast path of complaint filing is worth (bench/fastpaths.py): bench-create beside a second server
# with one fast path replaced by its plain version (bench/without.py); BENCH_BASELINES identical pairs give the noise.
.PHONY: bench-fastpaths
bench-fastpaths: install-dev
	DATABASE_URL=$${BENCH_DATABASE_URL:-$${DATABASE_URL:-$(PG_URL)}} REDIS_URL=$${REDIS_URL:-$(REDIS)/0} \
	  $(BIN)/python bench/fastpaths.py --seconds $${BENCH_SECONDS:-10} --clients $${BENCH_CLIENTS:-8} \
	  --baselines $${BENCH_BASELINES:-3} $${BENCH_ONLY:+--only $$BENCH_ONLY}
