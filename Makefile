# Sluice — GNU make build.
#
#   make            build ./sluice
#   make deps       install the Debian packages the build and the tests need (as root)
#   make run        deps + build + start sluice in the foreground on examples/quickstart.cfg
#   make test       deps + build + unit tests (plain, then ASan+UBSan) + regtests
#   make check-examples   `sluice -c` on every examples/*.cfg
#   make clean      (keeps build/boringssl; make distclean removes it too)
#
# BoringSSL: by default (BSSL=pinned) the release of mk/boringssl.pin, built once from source
# into build/boringssl/ (mk/boringssl.mk) and linked statically. BSSL=system builds against
# Debian's android-libboringssl (API 17) instead, for comparison during the transition; it is
# no longer installed by `make deps`. Each has its own object trees, so switching needs no
# `make clean`.

VERSION  := $(shell cat VERSION)
CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat -Werror=format-security
# Debian's hardening flags (dpkg-buildflags), always on for ./sluice: bounds-checked libc
# string calls, stack canaries, a position-independent executable, read-only relocations.
# HARDEN=0 turns them off (to compare). The ASan objects leave out _FORTIFY_SOURCE, which
# hides overflows from ASan's own interceptors.
HARDEN   ?= 1
ifeq ($(HARDEN),1)
HARDEN_CFLAGS  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
endif
BSSL     ?= pinned
BUILD_OPTS := CC=$(CC) CFLAGS=$(CFLAGS) HARDEN=$(HARDEN) BSSL=$(BSSL)

.DEFAULT_GOAL := all
include mk/boringssl.mk
ifeq ($(BSSL),system)
BSSL_INC := /usr/include/android
BSSL_LIB := /usr/lib/x86_64-linux-gnu/android
TLS_CFLAGS := -I$(BSSL_INC)
TLS_LIBS   := -L$(BSSL_LIB) -Wl,-rpath,$(BSSL_LIB) -lssl -lcrypto
TLS_DEP    :=
TREE       :=
else ifeq ($(BSSL),pinned)
# -isystem: the headers stay out of the .d files (a new pin rebuilds ssl/ through TLS_DEP)
TLS_CFLAGS := -isystem $(BSSL_SRC)/include \
              -DSLUICE_BSSL_TAG='"$(BSSL_TAG)"' -DSLUICE_BSSL_COMMIT='"$(BSSL_COMMIT)"'
