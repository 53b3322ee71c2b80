# The pinned BoringSSL (mk/boringssl.pin), built once into build/boringssl/:
#   build/boringssl/src/          the source of the pin (its .pin file names the commit)
#   build/boringssl/obj/          its objects
#   build/boringssl/libcrypto.a, libssl.a, bssl
#   build/boringssl/built.COMMIT  stamp: all three are there for that commit
# Nothing here depends on the project's files, so nothing rebuilds the library unless the pin
# moves: then the stamp's name changes, the source step removes build/boringssl and the
# library is built again from the new source. `make clean` keeps it; `make distclean` not.
include mk/boringssl.pin

BSSL_URL     ?= https://boringssl.googlesource.com/boringssl
BSSL_TARBALL ?= ../shared/vendor/boringssl-$(BSSL_TAG).tar.xz
BSSL_DIR     := build/boringssl
BSSL_SRC     := $(BSSL_DIR)/src
BSSL_BUILT   := $(BSSL_DIR)/built.$(BSSL_COMMIT)
BSSL_SRC_ARGS = $(BSSL_DIR) $(BSSL_TAG) $(BSSL_COMMIT) $(BSSL_SHA256) $(BSSL_TARBALL) $(BSSL_URL)

.PHONY: boringssl boringssl-source
boringssl: $(BSSL_BUILT)

# From the tarball beside the project when it is there; a build never reaches the network:
# without the tarball, `make deps BSSL=pinned` (boringssl-source) clones the tag first.
$(BSSL_BUILT):
	@sh mk/boringssl-src.sh unpack $(BSSL_SRC_ARGS)
	@echo "BoringSSL $(BSSL_TAG): building libcrypto.a, libssl.a, bssl"
	@$(MAKE) --no-print-directory -f mk/boringssl-lib.mk TOP=$(BSSL_DIR)
	@touch $@

boringssl-source:
	@sh mk/boringssl-src.sh fetch $(BSSL_SRC_ARGS)
