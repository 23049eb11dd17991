/* test_install.c - Criterion suite "install": `make install` and `make uninstall` (mk/install.mk).
 *
 * One staged install (DESTDIR, PREFIX=/usr/local), then what a user does with it, each from another
 * folder than the checkout: the installed busbench verifies against the installed goldens (its
 * default corpus there); pkg-config finds busbench.pc and a small program of a library user
 * (tests/install/tiny.c: serial and cycle through the installed headers) compiles, links and
 * runs with its flags; `man -l` renders the page with every command's usage; the completion script
 * sources in a plain bash and completes a command and an option; and `make uninstall` leaves no
 * file behind. The nested make runs without the parent's MAKEFLAGS (no jobserver of its own) and
 * never remakes the build the other suites are running (make -o). */
#include <criterion/criterion.h>

#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAKE "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory"

/* The make options that install this test's build (the folder of the busbench beside the test
 * binary) and never remake it (-o: the other suites are running it), whatever its stamp says. */
static const char *this_build(void)
{
    static char o[3 * PATH_MAX + 64];
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", tu_busbench());
    *strrchr(dir, '/') = '\0';
    snprintf(o, sizeof o, "BUILD=%s -o %s/busbench -o %s/libbusbench.a", dir, dir, dir);
    return o;
}

/* The text of dir/name (the caller frees); the test fails when it cannot be read. */
static char *text_of(const char *dir, const char *name)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *s = tu_slurp(p, NULL);
    cr_assert_not_null(s, "%s", p);
    return s;
}

/* The completion busbench's script (in file) gives for the words of line (the last one completed). */
static char *complete(const char *work, const char *file, const char *line)
{
    cr_assert_eq(tu_sh("bash --norc --noprofile -c 'source %s; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                       "_busbench; echo \"${COMPREPLY[*]}\"' > %s/c.txt 2>&1",
                       file, line, work),
                 0, "the completion script sources and runs in bash: %s", line);
    return text_of(work, "c.txt");
}

Test(install, make_install_gives_a_usable_busbench_and_uninstall_removes_it, .timeout = 300)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    cr_skip("a sanitizer build: make install installs the plain build");
#endif
    const char *stage = tu_tmpdir("install"), *work = tu_tmpdir("installuse");
    char repo[PATH_MAX], inst[PATH_MAX + 16];
    cr_assert_not_null(getcwd(repo, sizeof repo));
    snprintf(inst, sizeof inst, "%s/usr/local", stage);
    cr_assert_eq(tu_sh(MAKE " %s install DESTDIR=%s PREFIX=/usr/local > %s/make.txt 2>&1", this_build(), stage, work), 0,
                 "make install (log in %s/make.txt)", work);

    /* verify from another folder: the installed corpus is the default there */
    cr_assert_eq(tu_sh("cd %s && %s/bin/busbench verify --workloads dense --strategies serial,cycle --threads 1 --blocks 512 "
                       "--pins none > v.txt 2>&1", work, inst),
                 0, "the installed busbench verifies from another folder");
    char *v = text_of(work, "v.txt"), want[PATH_MAX + 64];
    snprintf(want, sizeof want, "of %s/share/busbench/golden,", inst);
    cr_expect(strstr(v, "pass  dense       cycle ") && strstr(v, want), "the installed goldens were read:\n%s", v);
    free(v);

    /* pkg-config, and a library user's program built with its flags */
    cr_assert_eq(tu_sh("cd %s && PKG_CONFIG_SYSROOT_DIR=%s PKG_CONFIG_PATH=%s/lib/pkgconfig pkg-config --cflags --libs busbench "
                       "> flags.txt 2>&1", work, stage, inst),
                 0, "pkg-config finds busbench.pc");
    char *flags = text_of(work, "flags.txt");
    snprintf(want, sizeof want, "-I%s/include/busbench ", inst);
    cr_expect(strstr(flags, want) && strstr(flags, " -lbusbench ") && strstr(flags, "-lhwloc"), "%s", flags);
    free(flags);
    cr_assert_eq(tu_sh("cd %s && cc %s/tests/install/tiny.c $(cat flags.txt) -o tiny > cc.txt 2>&1 && ./tiny > tiny.txt 2>&1",
                       work, repo),
                 0, "tiny.c compiles, links and runs against the installed libbusbench (see %s/cc.txt)", work);
    char *t = text_of(work, "tiny.txt");
    cr_expect_str_eq(t, "8000 frames, same\n");
    free(t);

    /* the man page */
    cr_assert_eq(tu_sh("cd %s && MANWIDTH=120 man -l %s/share/man/man1/busbench.1 > man.txt 2>&1", work, inst), 0);
    char *m = text_of(work, "man.txt");
    cr_expect(strstr(m, "BUSBENCH(1)") && strstr(m, "usage: busbench verify [FILE.ph...] [options]") &&
                  strstr(m, "--golden DIR") && strstr(m, "usage: busbench render FILE.ph -o OUT.wav"),
              "the page holds every command's usage:\n%.2000s", m);
    free(m);

    /* the bash completion */
    char comp[PATH_MAX + 64];
    snprintf(comp, sizeof comp, "%s/share/bash-completion/completions/busbench", inst);
    char *c = complete(work, comp, "busbench ver");
    cr_expect_str_eq(c, "verify\n", "a command is completed");
    free(c);
    c = complete(work, comp, "busbench bench --work");
    cr_expect_str_eq(c, "--workloads\n", "an option of the command is completed");
    free(c);

    cr_assert_eq(tu_sh(MAKE " %s uninstall DESTDIR=%s PREFIX=/usr/local > %s/unmake.txt 2>&1", this_build(), stage, work), 0);
    cr_assert_eq(tu_sh("test -z \"$(find %s ! -type d)\"", stage), 0, "make uninstall leaves no file in %s", stage);
}
