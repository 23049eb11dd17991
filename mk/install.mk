# ---- install, uninstall ------------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/staging]: the program, the library and what makes them
# usable from any folder, under $(DESTDIR)$(PREFIX):
#   bin/busbench                              the command
#   lib/libbusbench.a, include/busbench/*.h   the core and the strategies (core/ and variants/ headers)
#   lib/pkgconfig/busbench.pc                 for pkg-config (mk/busbench.pc.in)
#   share/man/man1/busbench.1                 generated from the help (harness/scripts/gen-man.sh)
#   share/bash-completion/completions/busbench  generated from the option tables (gen-completion.sh)
#   share/busbench/golden/                    the golden corpus: verify's and bench's default outside
#                                             a checkout (found beside the executable, BINDIR/../share)
# make uninstall [PREFIX] [DESTDIR]: removes exactly those files, and busbench's own folders when
# nothing else is left in them. `man -l` of the page needs Debian's man-db (in DEB_PKGS: the tests read it).
# The page and the completion are generated from the built binary into $(BUILD)/install/ first.

INST_DIR      := $(BUILD)/install
INST_HEADERS  := $(sort $(wildcard core/*.h variants/*.h))
INST_GOLDEN   := $(sort $(wildcard golden/*.ph golden/*.wav golden/manifest.tsv golden/README.md))
INST_DATE     := $(firstword $(subst T, ,$(BB_GIT_DATE)))
D             := $(DESTDIR)$(PREFIX)
# every file install writes (uninstall removes these), and the folders that are busbench's alone
INST_FILES    := $(D)/bin/busbench $(D)/lib/libbusbench.a $(D)/lib/pkgconfig/busbench.pc \
                 $(D)/share/man/man1/busbench.1 $(D)/share/bash-completion/completions/busbench \
                 $(addprefix $(D)/include/busbench/,$(notdir $(INST_HEADERS))) \
                 $(addprefix $(D)/share/busbench/golden/,$(notdir $(INST_GOLDEN)))
INST_OWN_DIRS := $(D)/include/busbench $(D)/share/busbench/golden $(D)/share/busbench

.PHONY: install uninstall install-generated
install-generated: $(BIN)
	@mkdir -p $(INST_DIR)
	$(call say,GEN,$(INST_DIR)/busbench.1)sh harness/scripts/gen-man.sh $(BIN) '$(INST_DATE)' '$(PREFIX)/share/busbench' > $(INST_DIR)/busbench.1.tmp
	$(call say,GEN,$(INST_DIR)/busbench.bash)sh harness/scripts/gen-completion.sh $(BIN) > $(INST_DIR)/busbench.bash.tmp
	$(call say,GEN,$(INST_DIR)/busbench.pc)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.0.0+git.$(BB_GIT_COMMIT)|' \
	  -e 's|@REQUIRES@|$(PKGS)|' -e 's|@LIBS@|$(strip $(PKG_LIBS) -lm -pthread)|' mk/busbench.pc.in > $(INST_DIR)/busbench.pc.tmp
	@for f in busbench.1 busbench.bash busbench.pc; do mv $(INST_DIR)/$$f.tmp $(INST_DIR)/$$f; done

install: $(BIN) $(LIB) install-generated
	$(Q)install -d $(D)/bin $(D)/lib/pkgconfig $(D)/include/busbench $(D)/share/man/man1 \
	  $(D)/share/bash-completion/completions $(D)/share/busbench/golden
	$(call say,INSTALL,$(D))install -m 755 $(BIN) $(D)/bin/busbench
	$(Q)install -m 644 $(LIB) $(D)/lib/libbusbench.a
	$(Q)install -m 644 $(INST_DIR)/busbench.pc $(D)/lib/pkgconfig/busbench.pc
	$(Q)install -m 644 $(INST_HEADERS) $(D)/include/busbench/
	$(Q)install -m 644 $(INST_DIR)/busbench.1 $(D)/share/man/man1/busbench.1
	$(Q)install -m 644 $(INST_DIR)/busbench.bash $(D)/share/bash-completion/completions/busbench
	$(Q)install -m 644 $(INST_GOLDEN) $(D)/share/busbench/golden/

uninstall:
	$(call say,RM,$(D))rm -f $(INST_FILES)
	$(Q)for d in $(INST_OWN_DIRS); do [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done
