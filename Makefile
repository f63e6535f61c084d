# SPDX-License-Identifier: GPL-2.0-only
#
# make            build the BPF objects, their skeletons and ./build/tungate
# make build/test/tungate  the same with the test hooks, for the test suites
# make test       install what is missing, build, run every test suite
# make demo       install what is missing, build, run the namespace demo
# make build/tg-lac  the LAC simulator of tests/lac (built by make test)
# make bench      BPF_PROG_TEST_RUN and live veth figures as ratios to a plain
#                 XDP router
# make check      static checks (folder layering, cppcheck)
# make san        the binary and unit tests with ASan and UBSan, in build-san/
# make install    the binary, its man page and systemd unit (PREFIX, DESTDIR)
# make uninstall  removes what make install put there

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD      ?= build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= gcc
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# BPF: system UAPI headers, clang's own system dirs after them.
CLANG_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 --target=bpf -mcpu=v3 -Wall -Werror -D__TARGET_ARCH_$(ARCH) \
	-I maps -I bpf $(CLANG_SYS_INCLUDES) -MMD -MP

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I maps -I loader -I $(BUILD) -MMD -MP -D_GNU_SOURCE
# libpq: import --freeradius reads FreeRADIUS's PostgreSQL database.
# radcli: the LNS asks RADIUS servers (aaa radius).
# hogweed (nettle's public-key half, in nettle-dev): the public key of
# the WireGuard interfaces from their private key.
# gnutls: what libmicrohttpd serves TLS with; the broker's certificate and
# key are checked with it before they are handed over.
CFLAGS  += -I $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
CFLAGS  += $(if $(TG_VERSION),-DTG_VERSION='"$(TG_VERSION)"')
LDLIBS  := -lbpf -lelf -lz -lsqlite3 -lnettle -lhogweed -lmicrohttpd -lgnutls -lsystemd -lmnl -lpcap -lpq -lradcli -lqrencode -lpthread

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
# Entry programs built for both hooks: bpf/X.bpf.c also gives X_tc.bpf.o,
# compiled with -DTG_HOOK_TC (bpf/ctx/ctx.h).
BPF_TWO_HOOKS := subscriber uplink
# bpf/X.bpf.c also gives X_cpumap.bpf.o, -DTG_HOOK_CPUMAP: the program of
# a cpumap entry, run on the CPU steering picked (bpf/steer.bpf.c).
BPF_CPUMAP  := subscriber
BPF_NAMES   := $(patsubst bpf/%.bpf.c,%,$(BPF_SRCS)) $(addsuffix _tc,$(BPF_TWO_HOOKS)) \
	$(addsuffix _cpumap,$(BPF_CPUMAP))