TLS_LIBS   := $(BSSL_DIR)/libssl.a $(BSSL_DIR)/libcrypto.a -lstdc++ -lpthread
TLS_DEP    := $(BSSL_BUILT)
TREE       := pinned-
else
$(error BSSL is 'system' (Debian's android-libboringssl) or 'pinned' (mk/boringssl.pin))
endif
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS   := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)

CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -Icore -Ilb -Issl -Ilua \
                -DSLUICE_VERSION='"$(VERSION)"' -DSLUICE_BUILD_OPTS='"$(BUILD_OPTS)"'
LDLIBS := $(TLS_LIBS) $(LUA_LIBS) -lpcre2-8 -lev -lm

# Only ssl/ sees BoringSSL's headers; only lua/ sees Lua's.
CFLAGS_ssl := $(TLS_CFLAGS)
CFLAGS_lua := $(LUA_CFLAGS)

SRCS := $(sort $(wildcard core/*.c lb/*.c ssl/*.c lua/*.c))
MAIN_SRC := core/main.c
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Two object trees per BoringSSL: build/default (the binary) and build/asan (unit tests under
# ASan+UBSan); build/pinned and build/pinned-asan with BSSL=pinned.
OBJ_DIR   := build/$(if $(TREE),pinned,default)
ASAN_DIR  := build/$(TREE)asan
OBJS      := $(patsubst %.c,$(OBJ_DIR)/%.o,$(SRCS))
LIB_OBJS  := $(patsubst %.c,$(OBJ_DIR)/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst %.c,$(ASAN_DIR)/%.o,$(LIB_SRCS))
compile = $(CC) $(CPPFLAGS_ALL) $(CFLAGS_$(firstword $(subst /, ,$<))) $(WARN) -MMD -c -o $@ $<

.PHONY: all deps run test unit-bins fuzz-bins check-examples clean distclean bench bench-ab FORCE
all: sluice

# ./sluice is relinked when BSSL changes (build/sluice.bssl names the last one linked).
sluice: $(OBJS) $(TLS_DEP) build/sluice.bssl
	$(CC) $(CFLAGS) $(HARDEN_LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

build/sluice.bssl: FORCE
	@mkdir -p build; echo $(BSSL) | cmp -s - $@ || echo $(BSSL) >$@
FORCE:

$(OBJ_DIR)/%.o: %.c VERSION Makefile
	@mkdir -p $(dir $@)
	$(compile) $(CFLAGS) $(HARDEN_CFLAGS)

$(ASAN_DIR)/%.o: %.c VERSION Makefile
	@mkdir -p $(dir $@)
	$(compile) -O1 -g $(SAN_FLAGS)

# ssl/ compiles against the library's headers: the library comes first
$(filter $(OBJ_DIR)/ssl/% $(ASAN_DIR)/ssl/%,$(OBJS) $(ASAN_OBJS)): $(TLS_DEP)

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)

# ---- dependencies (Debian 12) ----------------------------------------------------------------
BUILD_PKGS := gcc g++ make pkg-config $(if $(filter system,$(BSSL)),android-libboringssl-dev) \
              liblua5.4-dev libev-dev libpcre2-dev socat openssl curl
TEST_PKGS  := varnish socat curl procps iproute2 python3 openssl clang libfuzzer-14-dev \
              libclang-rt-14-dev testssl.sh
# BSSL=pinned: the pinned source (unpacked from ../shared/vendor/, else cloned: git)
BSSL_PKGS  := $(if $(TREE),xz-utils git)
deps:
	@./.ci/deps.sh $(BUILD_PKGS) $(BSSL_PKGS) $(TEST_PKGS)
	$(if $(TREE),@$(MAKE) --no-print-directory boringssl-source)

# ---- run -------------------------------------------------------------------------------------
run: deps sluice
	./examples/run.sh

# ---- tests -----------------------------------------------------------------------------------
UNIT_SRCS := $(sort $(wildcard regtests/unit/test_*.c))
UNIT_BINS := $(patsubst regtests/unit/%.c,build/$(TREE)unit/%,$(UNIT_SRCS))
UNIT_ASAN_BINS := $(patsubst regtests/unit/%.c,build/$(TREE)unit-asan/%,$(UNIT_SRCS))
UNIT_CFLAGS = $(CPPFLAGS_ALL) -Iregtests/unit $(WARN) -Wno-missing-prototypes

build/$(TREE)unit/%: regtests/unit/%.c regtests/unit/tap.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -O1 -g -o $@ $< $(LIB_OBJS) $(LDLIBS)

build/$(TREE)unit-asan/%: regtests/unit/%.c regtests/unit/tap.h $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -O1 -g $(SAN_FLAGS) -o $@ $< $(ASAN_OBJS) $(LDLIBS)

unit-bins: $(UNIT_BINS) $(UNIT_ASAN_BINS)

# libFuzzer targets (clang): regtests/fuzz/fuzz_<name>.c with the library sources.
FUZZ_SRCS := $(sort $(wildcard regtests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst regtests/fuzz/%.c,build/$(TREE)fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS = $(CPPFLAGS_ALL) $(TLS_CFLAGS) $(LUA_CFLAGS) -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build/$(TREE)fuzz/%: regtests/fuzz/%.c $(LIB_SRCS) $(TLS_DEP)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)

test: deps
	@$(MAKE) --no-print-directory sluice unit-bins fuzz-bins
	@BSSL=$(BSSL) ./regtests/run.sh

BENCH_PKGS := haproxy nginx wrk curl procps iproute2 util-linux
bench: sluice
	@./.ci/deps.sh $(BENCH_PKGS)
	@./bench/run.sh

# A/B of sluice alone against the binary of another revision: make bench-ab REV=<git rev>
bench-ab: sluice
	@./.ci/deps.sh $(BENCH_PKGS)
	@./bench/ab.sh $(REV) $(PAIRS)

check-examples: sluice
	@for f in examples/*.cfg; do ./sluice -c -q -f $$f || exit 1; echo "$$f: ok"; done

clean:
	rm -rf $(filter-out $(BSSL_DIR),$(wildcard build/*)) sluice

distclean: clean
	rm -rf build
