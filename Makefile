# tlsoverride: make (both parts into build/), make test, make demo, make bench,
# make install PREFIX=... DESTDIR=..., make deb.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CXX     ?= g++
B       ?= build
# One spelling per build directory: B=$(CURDIR)/build (tests' install submakes) is B=build,
# so the dependency files name the same targets and a header change rebuilds what uses it.
override B := $(patsubst $(CURDIR)/%,%,$(B))
VERSION := 0.1.0
CXXFLAGS ?= -O2 -g
CFLAGS   ?= -O2 -g
# ARCH=-m32 builds for i386 (make i386 does it with the right headers).
ARCH    ?=
# SAN=address,undefined or SAN=thread builds everything instrumented (use another B).
SAN     ?=
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer,) $(ARCH)

# --- build habits: parallel and quiet by default; V=1 shows every command ---------------
# An explicit -j (or a parent make's jobserver, or dpkg-buildpackage's) is kept as given.
ifeq ($(filter -j% --jobserver%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif
V ?=
# $(call quiet,WHAT,FILE) starts a recipe line: "  CXX     shim/core/config.cpp" unless V=1.
quiet = $(if $(V),,@printf '  %-7s %s\n' '$(1)' '$(2)';)
# Hardening, as Debian builds packages, in every build (the sanitizer builds keep
# _FORTIFY_SOURCE off: ASan intercepts the same functions). Before the user's flags.
HARDEN_CPPFLAGS := $(if $(SAN),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS   := -fstack-protector-strong
HARDEN_LDFLAGS  := -Wl,-z,relro,-z,now
# The two libraries get relro but keep lazy binding, also against a -z now in LDFLAGS
# (dpkg-buildflags' bindnow): bind-now resolves their imports in every process they are
# loaded into. Measured (callgrind): /bin/true under the preload 1.104x -> 1.190x (target
# 1.12x), +82,000 instructions per TLS process (figure 2 would pass its 1.005x target).
HARDEN_LIB_LDFLAGS := -Wl,-z,relro
LAZY_BINDING := -Wl,-z,lazy
# The engine's ~3,500 relative relocations (vtables, string tables) packed as DT_RELR:
# dlopen applies them in a fraction of the instructions (make bench, figures 2 and 8).
# binutils 2.38 packs them when the C library reads them (glibc 2.36, Debian 12) and
# leaves them as they are otherwise (glibc 2.35); an older linker ignores the option.
PACK_RELOCS := -Wl,-z,pack-relative-relocs
# The vtables' weak reference to __cxa_pure_virtual pulls nothing from the static
# libstdc++: left undefined, its 104 relocations were searches of every library in the
# process at dlopen (9,000 instructions). Linked in, it is the engine's own.
PURE_VIRTUAL := -Wl,--undefined=__cxa_pure_virtual

# The library is private to tlsoverride, in the multiarch directory of its class:
# $(PREFIX)/lib/x86_64-linux-gnu/tlsoverride, and (make install after make i386)
# $(PREFIX)/lib/i386-linux-gnu/tlsoverride with $(PREFIX)/lib32/tlsoverride beside it,
# so that LD_PRELOAD=$(PREFIX)/$$LIB/tlsoverride/libtlsoverride.so serves both classes.
# Not a knob: the command finds the library relative to its own path (bin/../lib/...),
# so nothing is compiled in and `make install` never rebuilds what `make` built.
# Deferred (=) for run.o: on a fresh machine the compiler exists only once make deps has
# run, which is before run.o is compiled but after this file is read.
MULTIARCH = $(shell $(CC) -print-multiarch 2>/dev/null)
ifneq ($(MULTIARCH),)
LIBDIR := $(PREFIX)/lib/$(MULTIARCH)/tlsoverride
else
LIBDIR := $(PREFIX)/lib/tlsoverride
endif
LIBDIR32 ?= $(PREFIX)/lib/i386-linux-gnu/tlsoverride

COMMON   := -std=c++20 -Ishim -fPIC -Wall -Wextra -fvisibility=hidden -fvisibility-inlines-hidden \
            -DOPENSSL_SUPPRESS_DEPRECATED -DTLSO_VERSION='"$(VERSION)"' -MMD -MP $(SANFLAGS) \
            $(HARDEN_CPPFLAGS) $(HARDEN_CFLAGS)
# Stage 1 (the preloaded file) must not need libstdc++: no exceptions, no RTTI, no
# guarded statics. It is linked with the C driver so that any libstdc++ use fails the link.
STAGE1FLAGS := -fno-exceptions -fno-rtti -fno-threadsafe-statics -ftls-model=initial-exec

# Link sets come from directories (shim/*/ is one layer each; see README "Layout"):
#   preload/  stage 1, the file in LD_PRELOAD: libc only
#   core/     the pure policy core: no TLS library, no dlfcn
#   openssl/  the OpenSSL adapter: applies the core's decisions
#   cli/      the command
STAGE1_SRC  := $(wildcard shim/preload/*.cpp)
CORE_SRC    := $(wildcard shim/core/*.cpp)
OPENSSL_SRC := $(filter-out shim/openssl/static_runtime.cpp,$(wildcard shim/openssl/*.cpp))
#   gnutls/   the GnuTLS adapter: the same shape; uses the table stage 1 resolved
GNUTLS_SRC  := $(wildcard shim/gnutls/*.cpp)
CLI_SRC     := $(wildcard shim/cli/*.cpp)
UNIT_SRC   := $(wildcard tests/unit/*.cpp)
CLIENTS    := $(patsubst tests/clients/%.c,$(B)/tests/%,$(wildcard tests/clients/*.c))
BENCH_BIN  := $(patsubst bench/%.c,$(B)/bench/%,$(filter-out bench/empty-preload.c,$(wildcard bench/*.c))) \
              $(B)/bench/empty-preload.so

obj = $(patsubst %.cpp,$(B)/obj/%.o,$(1))
STAGE1_OBJ := $(call obj,$(STAGE1_SRC))
CORE_OBJ   := $(call obj,$(CORE_SRC))
ENGINE_OBJ := $(call obj,$(OPENSSL_SRC) $(GNUTLS_SRC))
CLI_OBJ    := $(call obj,$(CLI_SRC))
UNIT_OBJ   := $(call obj,$(UNIT_SRC))

all: $(B)/libtlsoverride.so $(B)/libtlsoverride-engine.so $(B)/tlsoverride

$(STAGE1_OBJ): EXTRA := $(STAGE1FLAGS)
$(B)/obj/shim/cli/run.o: EXTRA = -DTLSO_MULTIARCH='"$(MULTIARCH)"'

# Dependencies are an explicit step: `make deps` runs scripts/install-deps (idempotent,
# sudo only when not root). `make test`, `make demo` and `make bench`, the README's
# commands, run it first, before anything compiles; plain `make` never calls apt, so it
# works on a machine that has the packages and no apt (or no network).
DEPS_FIRST := $(if $(filter deps test test-deps e2e demo bench,$(MAKECMDGOALS)),deps,)
deps:
	@scripts/install-deps
# (kept for rules that name it: an order-only "after the dependencies" marker)
$(B)/.deps-installed: | $(DEPS_FIRST)
	@mkdir -p $(B) && touch $@

$(B)/obj/%.o: %.cpp | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(call quiet,CXX,$<)$(CXX) $(COMMON) $(EXTRA) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# Stage 1: the file named in LD_PRELOAD. Small, C-only dependencies, exports only
# the interposed functions: the export map is generated from the one list of them.
$(B)/libtlsoverride.map: shim/preload/exports.map.in shim/openssl/interposed.hpp shim/gnutls/interposed.hpp | $(DEPS_FIRST)
	@mkdir -p $(B)
	$(call quiet,GEN,$@)$(CC) -E -P -Ishim -x c $< -o $@

$(B)/libtlsoverride.so: $(STAGE1_OBJ) $(B)/libtlsoverride.map
	$(call quiet,LINK,$@)$(CC) -shared $(SANFLAGS) $(HARDEN_LIB_LDFLAGS) $(LDFLAGS) -o $@ $(STAGE1_OBJ) -Wl,--version-script=$(B)/libtlsoverride.map -Wl,-O1 -ldl $(LAZY_BINDING)

# Stage 2: loaded by stage 1 on the first OpenSSL call. Carries its own (static,
# hidden) libstdc++ so it never interposes on or clashes with the host program's.
# check's lints (core/lint.*) are the command's only: the engine, loaded into every
# governed process, does not carry them.
# The static C++ runtime's few needs from outside libc (shim/openssl/static_runtime.cpp)
# are the engine's own, and --as-needed keeps the libm the driver adds from becoming a
# dependency: the engine needs libc only (figure 8).
ENGINE_CORE_OBJ := $(filter-out $(call obj,shim/core/lint.cpp),$(CORE_OBJ))
# The startup files' optional symbols are answered in both libraries (preload/startfiles.cpp).
ENGINE_RUNTIME_OBJ := $(if $(SAN),,$(call obj,shim/openssl/static_runtime.cpp)) $(call obj,shim/preload/startfiles.cpp)
$(B)/libtlsoverride-engine.so: $(ENGINE_OBJ) $(ENGINE_CORE_OBJ) $(ENGINE_RUNTIME_OBJ) shim/openssl/engine.map
	$(call quiet,LINK,$@)$(CXX) -shared $(SANFLAGS) $(HARDEN_LIB_LDFLAGS) $(LDFLAGS) -o $@ $(ENGINE_OBJ) $(ENGINE_CORE_OBJ) \
	    $(ENGINE_RUNTIME_OBJ) $(if $(SAN),,-static-libstdc++ -static-libgcc $(PURE_VIRTUAL)) -Wl,--exclude-libs,ALL \
	    -Wl,--version-script=shim/openssl/engine.map -Wl,-O1 -Wl,--as-needed $(LAZY_BINDING) $(PACK_RELOCS)

$(B)/tlsoverride: $(CLI_OBJ) $(CORE_OBJ) $(ENGINE_OBJ)
	$(call quiet,LINK,$@)$(CXX) $(SANFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ -lssl -lcrypto -lgnutls -lpthread

# diagnose_records and the command-line grammar are pure (core only): unit-tested here.
# The OpenSSL adapter is linked too, without libssl: its unit tests give it a fake table.
# Stage 1's symbol table lookup is checked against dlsym on libc.
$(B)/unit-tests: $(UNIT_OBJ) $(CORE_OBJ) $(ENGINE_OBJ) $(call obj,shim/cli/diagnose_records.cpp shim/cli/args.cpp shim/preload/symbol_table.cpp)
	$(call quiet,LINK,$@)$(CXX) $(SANFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^

# Test clients link OpenSSL, except the one that plays a program on another library
# with OpenSSL's names (GnuTLS's compatibility layer), which tlsoverride must leave alone.
CLIENT_LIBS := -lssl -lcrypto -lpthread
$(B)/tests/gnutls_openssl_client: CLIENT_LIBS := -lgnutls-openssl
$(B)/tests/gnutls_cache_client: CLIENT_LIBS := -lgnutls
$(B)/tests/gnutls_ownptr: CLIENT_LIBS := -lgnutls
$(B)/tests/%: tests/clients/%.c tests/clients/loopback.h | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(HARDEN_CPPFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) $(SANFLAGS) -Wall $(HARDEN_LDFLAGS) -o $@ $< $(CLIENT_LIBS)
# A test-only preload library, not a program (tests/e2e/oom.sh): allocations fail on demand.
$(B)/tests/failmalloc.so: tests/clients/failmalloc.so.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -Wall -shared -fPIC -o $@ $<

$(B)/bench/empty-preload.so: bench/empty-preload.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) -shared -fPIC $(CFLAGS) -o $@ $<

$(B)/bench/%: bench/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -Wall -o $@ $< -lssl -lcrypto -lpthread

$(B)/test-certs/server.pem: scripts/make-test-certs | $(DEPS_FIRST)
	$(call quiet,CERTS,$(B)/test-certs)scripts/make-test-certs $(B)/test-certs

test-deps: all $(B)/unit-tests $(CLIENTS) $(B)/test-certs/server.pem $(if $(SAN),,legacy)

test: test-deps
	@tests/run $(B)

# One story end to end, e.g. make e2e T=tests/e2e/core.sh
e2e: test-deps
	@tests/run $(B) $(T)

demo: all $(CLIENTS) $(B)/test-certs/server.pem
	@scripts/demo $(B)

bench: all $(CLIENTS) $(BENCH_BIN) $(B)/test-certs/server.pem | $(DEPS_FIRST)
	@scripts/install-deps bench
	@bench/run $(B)

clean:
	rm -rf $(B)

.PHONY: all deps test test-deps e2e demo bench clean install uninstall deb

# --- other ABIs: OpenSSL 1.1.1 (64- and 32-bit) and i386 ---
# scripts/fetch-legacy-openssl puts Debian 11's libssl1.1 (amd64, i386) and Debian 12's
# i386 libssl3 into $(LEGACY), never system-wide. `make i386` builds the two libraries
# for 32-bit programs into $(B)/i386 (one LD_PRELOAD=.../$$LIB/... value serves both once
# installed); the old client is built against each ABI for the e2e stories.
LEGACY := $(B)/legacy
I386_B := $(B)/i386
legacy_inc = -I$(LEGACY)/$(1)/usr/include/$(2) -I$(LEGACY)/$(1)/usr/include
legacy_lib = -L$(LEGACY)/$(1)/usr/lib/$(2) -Wl,-rpath,$(abspath $(LEGACY))/$(1)/usr/lib/$(2)
LEGACY_CLIENTS := $(LEGACY)/bin/oldclient-1.1 $(LEGACY)/bin/oldclient-1.1-i386 $(LEGACY)/bin/oldclient-3-i386

$(LEGACY)/.complete: scripts/fetch-legacy-openssl | $(DEPS_FIRST)
	@scripts/fetch-legacy-openssl $(LEGACY)

$(LEGACY)/bin/oldclient-1.1: tests/clients/oldclient.c tests/clients/loopback.h $(LEGACY)/.complete
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wall -Wno-deprecated-declarations $(call legacy_inc,openssl-1.1-amd64,x86_64-linux-gnu) -o $@ $< \
	    $(call legacy_lib,openssl-1.1-amd64,x86_64-linux-gnu) -lssl -lcrypto -lpthread
$(LEGACY)/bin/oldclient-%-i386: tests/clients/oldclient.c tests/clients/loopback.h $(LEGACY)/.complete
	@mkdir -p $(dir $@)
	$(CC) -m32 $(CFLAGS) -Wall -Wno-deprecated-declarations $(call legacy_inc,openssl-$*-i386,i386-linux-gnu) -o $@ $< \
	    $(call legacy_lib,openssl-$*-i386,i386-linux-gnu) -lssl -lcrypto -lpthread

i386: $(LEGACY)/.complete
	$(MAKE) B=$(I386_B) ARCH=-m32 CPPFLAGS="$(call legacy_inc,openssl-3-i386,i386-linux-gnu)" \
	    $(I386_B)/libtlsoverride.so $(I386_B)/libtlsoverride-engine.so

legacy: i386 $(LEGACY_CLIENTS)

.PHONY: i386 legacy

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# --- operations: install, uninstall, deb ---
# make install PREFIX=/usr/local DESTDIR=: the command, the preload library and its engine
# in their private directory (side by side: stage 1 loads the engine from its own
# directory), the man pages (naming the paths of this installation), bash completion,
# and the example configurations under $(DOCDIR)/examples. Nothing under /etc: the
# Debian package creates /etc/tlsoverride/ and conf.d/ (debian/tlsoverride.dirs).
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/tlsoverride
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
EXAMPLE_CONFIGS := $(wildcard config/*.toml)
SYSTEMD_EXAMPLES := $(patsubst config/%,%,$(wildcard config/systemd/*/*))
# The man pages are written for PREFIX=/usr/local; installed, they name the real paths.
man_paths = sed -e 's|/usr/local/lib/tlsoverride|$(subst -,\\-,$(LIBDIR))|g' \
                -e 's|/usr/local/share/doc/tlsoverride|$(subst -,\\-,$(DOCDIR))|g' \
                -e 's|/usr/local/share/bash\\-completion/completions|$(subst -,\\-,$(COMPLETIONDIR))|g'

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 755 $(B)/tlsoverride $(DESTDIR)$(BINDIR)/tlsoverride
	$(INSTALL) -m 644 $(B)/libtlsoverride.so $(B)/libtlsoverride-engine.so $(DESTDIR)$(LIBDIR)/
	$(man_paths) man/tlsoverride.1 >$(DESTDIR)$(MANDIR)/man1/tlsoverride.1
	$(man_paths) man/tlsoverride.toml.5 >$(DESTDIR)$(MANDIR)/man5/tlsoverride.toml.5
	chmod 644 $(DESTDIR)$(MANDIR)/man1/tlsoverride.1 $(DESTDIR)$(MANDIR)/man5/tlsoverride.toml.5
	$(INSTALL) -m 644 completions/tlsoverride $(DESTDIR)$(COMPLETIONDIR)/tlsoverride
	$(if $(EXAMPLE_CONFIGS),$(INSTALL) -m 644 $(EXAMPLE_CONFIGS) $(DESTDIR)$(DOCDIR)/examples/)
	for f in $(SYSTEMD_EXAMPLES); do $(INSTALL) -D -m 644 config/$$f $(DESTDIR)$(DOCDIR)/examples/$$f || exit 1; done
	if [ -f $(I386_B)/libtlsoverride.so ] && [ -f $(I386_B)/libtlsoverride-engine.so ]; then \
	    $(INSTALL) -d $(DESTDIR)$(LIBDIR32) $(DESTDIR)$(PREFIX)/lib32 && \
	    $(INSTALL) -m 644 $(I386_B)/libtlsoverride.so $(I386_B)/libtlsoverride-engine.so $(DESTDIR)$(LIBDIR32)/ && \
	    ln -sfn ../lib/i386-linux-gnu/tlsoverride $(DESTDIR)$(PREFIX)/lib32/tlsoverride; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tlsoverride
	rm -f $(DESTDIR)$(LIBDIR)/libtlsoverride.so $(DESTDIR)$(LIBDIR)/libtlsoverride-engine.so
	rm -f $(DESTDIR)$(MANDIR)/man1/tlsoverride.1 $(DESTDIR)$(MANDIR)/man5/tlsoverride.toml.5
	rm -f $(DESTDIR)$(COMPLETIONDIR)/tlsoverride
	rm -rf $(DESTDIR)$(DOCDIR)
	rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null || true
	rm -f $(DESTDIR)$(LIBDIR32)/libtlsoverride.so $(DESTDIR)$(LIBDIR32)/libtlsoverride-engine.so $(DESTDIR)$(PREFIX)/lib32/tlsoverride
	rmdir $(DESTDIR)$(LIBDIR32) 2>/dev/null || true

# The Debian package, built the way Debian builds it: dpkg-buildpackage (debian/, dh)
# from a clean export of the tree in $(B)/deb, then lintian. Prints the .deb's path last.
deb:
	@scripts/install-deps deb
	@scripts/make-deb $(B) $(VERSION)


# --- hardening: sanitizers and fuzzing ---
# make test-sanitize: the unit tests and every end-to-end story against an ASan+UBSan
# build of everything ($(ASAN_B)), then the concurrency story against a TSan build
# ($(TSAN_B)). make fuzz FUZZ_SECONDS=60: each libFuzzer target in tests/fuzz for that
# long, from its seed corpus. How a sanitized preload library is loaded: docs/hardening.md.
ASAN_B       ?= build-asan
TSAN_B       ?= build-tsan
FUZZ_B       ?= build-fuzz
# -O1 -g1: a third of -O2 -g's compile time under the sanitizers, still line numbers.
SAN_OPT      ?= -O1 -g1
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=c++20 -Ishim -O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,$(FUZZ_B)/%,$(wildcard tests/fuzz/*.cpp))
FUZZ_CORE    := $(patsubst %.cpp,$(FUZZ_B)/obj/%.o,$(CORE_SRC))

test-sanitize:
	$(MAKE) B=$(ASAN_B) SAN=address,undefined CXXFLAGS="$(SAN_OPT)" CFLAGS="$(SAN_OPT)" test-deps
	$(MAKE) B=$(TSAN_B) SAN=thread CXXFLAGS="$(SAN_OPT)" CFLAGS="$(SAN_OPT)" $(TSAN_B)/libtlsoverride.so \
	    $(TSAN_B)/libtlsoverride-engine.so $(TSAN_B)/tests/racer $(TSAN_B)/test-certs/server.pem
	@CXXFLAGS="$(SAN_OPT)" CFLAGS="$(SAN_OPT)" tests/sanitize $(ASAN_B) $(TSAN_B)

$(FUZZ_B)/.deps-installed: scripts/install-deps
	@scripts/install-deps fuzz
	@mkdir -p $(FUZZ_B) && touch $@

$(FUZZ_B)/obj/%.o: %.cpp | $(FUZZ_B)/.deps-installed
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_TARGETS): $(FUZZ_B)/%: $(FUZZ_B)/obj/tests/fuzz/%.o $(FUZZ_CORE)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_B) $(FUZZ_SECONDS)

.PHONY: test-sanitize fuzz fuzz-build
-include $(shell find $(FUZZ_B)/obj -name '*.d' 2>/dev/null)

# --- runtimes: Java and node, which carry their own TLS (tlsoverride run translates the
# policy for them; README "Java and node"). The JSSE provider is a -javaagent jar, the node
# module a --require file; both are installed beside the library, where run looks for them.
JAVAC ?= javac
JAR   ?= jar
JAVA_SRC := $(filter-out %/Agent.java,$(wildcard shim/java/tlsoverride/*.java))
RUNTIME_PARTS := $(B)/tlsoverride-jsse.jar $(B)/tlsoverride.js
# A JDK is a test dependency: make (and make demo) build the provider when javac is
# there; make test installs one first (scripts/install-deps java).
HAVE_JAVAC := $(shell command -v $(JAVAC) 2>/dev/null)
BUILT_RUNTIME_PARTS := $(B)/tlsoverride.js $(if $(HAVE_JAVAC),$(B)/tlsoverride-jsse.jar)

all: $(BUILT_RUNTIME_PARTS)
test-deps: $(RUNTIME_PARTS) $(B)/tests/JavaClient.class $(B)/tests/policy/tlsoverride/PolicyTable.class

$(B)/.java-deps-installed: scripts/install-deps | $(B)/.deps-installed
	@scripts/install-deps java
	@touch $@

# --release 11: the oldest class-file version whose APIs the provider uses; the premain
# class is Java 8's, so that an older JVM starts without the provider instead of stopping.
$(B)/tlsoverride-jsse.jar: shim/java/tlsoverride/Agent.java $(JAVA_SRC) shim/java/manifest.txt | $(B)/.java-deps-installed
	@rm -rf $(B)/java && mkdir -p $(B)/java
	$(JAVAC) --release 8 -Xlint:all,-options -Werror -d $(B)/java shim/java/tlsoverride/Agent.java
	$(JAVAC) --release 11 -Xlint:all,-serial -Werror -d $(B)/java $(JAVA_SRC)
	$(JAR) --create --file $@ --manifest shim/java/manifest.txt -C $(B)/java .

$(B)/tlsoverride.js: shim/node/tlsoverride.js
	@mkdir -p $(B)
	cp $< $@

$(B)/tests/JavaClient.class: tests/clients/JavaClient.java | $(B)/.java-deps-installed
	@mkdir -p $(B)/tests
	$(JAVAC) -d $(B)/tests $<

# The provider's pure decisions, table-tested inside its package.
$(B)/tests/policy/tlsoverride/PolicyTable.class: tests/clients/PolicyTable.java $(B)/tlsoverride-jsse.jar
	@mkdir -p $(B)/tests/policy
	$(JAVAC) -Xlint:all -Werror -cp $(B)/java -d $(B)/tests/policy $<

install: install-runtimes
install-runtimes: $(BUILT_RUNTIME_PARTS)
	$(INSTALL) -d $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 644 $(BUILT_RUNTIME_PARTS) $(DESTDIR)$(LIBDIR)/
uninstall: uninstall-runtimes
uninstall-runtimes:
	rm -f $(DESTDIR)$(LIBDIR)/tlsoverride-jsse.jar $(DESTDIR)$(LIBDIR)/tlsoverride.js

demo-java: all $(RUNTIME_PARTS) $(B)/tests/JavaClient.class $(B)/test-certs/server.pem
	@scripts/demo-java $(B)

.PHONY: install-runtimes uninstall-runtimes demo-java
