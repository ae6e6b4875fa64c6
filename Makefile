# virtdeck — build, run, test.
#
#   make run      install what is missing, build, start the demo (test:/// driver)
#   make check    install what is missing, build, run the whole suite
#   make bench    benchmarks; figures go to docs/performance.md
#
# Everything but server/main.c is built into a static library that the daemon and
# every test link. SANITIZE=1 builds the same tree into build-asan/ with ASan+UBSan.

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1
else
BUILD ?= build
SAN_FLAGS :=
OPT := -O2
endif

PKGS := libwebsockets libvirt json-c sqlite3 libxml-2.0 openssl libcrypt zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wvla -Wno-unused-parameter -Werror
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(HARDEN) $(SAN_FLAGS) -MMD -MP \
             -Iserver -Iauth -Ivnc-proxy -DVIRTDECK_VERSION='"$(VERSION)"' \
             -DVIRTDECK_SOURCE_DIR='"$(CURDIR)"' $(PKG_CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC := $(filter-out server/main.c,$(wildcard server/*.c server/*/*.c auth/*.c vnc-proxy/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libvirtdeck.a
BIN := $(BUILD)/virtdeck

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Link seams: a test may wrap symbols, e.g. WRAP_test_virt_domain := -Wl,--wrap=virDomainCreate
-include tests/unit/wraps.mk

.PHONY: all deps build web-vendor run check test-unit test-integration test-e2e test-asan \
        bench format format-check lint clean
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@packaging/install-deps.sh

build: $(BIN) $(UNIT_BIN) web-vendor

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/obj/server/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(WRAP_$*) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

# ---- the UI's third-party files ------------------------------------------------
# noVNC (VNC console) and xterm.js (serial console) come from npm, pinned by
# package-lock.json, and are copied into web/vendor/ (gitignored, never edited): noVNC's
# core/ ES modules with the pako files they import, xterm's ES module build and its CSS,
# the fit addon, and their licences. node_modules comes from `make deps` (npm ci); the
# rule below only repeats that npm ci when the lockfile is newer than node_modules.

VENDOR := web/vendor
NOVNC_PKG := node_modules/@novnc/novnc
XTERM_PKG := node_modules/@xterm/xterm
XTERM_FIT_PKG := node_modules/@xterm/addon-fit

web-vendor: $(VENDOR)/.stamp

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.stamp: node_modules/.package-lock.json Makefile
	rm -rf $(VENDOR).tmp
	mkdir -p $(VENDOR).tmp/novnc/vendor $(VENDOR).tmp/xterm
	cp -R $(NOVNC_PKG)/core $(VENDOR).tmp/novnc/
	cp -R $(NOVNC_PKG)/vendor/pako $(VENDOR).tmp/novnc/vendor/
	cp $(NOVNC_PKG)/LICENSE.txt $(VENDOR).tmp/novnc/
	cp $(XTERM_PKG)/lib/xterm.mjs $(XTERM_PKG)/lib/xterm.mjs.map $(XTERM_PKG)/css/xterm.css \
	    $(XTERM_FIT_PKG)/lib/addon-fit.mjs $(XTERM_FIT_PKG)/lib/addon-fit.mjs.map $(VENDOR).tmp/xterm/
	cp $(XTERM_PKG)/LICENSE $(VENDOR).tmp/xterm/LICENSE.txt
	rm -rf $(VENDOR) && mv $(VENDOR).tmp $(VENDOR)
	touch $@

# ---- running ---------------------------------------------------------------

run: all
	packaging/run-demo.sh

# ---- tests -----------------------------------------------------------------

test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

test-integration: $(BIN)
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node --test --test-concurrency=1 tests/integration/

test-e2e: $(BIN)
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node --test --test-concurrency=1 tests/e2e/

# The unit and integration tests again, under ASan+UBSan; any report fails the run.
test-asan:
	@$(MAKE) --no-print-directory SANITIZE=1 build
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory SANITIZE=1 test-unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory SANITIZE=1 test-integration

check: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory lint format-check
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-fuzz
	node --test tests/web/
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory test-e2e
	@$(MAKE) --no-print-directory test-asan

# The console proxy benchmark's C tools (tests/bench/console/): a synthetic VNC backend
# and a TCP/TLS/websocket load generator. run.mjs rewrites docs/performance.md; the
# console and transfer runs then replace only their own marked sections in it.
BENCH_TOOLS := $(BUILD)/bench/console-backend $(BUILD)/bench/console-loadgen

$(BUILD)/bench/console-%: tests/bench/console/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(shell pkg-config --libs openssl)

# The domain list benchmark's floor: one virConnectGetAllDomainStats per stdin line.
$(BUILD)/bench/list-floor: tests/bench/list/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(shell pkg-config --libs libvirt)

bench: all
	@$(MAKE) --no-print-directory $(BENCH_TOOLS) $(BUILD)/bench/list-floor
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) BENCH_TOOLS_DIR=$(CURDIR)/$(BUILD)/bench \
	    node tests/bench/console/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/transfer/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) BENCH_TOOLS_DIR=$(CURDIR)/$(BUILD)/bench \
	    node tests/bench/list/run.mjs

# ---- fuzzing ---------------------------------------------------------------
# tests/fuzz/fuzz_<name>.c: one libFuzzer target per parser of untrusted bytes, built
# with clang into build-fuzz/ (never by `make build`) against only the library sources
# they need. test-fuzz runs every target for FUZZ_SECONDS on a fresh copy of its seed
# corpus (tests/fuzz/corpus/<name>/ is never written), FUZZ_JOBS at a time; a crash, a
# sanitizer report, a leak or a broken invariant (abort) fails it, leaving the input in
# build-fuzz/artifacts/ and the log in build-fuzz/logs/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 8
FUZZ_JOBS ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all \
              -MMD -MP -Iserver -Iauth -Ivnc-proxy -DVIRTDECK_VERSION='"$(VERSION)"' \
              -DVIRTDECK_SOURCE_DIR='"$(CURDIR)"' $(PKG_CFLAGS)
# Library code is held to -Werror by the gcc build; a clang-only warning there is shown,
# not fatal. The fuzz targets themselves are -Werror.
FUZZ_LIB_WARN := $(filter-out -Werror,$(WARN))
FUZZ_LIB_SRC := server/api/api_json.c server/http/route.c server/http/cookie.c server/http/byte_range.c \
                server/http/static_files.c auth/auth_origin.c auth/auth_host.c auth/auth_policy.c \
                server/config.c server/virt/virt_domain.c server/virt/virt_error.c server/util/app_error.c \
                server/util/buf.c server/util/hex.c server/util/log.c server/util/xalloc.c \
                server/util/fspath.c server/virt/virt_pool_policy.c \
                server/http/ws_frame_guard.c
# The JSON → libvirt XML builders (networks, pools, volumes, devices) are pure and fuzzed;
# virt_xml.c is their shared libxml2 plumbing (its name is outside the wildcard).
FUZZ_LIB_SRC += server/virt/virt_xml.c $(wildcard server/virt/virt_*_xml.c)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_LIB := $(FUZZ_BUILD)/libvirtdeck-fuzz.a
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_RUN_FLAGS = -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
                 -print_final_stats=1

.PHONY: fuzz fuzz-build test-fuzz $(FUZZ_NAMES:%=fuzz-run-%)

fuzz-build: $(FUZZ_BIN)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -fsanitize=fuzzer-no-link,address,undefined \
	    -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(FUZZ_LIB) $(PKG_LIBS)

# `make fuzz`: the same targets for longer (FUZZ_LONG_SECONDS each, default 120).
FUZZ_LONG_SECONDS ?= 120
fuzz:
	@$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=$(FUZZ_LONG_SECONDS)

test-fuzz: fuzz-build
	@rm -rf $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts $(FUZZ_BUILD)/logs
	@mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts $(FUZZ_BUILD)/logs
	@$(MAKE) --no-print-directory -j$(FUZZ_JOBS) $(FUZZ_NAMES:%=fuzz-run-%)

$(FUZZ_NAMES:%=fuzz-run-%): fuzz-run-%: $(FUZZ_BUILD)/fuzz_%
	@rm -rf $(FUZZ_BUILD)/corpus/$* && mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts $(FUZZ_BUILD)/logs
	@cp -R tests/fuzz/corpus/$* $(FUZZ_BUILD)/corpus/$*
	@log=$(FUZZ_BUILD)/logs/$*.log; \
	if UBSAN_OPTIONS=print_stacktrace=1 $< $(FUZZ_RUN_FLAGS) \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*- $(FUZZ_BUILD)/corpus/$* >$$log 2>&1; then \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	    echo "fuzz $*: ok, $$runs runs in $(FUZZ_SECONDS) s"; \
	else \
	    tail -n 40 $$log; \
	    echo "fuzz $*: FAILED (log $$log, input in $(FUZZ_BUILD)/artifacts/)"; \
	    exit 1; \
	fi

# ---- hygiene ---------------------------------------------------------------

C_FILES = $(wildcard server/*.c server/*/*.c server/*/*.h server/*.h auth/*.[ch] vnc-proxy/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch])
BANNED := strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol|system|popen|tmpnam

lint:
	@if grep -nE '\b($(BANNED))\s*\(' $(C_FILES); then \
	    echo "lint: banned call (see STYLE.md)"; exit 1; fi
	@echo "lint: no banned calls"
	@node tests/lint/layers.mjs

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run --Werror $(C_FILES)

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/server/main.d
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d)
