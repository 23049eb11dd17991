#!/bin/sh
# strategy-example.sh - build the worked example of docs/strategies.md as a new strategy, the way
# the page says: in a copy of the tree, add variants/NAME.c and one registry line (both taken from
# the page's fenced blocks `c variants/NAME.c` and `c variants/bb_registry.c`), check that nothing
# else differs from the tree, run the unmodified Makefile, then ask the new binary for its
# strategies and verify NAME against the repository's goldens, bit for bit; and verify with no
# --strategies, whose default list must include NAME. Run from the repository root (suite docs,
# tests/test_docs.c). Exit 0 when every step passed; the last line says which step failed otherwise.
# The copy reuses the objects of build/ (make rebuilds what is older than its source), so only the
# registry, the new file and the build identity are compiled.
set -u
repo=$(pwd)
doc=docs/strategies.md
fail() { echo "strategy-example: $*"; exit 1; }
[ -f "$doc" ] || fail "run from the repository root ($doc not found)"

# the path of the block of the new file, and its strategy name
src=$(sed -n 's/^```c \(variants\/[a-z0-9_]*\.c\)$/\1/p' "$doc" | grep -v '^variants/bb_registry\.c$' | head -n 1)
[ -n "$src" ] || fail "no block \`\`\`c variants/NAME.c in $doc"
name=$(basename "$src" .c)
block() { awk -v info="\`\`\`c $1" '$0 == info {on = 1; next} on && /^```/ {exit} on {print}' "$doc"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bb-strategy.XXXXXX") || fail "no temporary folder"
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -pR Makefile mk core variants harness "$tmp"/ || fail "cannot copy the tree"
mkdir -p "$tmp/build"
for d in core variants harness; do [ -d "build/$d" ] && cp -pR "build/$d" "$tmp/build/"; done

block "$src" > "$tmp/$src"
[ -s "$tmp/$src" ] || fail "the block of $src is empty"
line=$(block variants/bb_registry.c)
[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] && [ -n "$line" ] || fail "the registry block is not one line"
awk -v add="$line" '/^ *X\(all\)/ && !done {print add; done = 1} {print}' variants/bb_registry.c > "$tmp/variants/bb_registry.c"
grep -qxF "$line" "$tmp/variants/bb_registry.c" || fail "no line X(all) in variants/bb_registry.c to insert before"

# nothing else differs from the tree: one new file, one changed file, one line added to it
others=$(diff -rq . "$tmp" -x build -x .git 2>/dev/null | grep -v '^Only in \.[:/]' | grep -v "^Only in $tmp/build" | sort)
[ "$others" = "Files ./variants/bb_registry.c and $tmp/variants/bb_registry.c differ
Only in $tmp/variants: $name.c" ] || fail "the copy differs elsewhere: $others"
[ "$(diff variants/bb_registry.c "$tmp/variants/bb_registry.c" | grep -c '^[<>]')" -eq 1 ] || fail "the registry changed by more than a line"
echo "strategy-example: $src and one registry line: $line"

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tmp" -j2 all > "$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; fail "make failed"; }
grep -q "CC *build/${src%.c}.o" "$tmp/make.log" || { cat "$tmp/make.log"; fail "make did not compile $src"; }
bin=$tmp/build/busbench

"$bin" strategies --long
"$bin" strategies | grep -qx "$name" || fail "busbench strategies does not list $name"
"$bin" verify --golden "$repo/golden" --strategies "$name" --pins none || fail "verify --strategies $name failed"
"$bin" verify --golden "$repo/golden" --workloads phonon --threads 1 --blocks 512 --pins none > "$tmp/default.log" ||
    { cat "$tmp/default.log"; fail "verify with the default strategies failed"; }
grep -q "^pass  phonon  *$name " "$tmp/default.log" || { cat "$tmp/default.log"; fail "verify's default list lacks $name"; }
echo "strategy-example: $name is built, listed, in verify's default list and bit-identical to serial"
