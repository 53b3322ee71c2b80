#!/bin/sh
# Puts the pinned BoringSSL source in TOP/src (TOP: build/boringssl), once per pin.
#   mk/boringssl-src.sh unpack|fetch TOP TAG COMMIT SHA256 TARBALL URL
# TOP/src/.pin holds the commit of the source there; when it names COMMIT, nothing is done.
# Otherwise TOP (the previous pin's source, objects and libraries) is removed, then:
#   - TARBALL exists (the offline mirror in ../shared/vendor/): its SHA-256 must be SHA256,
#     and it is unpacked;
#   - else, mode "fetch" (`make deps`): a shallow clone of TAG from URL, whose HEAD must be
#     COMMIT; mode "unpack" (a build) fails and says to run `make deps`.
# TOP/src/.pin is written last, only when every check passed.
set -eu
mode=$1 top=$2 tag=$3 commit=$4 sha=$5 tarball=$6 url=$7
dir="$top/src"
case "$top" in
*/boringssl) ;;
*) echo "$0: TOP must be a directory named boringssl (it is removed when the pin moves)" >&2
   exit 1 ;;
esac

if [ "$(cat "$dir/.pin" 2>/dev/null)" = "$commit" ]; then
    exit 0
fi
tmp="$dir.tmp"
# a new pin: nothing built from the old source may survive it
rm -rf "$top"
mkdir -p "$top"

if [ -f "$tarball" ]; then
    got=$(sha256sum "$tarball" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
        echo "$tarball: SHA-256 $got, the pin (mk/boringssl.pin) says $sha" >&2
        exit 1
    fi
    mkdir "$tmp"
    tar -xJf "$tarball" -C "$tmp"
    if [ ! -f "$tmp/boringssl-$tag/gen/sources.mk" ]; then
        echo "$tarball: no boringssl-$tag/gen/sources.mk inside" >&2
        rm -rf "$tmp"
        exit 1
    fi
    mv "$tmp/boringssl-$tag" "$dir"
    rm -rf "$tmp"
    echo "BoringSSL $tag: unpacked $tarball (SHA-256 checked)"
elif [ "$mode" = fetch ]; then
    # Not testable on the project's build machines (no route to the upstream host).
    command -v git >/dev/null || { echo "git is needed to fetch BoringSSL $tag" >&2; exit 1; }
    git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$tag" "$url" "$tmp"
    head=$(git -C "$tmp" rev-parse HEAD)
    if [ "$head" != "$commit" ]; then
        echo "$url tag $tag is commit $head, the pin (mk/boringssl.pin) says $commit" >&2
        rm -rf "$tmp"
        exit 1
    fi
    if [ ! -f "$tmp/gen/sources.mk" ]; then
        echo "$url tag $tag: no gen/sources.mk" >&2
        rm -rf "$tmp"
        exit 1
    fi
    mv "$tmp" "$dir"
    echo "BoringSSL $tag: cloned from $url, commit $commit checked"
else
    echo "BoringSSL $tag source not found: no $tarball;" \
         "run 'make deps BSSL=pinned' to clone it from $url" >&2
    exit 1
fi
echo "$commit" >"$dir/.pin"
