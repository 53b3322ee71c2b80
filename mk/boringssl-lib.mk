# Builds BoringSSL's libcrypto.a, libssl.a and its bssl tool from the source lists of the
# pinned tag's gen/sources.mk, as its INCORPORATING.md asks of a project with its own build
# (no cmake, Go or Perl). Run by mk/boringssl.mk, from the project root:
#   $(MAKE) -f mk/boringssl-lib.mk TOP=build/boringssl
# Flags follow BoringSSL's CMakeLists.txt for a Linux release build: C++17 (C11 for any .c),
# -DBORINGSSL_IMPLEMENTATION on every file, -fvisibility=hidden -fno-common
# -fno-strict-aliasing, libcrypto's C++ without exceptions or RTTI (no libstdc++ needed by
# it), -D_XOPEN_SOURCE=700 for C, the pre-generated assembly (ELF, x86-64 and the others,
# each file guarded by its own #if) through the C compiler with a non-executable stack. No
# OPENSSL_NO_ASM: the assembly is the point on x86-64. -fPIE: sluice links as a PIE.
# No dependency files: the source never changes under a pin; a new pin removes TOP.
TOP ?= build/boringssl
SRC := $(TOP)/src
OBJ := $(TOP)/obj
include $(SRC)/gen/sources.mk

BSSL_OPT ?= -O3 -DNDEBUG
COMMON   := $(BSSL_OPT) -I$(SRC)/include -DBORINGSSL_IMPLEMENTATION -fno-strict-aliasing \
            -fno-common -fvisibility=hidden -fPIE
NO_CXX_RUNTIME := -fno-exceptions -fno-rtti

# Apple and Windows flavours of the assembly only assemble to nothing on Linux: skip them.
ASM_SRCS    := $(filter-out %-apple.S %-win.S,$(boringssl_bcm_sources_asm) \
                 $(boringssl_crypto_sources_asm))
CRYPTO_SRCS := $(boringssl_bcm_sources) $(boringssl_crypto_sources)
CRYPTO_OBJS := $(patsubst %,$(OBJ)/%.o,$(CRYPTO_SRCS) $(ASM_SRCS))
SSL_OBJS    := $(patsubst %,$(OBJ)/%.o,$(boringssl_ssl_sources))
TOOL_OBJS   := $(patsubst %,$(OBJ)/%.o,$(boringssl_bssl_sources))

# V=1 shows the full commands.
Q := $(if $(filter 1,$(V)),,@)

.PHONY: all
all: $(TOP)/libcrypto.a $(TOP)/libssl.a $(TOP)/bssl

$(TOP)/libcrypto.a: $(CRYPTO_OBJS)
$(TOP)/libssl.a: $(SSL_OBJS)
$(TOP)/libcrypto.a $(TOP)/libssl.a:
	@rm -f $@
	@echo "  AR    $@ ($(words $^) objects)"
	$(Q)$(AR) rcs $@ $^

$(TOP)/bssl: $(TOOL_OBJS) $(TOP)/libssl.a $(TOP)/libcrypto.a
	@echo "  LINK  $@"
	$(Q)$(CXX) -o $@ $(TOOL_OBJS) $(TOP)/libssl.a $(TOP)/libcrypto.a -lpthread

$(patsubst %,$(OBJ)/%.o,$(CRYPTO_SRCS)): CXX_RUNTIME_FLAGS := $(NO_CXX_RUNTIME)

$(OBJ)/%.cc.o: $(SRC)/%.cc
	@mkdir -p $(@D)
	@echo "  CXX   $*.cc"
	$(Q)$(CXX) -std=c++17 $(COMMON) $(CXX_RUNTIME_FLAGS) -c -o $@ $<

$(OBJ)/%.c.o: $(SRC)/%.c
	@mkdir -p $(@D)
	@echo "  CC    $*.c"
	$(Q)$(CC) -std=c11 -D_XOPEN_SOURCE=700 $(COMMON) -c -o $@ $<

$(OBJ)/%.S.o: $(SRC)/%.S
	@mkdir -p $(@D)
	@echo "  AS    $*.S"
	$(Q)$(CC) $(COMMON) -Wa,--noexecstack -c -o $@ $<
