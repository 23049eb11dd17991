#!/bin/sh
# gen-man.sh BUSBENCH DATE DATADIR - print the man page busbench(1), generated from the help: the
# command list (`busbench help`), each command's usage as its option table prints it
# (`busbench help CMD`: options, defaults, exit codes) and the version (`busbench --version`).
# DATE is the page's date (the commit's, so that a rebuild gives the same page); DATADIR is
# where `make install` puts the golden corpus ($(PREFIX)/share/busbench). `make install` puts the
# page in $(PREFIX)/share/man/man1/busbench.1. No help2man needed: the help's layout is the option
# table's (bb_opt_usage), so each usage goes in verbatim, escaped for roff.
set -eu
bin=$1 date=$2 datadir=$3
version=$("$bin" --version | sed 's/^busbench //')
cmds=$("$bin" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }')
[ -n "$cmds" ] || { echo "gen-man.sh: $bin help lists no command" >&2; exit 1; }

# roff-escape stdin, for a no-fill block: backslashes, a leading '.' or "'", minus signs
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

cat <<EOF
.TH BUSBENCH 1 "$date" "busbench $version" "User Commands"
.SH NAME
busbench \\- benchmark and bit\\-exact verification of an audio engine's optimisation strategies
.SH SYNOPSIS
.B busbench
.I COMMAND
.RI [ OPTIONS ]
.br
.B busbench help
.I COMMAND
.br
.B busbench \\-\\-version
.SH DESCRIPTION
busbench renders live\\-coding programs (.ph) with one reference core under swappable strategies,
checks every render against the serial one bit for bit, benchmarks each strategy pinned to the
machine's cores, gates a CI on regressions and plots what each phase buys.
.PP
.nf
EOF
"$bin" help | esc
echo ".fi"
echo ".SH COMMANDS"
for c in $cmds; do
    echo ".SS $c"
    echo ".nf"
    # the corpus a command reads by default "here" is the build's: the page says the installed one
    "$bin" help "$c" | sed "s|^.*; here: .*\.\$|$datadir/golden.|" | esc
    echo ".fi"
done
cat <<EOF
.SH EXIT STATUS
0 success, 1 a check failed (a mismatch, a regression), 2 bad input or usage (with a message
naming the file, line and column where there is one). Each command's own codes are listed above.
.SH FILES
.TP
.I ./golden
the golden corpus of a checkout (manifest.tsv, programs, golden WAVs): verify and bench read it
when it exists.
.TP
.I $(printf '%s' "$datadir" | esc)/golden
the installed corpus, which verify and bench read elsewhere (the folder beside the
executable's, BINDIR/../share/busbench/golden).
.SH EXAMPLES
.nf
busbench verify my.ph            # every strategy against the serial render of my.ph
busbench bench my.ph \\-\\-out r.json  # measure them (Google Benchmark JSON)
busbench render my.ph \\-o \\- | play \\-
.fi
.SH SEE ALSO
The README.md and docs/ of the busbench repository.
EOF
