EXTENSION = customers
EXTVERSION = 0.2.0

MODULE_big = customers
OBJS = \
	src/aliases.o \
	src/billing_fields.o \
	src/call_context.o \
	src/card_data.o \
	src/change.o \
	src/citus.o \
	src/class_fields.o \
	src/class_labels.o \
	src/class_segments.o \
	src/class_store.o \
	src/contain_grams.o \
	src/country_codes.o \
	src/currency.o \
	src/cursor.o \
	src/custom_data_index.o \
	src/customer_delete.o \
	src/customer_erase.o \
	src/customer_ops.o \
	src/customer_reference.o \
	src/customer_segments.o \
	src/customer_store.o \
	src/customer_users.o \
	src/customers.o \
	src/document.o \
	src/email.o \
	src/envelope.o \
	src/event_retention.o \
	src/event_store.o \
	src/events.o \
	src/history.o \
	src/idempotency.o \
	src/ids.o \
	src/item_errors.o \
	src/jsonb_assemble.o \
	src/jsonb_build.o \
	src/keyset_list.o \
	src/locale_tags.o \
	src/malloc_thresholds.o \
	src/notify.o \
	src/page_edges.o \
	src/payment_methods.o \
	src/phone.o \
	src/plan_estimates.o \
	src/planned_change.o \
	src/query.o \
	src/query_count.o \
	src/query_custom_data.o \
	src/query_filter.o \
	src/query_search.o \
	src/request.o \
	src/rls_guards.o \
	src/save.o \
	src/segment_forest.o \
	src/spi_plans.o \
	src/tax_ids.o \
	src/text_rules.o \
	src/timestamps.o \
	src/timezone_names.o
# frozen install scripts of released versions, upgrade scripts, and the current
# version's install script generated from sql/customers.sql
DATA = sql/$(EXTENSION)--$(EXTVERSION).sql $(filter-out sql/$(EXTENSION)--$(EXTVERSION).sql,$(wildcard sql/$(EXTENSION)--*.sql))

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=pg_trgm --load-extension=btree_gin --load-extension=$(EXTENSION)

# isolation tests: test/specs/NAME.spec, expected output test/expected/NAME.out
SPECS = $(sort $(wildcard test/specs/*.spec))
ISOLATION = $(patsubst test/specs/%.spec,%,$(SPECS))
ISOLATION_OPTS = --inputdir=test --load-extension=pg_trgm --load-extension=btree_gin --load-extension=$(EXTENSION)

# TAP tests: test/t/*.pl (PostgreSQL::Test::Cluster; they run initdb, so not as root)
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

PG_CFLAGS = -Wall -Wextra
EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql .pg_built_for

PG_CONFIG ?= pg_config
# PostgreSQL's headers as system headers, so -Wextra judges our code only
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) \
	-isystem $(shell $(PG_CONFIG) --includedir)/internal
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

all: sql/$(EXTENSION)--$(EXTVERSION).sql

# rebuild every object when any of our headers changes
$(OBJS): $(wildcard src/*.h)

# ... and when PG_CONFIG names another server: .pg_built_for holds the server
# the objects were built for and is rewritten only when that changes
PG_BUILT_FOR := $(shell $(PG_CONFIG) --version) $(shell $(PG_CONFIG) --includedir-server)
.pg_built_for: pg_built_for_check
	@echo '$(PG_BUILT_FOR)' | cmp -s - $@ || echo '$(PG_BUILT_FOR)' >$@
.PHONY: pg_built_for_check
$(OBJS) $(OBJS:.o=.bc): .pg_built_for

# The release zip PGXN takes: customers-X.Y.Z.zip of the committed HEAD with
# the top directory customers-X.Y.Z/, less what .gitattributes marks
# export-ignore (CI, git and Debian packaging files). scripts/package.sh
# checks its contents and builds the Debian packages from it.
DIST_ZIP ?= $(EXTENSION)-$(EXTVERSION).zip
dist:
	git archive --format=zip --prefix=$(EXTENSION)-$(EXTVERSION)/ --output=$(DIST_ZIP) HEAD
.PHONY: dist
