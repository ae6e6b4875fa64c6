# SPDX-License-Identifier: LGPL-2.1-or-later
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

# libosinfo-1.0 brings GLib/GObject: only server/virt/virt_osinfo.c includes it (its header
# exposes plain C)
PKGS := libwebsockets libvirt json-c sqlite3 libxml-2.0 openssl libcrypt zlib libosinfo-1.0
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wvla -Wno-unused-parameter -Werror
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS ?= $(OPT) -g
# SOURCE_DIR: a binary built with it serves $(SOURCE_DIR)/build/web and runs the PAM helper
# built there when they exist (a build tree's daemon runs as it is); the package builds
# with SOURCE_DIR= (empty), so the installed binary carries no build path and uses only
# the installed paths (server/config.c).
SOURCE_DIR ?= $(CURDIR)
SOURCE_DIR_FLAG = $(if $(SOURCE_DIR),-DVIRTDECK_SOURCE_DIR='"$(SOURCE_DIR)"')
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) $(SAN_FLAGS) -MMD -MP \
             -Iserver -Iauth -Ivnc-proxy -DVIRTDECK_VERSION='"$(VERSION)"' \
             $(SOURCE_DIR_FLAG) $(PKG_CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC := $(filter-out server/main.c,$(wildcard server/*.c server/*/*.c auth/*.c vnc-proxy/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libvirtdeck.a
BIN := $(BUILD)/virtdeck

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Small programs the integration tests and benches run (tests/tools/<name>.c, linked with
# the library; never installed): nocloud_iso writes a NoCloud seed ISO with virt_nocloud,
# metrics_fill days of metrics history (the graph bench). A test finds them next to the
# daemon it runs ($(BUILD)/tools/).
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
PAM_HELPER := $(BUILD)/virtdeck-pam-helper
# Link seams: a test may wrap symbols, e.g. WRAP_test_virt_domain := -Wl,--wrap=virDomainCreate
-include tests/unit/wraps.mk

.PHONY: all deps build install deb check-package web-vendor web-build guest-image run check test-unit test-integration test-integration-concurrent \
        test-plain-memory test-e2e test-asan bench format format-check lint clean
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@packaging/install-deps.sh

build: $(BIN) $(UNIT_BIN) $(TEST_TOOLS) $(PAM_HELPER) web-build

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

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# The PAM helper (auth/pam-helper/, auth/README.md "PAM"): a program of its own, setuid root
# when installed, linked with libpam only (no library, no libvirt); the daemon runs it.
$(PAM_HELPER): auth/pam-helper/virtdeck-pam-helper.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lpam

# ---- the tests' guest ----------------------------------------------------------------
# tests/guest/build-guest.sh builds a tiny Linux guest from Debian packages (apt-get
# download of the cloud kernel and busybox-static, never installed): build/guest/
# guest.qcow2 (a disk booted by syslinux), guest.iso (a CD booted by isolinux) and their
# initrd. guest-image-qemu boots both; the image is rebuilt only when the script or the
# guest's /init changes (about 15 s, most of it gzip and xorriso).
GUEST := build/guest

guest-image: $(GUEST)/.stamp

$(GUEST)/.stamp: tests/guest/build-guest.sh tests/guest/init
	tests/guest/build-guest.sh $(GUEST)
	touch $@

# ---- the UI's third-party files ------------------------------------------------
# noVNC (VNC console), xterm.js (serial console) and uPlot (the metrics graphs) come from
# npm, pinned by package-lock.json, and are copied into web/vendor/ (gitignored, never
# edited): noVNC's core/ ES modules with the pako files they import, xterm's ES module
# build and its CSS, the fit addon, uPlot's ES module build and its CSS, and their licences
# (no source maps: nothing served refers to one). The licences travel with the code into
# build/web/vendor/ (web/tools/build.mjs copies every LICENSE* file; tests/web/build.test.mjs
# checks each part has its own): noVNC's LICENSE.txt names MPL-2.0 for its core and BSD
# for core/crypto/des.js, so the MPL-2.0 and BSD texts it points to (docs/LICENSE.*) come
# too; pako keeps the MIT LICENSE in its folder; xterm.js, its fit addon and uPlot are MIT.
# node_modules comes from `make deps` (npm ci); the rule below only repeats that npm ci
# when the lockfile is newer than node_modules.

VENDOR := web/vendor
NOVNC_PKG := node_modules/@novnc/novnc
XTERM_PKG := node_modules/@xterm/xterm
XTERM_FIT_PKG := node_modules/@xterm/addon-fit
UPLOT_PKG := node_modules/uplot

web-vendor: $(VENDOR)/.stamp

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.stamp: node_modules/.package-lock.json Makefile
	rm -rf $(VENDOR).tmp
	mkdir -p $(VENDOR).tmp/novnc/vendor $(VENDOR).tmp/xterm $(VENDOR).tmp/uplot
	cp -R $(NOVNC_PKG)/core $(VENDOR).tmp/novnc/
	cp -R $(NOVNC_PKG)/vendor/pako $(VENDOR).tmp/novnc/vendor/
	cp $(NOVNC_PKG)/LICENSE.txt $(NOVNC_PKG)/docs/LICENSE.MPL-2.0 $(NOVNC_PKG)/docs/LICENSE.BSD-2-Clause \
	    $(NOVNC_PKG)/docs/LICENSE.BSD-3-Clause $(VENDOR).tmp/novnc/
	cp $(XTERM_PKG)/lib/xterm.mjs $(XTERM_PKG)/css/xterm.css $(XTERM_FIT_PKG)/lib/addon-fit.mjs \
	    $(VENDOR).tmp/xterm/
	cp $(XTERM_PKG)/LICENSE $(VENDOR).tmp/xterm/LICENSE.txt
	cp $(XTERM_FIT_PKG)/LICENSE $(VENDOR).tmp/xterm/LICENSE.addon-fit.txt
	cp $(UPLOT_PKG)/dist/uPlot.esm.js $(UPLOT_PKG)/dist/uPlot.min.css $(VENDOR).tmp/uplot/
	cp $(UPLOT_PKG)/LICENSE $(VENDOR).tmp/uplot/LICENSE.txt
	rm -rf $(VENDOR) && mv $(VENDOR).tmp $(VENDOR)
	touch $@

# ---- the served tree -------------------------------------------------------------
# web/tools/build.mjs writes build/web/ (the daemon's default web root when run from this
# tree; the same for the plain and the ASan build) from web/ and web/vendor/: every file
# index.html reaches, under content-hashed names with every reference rewritten, no
# source maps (docs/static-files.md). It needs acorn from node_modules (the vendor stamp
# depends on npm ci).
WEB_OUT := build/web
WEB_SRC = $(shell find web -type f -not -path 'web/vendor/*')

web-build: $(WEB_OUT)/index.html

$(WEB_OUT)/index.html: $(VENDOR)/.stamp $(WEB_SRC)
	node web/tools/build.mjs web $(WEB_OUT)

# ---- installing ------------------------------------------------------------
# `make install` (GNU directory variables; DESTDIR for staging): the daemon, the UI's
# built tree (build/web, its vendored parts with their licences), the PAM helper, the
# PAM service, the systemd unit, the sysusers.d entry, the man pages when
# packaging/man/ has them, the example config (a conffile in the package) and the
# Prometheus/Grafana examples. The helper is installed 0755 here: setuid root:virtdeck
# 4750 is the package's postinst (dpkg-statoverride), since the group may not exist
# when staging. The compiled-in paths (server/config.h, config.c) are /etc/virtdeck,
# /usr/share/virtdeck/web and /usr/libexec/virtdeck: a PREFIX other than /usr needs
# web_root and pam_helper in the config file. Build with SOURCE_DIR= for an installed
# binary (make deb does).
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
sbindir ?= $(exec_prefix)/sbin
libexecdir ?= $(exec_prefix)/libexec
datadir ?= $(prefix)/share
mandir ?= $(datadir)/man
docdir ?= $(datadir)/doc/virtdeck
sysconfdir ?= /etc
localstatedir ?= /var
systemdunitdir ?= $(prefix)/lib/systemd/system
sysusersdir ?= $(prefix)/lib/sysusers.d
INSTALL ?= install
MAN_PAGES := $(wildcard packaging/man/*.[1-8])

install: $(BIN) $(PAM_HELPER) web-build
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(libexecdir)/virtdeck \
	    $(DESTDIR)$(datadir)/virtdeck $(DESTDIR)$(sysconfdir)/virtdeck \
	    $(DESTDIR)$(sysconfdir)/virtdeck/virtdeck.conf.d $(DESTDIR)$(sysconfdir)/pam.d \
	    $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(sysusersdir) $(DESTDIR)$(docdir)/examples
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(sbindir)/virtdeck
	$(INSTALL) -m 0755 $(PAM_HELPER) $(DESTDIR)$(libexecdir)/virtdeck/virtdeck-pam-helper
	rm -rf $(DESTDIR)$(datadir)/virtdeck/web
	cp -R $(WEB_OUT) $(DESTDIR)$(datadir)/virtdeck/web
	chmod -R u=rwX,go=rX $(DESTDIR)$(datadir)/virtdeck/web
	$(INSTALL) -m 0644 packaging/pam.d/virtdeck $(DESTDIR)$(sysconfdir)/pam.d/virtdeck
	$(INSTALL) -m 0644 packaging/virtdeck.conf $(DESTDIR)$(sysconfdir)/virtdeck/virtdeck.conf
	sed 's|/usr/sbin/virtdeck|$(sbindir)/virtdeck|' packaging/systemd/virtdeck.service \
	    > $(DESTDIR)$(systemdunitdir)/virtdeck.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/virtdeck.service
	$(INSTALL) -m 0644 packaging/systemd/virtdeck.socket $(DESTDIR)$(systemdunitdir)/virtdeck.socket
	$(INSTALL) -m 0644 packaging/sysusers.d/virtdeck.conf $(DESTDIR)$(sysusersdir)/virtdeck.conf
	$(INSTALL) -m 0644 packaging/prometheus/*.yml packaging/grafana/*.json $(DESTDIR)$(docdir)/examples/
	set -e; for m in $(MAN_PAGES); do s=$${m##*.}; \
	    $(INSTALL) -d $(DESTDIR)$(mandir)/man$$s; \
	    $(INSTALL) -m 0644 $$m $(DESTDIR)$(mandir)/man$$s/; done

# `make deb`: build/virtdeck_<version>_<arch>.deb with debhelper from a copy of the
# tracked tree (git ls-files, with untracked files git does not ignore, less deleted ones) in build/deb/virtdeck-<version>/, packaging/debian/ as its
# debian/. The web build needs node_modules (acorn, the vendored noVNC/xterm/uPlot): it
# is linked into the copy, never copied or installed. dh builds with SOURCE_DIR= and
# runs make install with prefix=/usr. `install-deps.sh --deb` first installs only what
# building the package needs (a machine that never runs the tests gets no browsers).
DEB_DIR := build/deb/virtdeck-$(VERSION)
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_FILE = build/virtdeck_$(VERSION)_$(DEB_ARCH).deb

deb:
	packaging/install-deps.sh --deb
	rm -rf build/deb && mkdir -p $(DEB_DIR)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^packaging/debian/' | \
	    xargs -0 sh -c 'for f do [ ! -e "$$f" ] || printf "%s\0" "$$f"; done' sh | \
	    xargs -0 cp -p --parents -t $(DEB_DIR)
	cp -R packaging/debian $(DEB_DIR)/debian
	ln -s $(CURDIR)/node_modules $(DEB_DIR)/node_modules
	cd $(DEB_DIR) && DEB_BUILD_OPTIONS="nocheck $${DEB_BUILD_OPTIONS:-}" \
	    dpkg-buildpackage -us -uc -b -j$(BUILD_JOBS) >../build.log 2>&1 || \
	    { tail -n 60 ../build.log; exit 1; }
	mv build/deb/virtdeck_$(VERSION)_$(DEB_ARCH).deb $(DEB_FILE)
	@echo "deb: $(DEB_FILE)"

# check-package (a phase of make check): builds the deb, lintian, installs it on this
# machine, runs the installed daemon as the unit would and removes it again
# (tests/package/package.test.mjs says what it asserts).
check-package: deb
	flock /tmp/vd-qemu.lock node --test tests/package/

# ---- running ---------------------------------------------------------------

run: all
	packaging/run-demo.sh

# ---- tests -----------------------------------------------------------------

test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# ---- integration files: which run side by side ------------------------------------
# IT_CONCURRENT names the files that run at the same time, IT_JOBS at once: each starts
# its own daemons on free ports with their own state directories, talks only to libvirt's
# in-process test:/// driver, and asserts no time or memory bound that a busy neighbour
# could break (their few time bounds are seconds wide for what takes milliseconds:
# ws-frames' and security's "at once" within 2 s and 4 s, tls's 5 s and 10 s timeouts
# within 4-9 s and 8-20 s; auth's only compares two kinds of login timed in turn, and
# a neighbour can only make that pass; service's WATCHDOG=1 at least twice in 2.1 s where
# four are due). Every other file runs afterwards, one at a time,
# alone on the machine. A new file lands there unless it is added here: a file wrongly
# serial costs seconds, one wrongly concurrent flakes. The serial files and why:
#   qemu, console, serial, devices-qemu, networks-qemu, storage-qemu, storage-fs-qemu,
#   storage-bounds-qemu, pool-start-qemu, guest-image-qemu, domain-configure-qemu,
#     stats-qemu, history-qemu, service-qemu, volume-content: the machine's libvirtd (qemu:///system), which they share with each
#     other, the e2e suite and anyone else on the machine; console
#     and serial also bound the daemon's RSS growth, serial the API's answer time while a
#     console stalls, volume-content the daemon's peak RSS
#   volume-stall: a private libvirtd frozen for 12 s, the transfers timed around it
#   demo-qemu: `make run`'s script twice, each with its own private libvirtd and four
#     tiny QEMU VMs (TCG without /dev/kvm), and stats awaited from them
#   reconnect: a private libvirtd killed and restarted, reconnection within 40 s
#   events: lifecycle events within 1 s, stats 1-4 s apart, interval_ms within 0.5 s, a
#     collection with nobody subscribed within 1.6 s of the start
#   cli-sessions: sessions and their sockets ended within 1 s of the CLI
#   alerts: a webhook receiver kept down 2.5 s while the delivery retries (1 s, 2 s, 4 s
#     backoff), alerts awaited from 1 s collections; alerts-qemu: the machine's libvirtd
#   lan-exposure: answers within 1 s while 3,500 sockets hammer the daemon, a silent
#     connection cut after 1.5-4.5 s
#   login-flood: GETs within 1 s while 500 logins flood the daemon; at most 11 password
#     checks in the seconds the flood lasts
#   console-stream: 32 MiB through the console and 24 MiB echoed back within 20-30 s,
#     stalls judged by counters 200 ms apart (a busy neighbour can stretch both)
# IT_JOBS: the concurrent group's wall time under ASan on this 2-core machine, the
# settings interleaved while other work kept the load average at 2.5-7, median of 3-6
# runs: 36.2 s one at a time, 22.3 s 2 at a time, 20.9 s with 3, 18.0 s with 4 (6 was no
# faster than 4). The floor is tls (10 s of the daemon's own timeouts), which node --test
# starts late: it runs the files in sorted order. Runs and loads in tests/README.md.
IT_CONCURRENT := audit audit-visibility auth capabilities clone-domain clone-jobs compression delete-domain devices domain-configure domain-tuning domain-xml domains error-fields metrics metrics-history names networks quota robustness security self-service service snapshots socket-activation storage template threads tls web-root ws-frames
IT_JOBS ?= 4
IT_CONCURRENT_FILES := $(IT_CONCURRENT:%=tests/integration/%.test.mjs)
# IT_BACKGROUND: files that mostly wait (proxy-idle: websockets through nginx and Apache
# kept idle for 3 minutes, pinged every 25 s; two daemons, two proxies, next to no CPU). They
# start first and run beside both groups above, so their minutes add no wall time (the
# serial group alone takes longer); their output is printed when they end.
IT_BACKGROUND := proxy-idle
IT_BACKGROUND_FILES := $(IT_BACKGROUND:%=tests/integration/%.test.mjs)
IT_SERIAL_FILES := $(filter-out $(IT_CONCURRENT_FILES) $(IT_BACKGROUND_FILES),$(sort $(wildcard tests/integration/*.test.mjs)))

IT_RUN = VIRTDECK_BIN=$(CURDIR)/$(BIN) node --test

test-integration: $(BIN) $(TEST_TOOLS) guest-image
	@mkdir -p $(BUILD); \
	$(IT_RUN) $(IT_BACKGROUND_FILES) >$(BUILD)/it-background.log 2>&1 & bg=$$!; \
	status=0; \
	$(IT_RUN) --test-concurrency=$(IT_JOBS) $(IT_CONCURRENT_FILES) && \
	    $(IT_RUN) --test-concurrency=1 $(IT_SERIAL_FILES) || status=$$?; \
	wait $$bg || { [ $$status -ne 0 ] || status=1; echo "== background failed: $(IT_BACKGROUND_FILES)"; }; \
	echo "== background: $(IT_BACKGROUND_FILES)"; cat $(BUILD)/it-background.log; exit $$status

# The background group alone.
test-integration-background: $(BIN)
	$(IT_RUN) $(IT_BACKGROUND_FILES)

# The concurrent group alone (to try a change to IT_CONCURRENT or IT_JOBS).
test-integration-concurrent: $(BIN)
	$(IT_RUN) --test-concurrency=$(IT_JOBS) $(IT_CONCURRENT_FILES)

# What only the plain build can assert: ASan's shadow memory and quarantine hide the
# daemon's own, so volume-content checks its 64 MiB peak RSS (a 256 MiB upload and
# download) only when the daemon is not sanitized. check runs that one test here.
test-plain-memory: $(BIN)
	$(IT_RUN) --test-name-pattern='with bounded memory' tests/integration/volume-content.test.mjs

# The browser suite (tests/lib/browser.mjs: one API, so each test is written once):
# Debian's chromium (playwright-core) runs every file; Debian's firefox-esr (WebDriver
# BiDi through puppeteer-core) runs E2E_CROSS, the files whose code paths differ between
# engines (the noVNC canvas and keyboard, the serial terminal, the layout at desktop and
# phone width, language and theme), which keeps make check nearer its 15 minutes (in
# the 28-minute suite, chromium's run of every file alone took 375 s).
# E2E_FULL_BROWSERS="chromium firefox-esr" runs every file in both; E2E_BROWSERS picks a
# subset. Each file starts its own daemon on its own port and names its VMs apart, so
# E2E_JOBS files run at a time (a browser test mostly waits: one file used 70 % of one
# core). E2E_SOLO run after them, one at a time: demo-features starts `make run`'s demo
# (a private libvirtd with four QEMU VMs, TCG without /dev/kvm), and ui-scale bounds the
# page's long tasks at 300 ms, which a neighbouring file's rendering can stretch.
E2E_BROWSERS ?= chromium firefox-esr
E2E_FULL_BROWSERS ?= chromium
E2E_CROSS ?= console first-look i18n ui
E2E_JOBS ?= 2
E2E_SOLO := demo-features ui-scale
E2E_SOLO_FILES := $(E2E_SOLO:%=tests/e2e/%.test.mjs)
E2E_SHARED_FILES := $(filter-out $(E2E_SOLO_FILES),$(sort $(wildcard tests/e2e/*.test.mjs)))
E2E_CROSS_FILES := $(E2E_CROSS:%=tests/e2e/%.test.mjs)
test-e2e: $(BIN)
	@set -e; for b in $(E2E_BROWSERS); do echo "== e2e in $$b"; \
	    export VIRTDECK_BROWSER=$$b VIRTDECK_BIN=$(CURDIR)/$(BIN); \
	    case " $(E2E_FULL_BROWSERS) " in \
	    *" $$b "*) sh tests/tools/timed.sh e2e-$$b node --test --test-concurrency=$(E2E_JOBS) $(E2E_SHARED_FILES); \
	        sh tests/tools/timed.sh e2e-solo-$$b node --test --test-concurrency=1 $(E2E_SOLO_FILES);; \
	    *) sh tests/tools/timed.sh e2e-cross-$$b node --test --test-concurrency=$(E2E_JOBS) $(E2E_CROSS_FILES);; \
	    esac; done

# The unit and integration tests under ASan+UBSan; any report fails the run.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
test-asan:
	@$(MAKE) --no-print-directory SANITIZE=1 build
	$(SAN_ENV) sh tests/tools/timed.sh asan-unit $(MAKE) --no-print-directory SANITIZE=1 test-unit
	$(SAN_ENV) sh tests/tools/timed.sh asan-integration $(MAKE) --no-print-directory SANITIZE=1 test-integration

# Every test once: the unit and integration tests against the ASan+UBSan build (which
# asserts all a plain run asserts, and finds memory errors besides) except the one
# memory bound ASan hides (test-plain-memory), the e2e browser suite against the plain
# build. `make test-unit` and `make test-integration` stay for the plain build. The
# three builds run BUILD_JOBS compilers at a time.
BUILD_JOBS ?= $(shell nproc)
# Each phase prints its time (tests/tools/timed.sh), so a CI log says where it went.
TIMED := @sh tests/tools/timed.sh
check: deps
	$(TIMED) build $(MAKE) --no-print-directory -j$(BUILD_JOBS) build
	$(TIMED) build-asan $(MAKE) --no-print-directory -j$(BUILD_JOBS) SANITIZE=1 build
	$(TIMED) fuzz-build $(MAKE) --no-print-directory -j$(BUILD_JOBS) fuzz-build
	$(TIMED) guest-image $(MAKE) --no-print-directory guest-image
	$(TIMED) lint $(MAKE) --no-print-directory lint format-check
	$(TIMED) fuzz $(MAKE) --no-print-directory test-fuzz
	$(TIMED) web node --test tests/web/
	$(TIMED) asan $(MAKE) --no-print-directory test-asan
	$(TIMED) plain-memory $(MAKE) --no-print-directory test-plain-memory
	$(TIMED) e2e $(MAKE) --no-print-directory test-e2e
	$(TIMED) package $(MAKE) --no-print-directory check-package

# The console proxy benchmark's C tools (tests/bench/console/): a synthetic VNC backend
# and a TCP/TLS/websocket load generator. run.mjs rewrites docs/performance.md; the
# console, transfer, list and web (the UI's requests and bytes) runs then replace only
# their own marked sections in it.
BENCH_TOOLS := $(BUILD)/bench/console-backend $(BUILD)/bench/console-loadgen

$(BUILD)/bench/console-%: tests/bench/console/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(shell pkg-config --libs openssl)

# The domain list benchmark's floor: one virConnectGetAllDomainStats per stdin line.
$(BUILD)/bench/list-floor: tests/bench/list/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(shell pkg-config --libs libvirt)

bench: all guest-image
	@$(MAKE) --no-print-directory $(BENCH_TOOLS) $(BUILD)/bench/list-floor
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) BENCH_TOOLS_DIR=$(CURDIR)/$(BUILD)/bench \
	    node tests/bench/console/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/transfer/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) BENCH_TOOLS_DIR=$(CURDIR)/$(BUILD)/bench \
	    node tests/bench/list/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/web/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/create/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/metrics/run.mjs
	VIRTDECK_BIN=$(CURDIR)/$(BIN) node tests/bench/metrics/graph-render.mjs

# ---- fuzzing ---------------------------------------------------------------
# tests/fuzz/fuzz_<name>.c: one libFuzzer target per parser of untrusted bytes, built
# with clang into build-fuzz/ (never by `make build`) against only the library sources
# they need. test-fuzz runs every target for FUZZ_SECONDS on a fresh copy of its seed
# corpus (tests/fuzz/corpus/<name>/ is never written), FUZZ_JOBS at a time; a crash, a
# sanitizer report, a leak or a broken invariant (abort) fails it, leaving the input in
# build-fuzz/artifacts/ and the log in build-fuzz/logs/. In make check that is a smoke
# run (4 s each: every seed, then some mutation; 24 targets at 8 s took 117 s of the
# suite's 15 minutes); `make fuzz` runs them for longer.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 4
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
                server/util/buf.c server/util/hex.c server/util/log.c server/util/journal.c server/util/xalloc.c \
                server/util/fspath.c server/virt/virt_pool_policy.c \
                server/http/ws_frame_guard.c server/util/utf8_name.c server/http/response.c
# The JSON → libvirt XML builders (networks, pools, volumes, devices) are pure and fuzzed;
# virt_xml.c is their shared libxml2 plumbing (its name is outside the wildcard).
FUZZ_LIB_SRC += server/virt/virt_xml.c $(wildcard server/virt/virt_*_xml.c)
# virt_domain.c refuses to start a template (virt_domain_template.c), reads the detail's
# "config" (virt_domain_config.c, fuzzed by fuzz_domain_config) and names a VM's OS by its
# short id (virt_osinfo.c; the fuzzed reader itself never loads the database)
FUZZ_LIB_SRC += server/virt/virt_domain_template.c server/virt/virt_domain_config.c \
	server/virt/virt_osinfo.c
# the cloud-init seed's check and YAML documents (fuzz_nocloud; the ISO step, which starts
# xorriso through util/spawn.c, is not run)
FUZZ_LIB_SRC += server/virt/virt_nocloud.c server/util/spawn.c
# the API token's text in an Authorization header (fuzz_auth_tokens); clock.c for its lookups
FUZZ_LIB_SRC += auth/auth_tokens.c server/util/clock.c
# the user-name rule the route table's user and group rows check (auth_users_name_valid)
FUZZ_LIB_SRC += auth/auth_users.c auth/auth_password.c auth/auth_password_policy.c
# config.c checks the alert_rule lines and the webhook URL (alerts_rule.c, alerts_deliver.c)
FUZZ_LIB_SRC += server/alerts/alerts_rule.c server/alerts/alerts_deliver.c
# GET /api/audit's query and the SQL of its filter (fuzz_audit_query)
FUZZ_LIB_SRC += server/api/api_audit_query.c server/store/store_audit_log.c
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

C_FILES = $(wildcard server/*.c server/*/*.c server/*/*.h server/*.h auth/*.[ch] auth/pam-helper/*.c vnc-proxy/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/tools/*.c)
BANNED := strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol|system|popen|tmpnam

# The UI's lint runs from node_modules (make deps / npm ci; no network here): ESLint
# with eslint.config.mjs over web/ and the tests' JavaScript, including the
# literal-string rule (virtdeck/no-literal-ui-string, tests/lint/); the message
# catalogues against the code (tests/lint/catalogue.mjs); the tests of both and the
# other tests/lint/*.test.mjs: the manual pages (man-pages.test.mjs: groff -ww, man
# --warnings, lexgrog; virtdeck.conf(5) against config.c's keys, virtdeck(8) against the
# CLI's options) and the licence line (spdx.test.mjs: every tracked source file opens
# with `SPDX-License-Identifier: LGPL-2.1-or-later`). The three always run, so one lint shows every problem; any failure
# fails lint.
lint:
	@if grep -nE '\b($(BANNED))\s*\(' $(C_FILES); then \
	    echo "lint: banned call (see STYLE.md)"; exit 1; fi
	@echo "lint: no banned calls"
	@node tests/lint/layers.mjs
	@test -x node_modules/.bin/eslint || { echo "lint: no node_modules/.bin/eslint: run make deps (npm ci)"; exit 1; }
	@fail=0; \
	npx --no -- eslint --max-warnings=0 . || fail=1; \
	node tests/lint/catalogue.mjs || fail=1; \
	node --test --test-reporter=dot tests/lint/ || fail=1; \
	if [ $$fail = 0 ]; then echo "lint: UI clean (eslint, catalogues)"; else echo "lint: UI problems above"; fi; \
	exit $$fail

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run --Werror $(C_FILES)

# build/ holds the demo's directory too (build/demo: its private libvirtd, pool and state).
clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/server/main.d $(TEST_TOOLS:=.d) $(PAM_HELPER).d
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d)