BPF_OBJS    := $(patsubst %,$(BUILD)/%.bpf.o,$(BPF_NAMES))
BPF_TC_OBJS := $(patsubst %,$(BUILD)/%_tc.bpf.o,$(BPF_TWO_HOOKS))
BPF_CPUMAP_OBJS := $(patsubst %,$(BUILD)/%_cpumap.bpf.o,$(BPF_CPUMAP))
SKELS       := $(patsubst %,$(BUILD)/%.skel.h,$(BPF_NAMES))
LOADER_SRCS := $(wildcard loader/*.c loader/*/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LOADER_SRCS))
LIB_OBJS    := $(filter-out $(BUILD)/loader/main.o,$(LOADER_OBJS))
UNIT_SRCS   := $(wildcard tests/unit/*.c)
UNIT_OBJS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.o,$(UNIT_SRCS))
BENCH_SRCS  := $(wildcard tests/bench/*.c)
BENCH_OBJS  := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%.o,$(BENCH_SRCS))
LAC_SRCS    := $(wildcard tests/lac/*.c)
LAC_OBJS    := $(patsubst tests/lac/%.c,$(BUILD)/tests/lac/%.o,$(LAC_SRCS))

TUNGATE := $(BUILD)/tungate

# The test build: the same sources with the test hooks compiled in
# (TG_TEST_HOOKS; see loader/sync/sync.c), for the unit tests and the
# suites that use the hooks. The production binary has none.
TEST_BUILD    := $(BUILD)/test
TEST_LIB_OBJS := $(patsubst $(BUILD)/loader/%.o,$(TEST_BUILD)/loader/%.o,$(LIB_OBJS))
TEST_TUNGATE  := $(TEST_BUILD)/tungate

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system too.
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/tungate
INSTALLED := $(DESTDIR)$(SBINDIR)/tungate $(DESTDIR)$(MANDIR)/man8/tungate.8 \
	$(DESTDIR)$(UNITDIR)/tungate.service \
	$(DESTDIR)$(DATADIR)/tungate-wg-enrol.sh

.PHONY: all deps test demo bench check clean install uninstall san
all: $(TUNGATE)

deps:
	$(Q)bash ci/install-deps.sh

$(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Dependencies in X_tc.bpf.o.d: an X_tc.bpf.d left by a build from before
# names a source that is gone (and the objects it made are rebuilt once).
$(BPF_TC_OBJS): $(BUILD)/%_tc.bpf.o: bpf/%.bpf.c Makefile | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -DTG_HOOK_TC -c $< -o $@

$(BPF_CPUMAP_OBJS): $(BUILD)/%_cpumap.bpf.o: bpf/%.bpf.c Makefile | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -DTG_HOOK_CPUMAP -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/loader/%.o: loader/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The client script the WireGuard broker serves, as a C string.
$(BUILD)/wg_enrol_sh.h: loader/wg/tungate-wg-enrol.sh | $(BUILD)
	$(call msg,GEN,$@)
	$(Q){ echo '#define TG_WG_ENROL_SH \'; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n" \\/' $<; \
	  echo '""'; } >$@
$(BUILD)/loader/daemon/wg_broker.o $(TEST_BUILD)/loader/daemon/wg_broker.o: \
	$(BUILD)/wg_enrol_sh.h

$(BUILD)/libtungate.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TUNGATE): $(BUILD)/loader/main.o $(BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TEST_BUILD)/loader/%.o: loader/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -DTG_TEST_HOOKS -c $< -o $@

$(TEST_BUILD)/libtungate.a: $(TEST_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TEST_TUNGATE): $(TEST_BUILD)/loader/main.o $(TEST_BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags check) -c $< -o $@

$(BUILD)/unit-tests: $(UNIT_OBJS) $(TEST_BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(shell pkg-config --libs check) $(LDLIBS) -o $@

$(BUILD)/tests/bench/%.o: tests/bench/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/bench: $(BENCH_OBJS) $(BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The LAC simulator the LNS suites and benchmarks drive (not installed).
$(BUILD)/tests/lac/%.o: tests/lac/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tg-lac: $(LAC_OBJS) $(BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The accounting engine driven by tests/e2e/radius_acct.sh (not installed).
$(BUILD)/radius-acct-drive: tests/e2e/radius_acct_drive.c $(BUILD)/libtungate.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The core's packet source of tests/bench/forward.sh (tg-lac --flood is
# the member's).
$(BUILD)/udp-flood: tests/bench/flood/udp_flood.c | $(BUILD)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

# The generator, sink and router floor of tests/bench/veth.sh.
$(BUILD)/veth-bench: tests/bench/veth/veth_bench.c | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $< -lbpf -lelf -lz -lpthread -o $@

$(BUILD):
	$(Q)mkdir -p $@

test: deps
	$(Q)$(MAKE) --no-print-directory $(TUNGATE) $(TEST_TUNGATE) $(BUILD)/unit-tests \
		$(BUILD)/tg-lac $(BUILD)/radius-acct-drive
	$(Q)bash tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(TUNGATE)
	$(Q)bash tests/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/bench $(TUNGATE) $(BUILD)/tg-lac \
		$(BUILD)/udp-flood $(BUILD)/veth-bench
	$(Q)$(BUILD)/bench
	$(Q)bash tests/bench/ops.sh
	$(Q)bash tests/bench/pg_sync.sh
	$(Q)bash tests/bench/lns.sh
	$(Q)bash tests/bench/radius.sh
	$(Q)bash tests/bench/wg_sync.sh
	$(Q)bash tests/bench/forward.sh
	$(Q)bash tests/bench/veth.sh
	$(Q)bash tests/bench/wg_police.sh

check:
	$(Q)python3 ci/check-layers.py
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=unknownMacro --suppress=missingIncludeSystem \
		--include=ci/cppcheck-macros.h -D__x86_64__ -I maps -I loader loader tests/unit tests/bench tests/lac

# Any sanitizer report ends the program with an error.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
san:
	$(Q)CFLAGS="-O2 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		$(MAKE) --no-print-directory BUILD=build-san \
		build-san/tungate build-san/unit-tests

# The unit runs the binary from where it is installed.
install: $(TUNGATE)
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/tungate)
	$(Q)install -D -m 0755 $(TUNGATE) $(DESTDIR)$(SBINDIR)/tungate
	$(Q)install -D -m 0644 loader/tungate.8 $(DESTDIR)$(MANDIR)/man8/tungate.8
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|/usr/local/sbin/tungate|$(SBINDIR)/tungate|g' \
		loader/tungate.service >$(DESTDIR)$(UNITDIR)/tungate.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/tungate.service
	$(Q)install -D -m 0755 loader/wg/tungate-wg-enrol.sh \
		$(DESTDIR)$(DATADIR)/tungate-wg-enrol.sh

uninstall:
	$(Q)rm -f $(INSTALLED)

clean:
	$(Q)rm -rf $(BUILD) build-san

BPF_DEPS := $(patsubst %.o,%.d,$(filter-out $(BPF_TC_OBJS) $(BPF_CPUMAP_OBJS),$(BPF_OBJS))) \
	$(addsuffix .d,$(BPF_TC_OBJS) $(BPF_CPUMAP_OBJS))
-include $(wildcard $(BPF_DEPS) $(BUILD)/loader/*.d $(BUILD)/loader/*/*.d $(BUILD)/tests/*/*.d \
	$(BUILD)/udp-flood.d $(BUILD)/veth-bench.d \
	$(TEST_BUILD)/loader/*.d $(TEST_BUILD)/loader/*/*.d)
