# botwerk — plain Makefile over pkg-config.
#
#   make            build/botwerk (optimised, with debug info)
#   make asan       build-asan/botwerk and its unit tests with AddressSanitizer + UBSan
#   make unit       build and run the cmocka unit tests
#   make fuzz       libFuzzer harnesses (clang) in build-fuzz/
#   make test       install missing dependencies, build, run every test (what .ci/run calls)
#   make demo       install, build, start a server with a demo bot
#   make bench      benchmarks (see docs/performance.md)

CC      ?= cc
BUILD   ?= build
PKGS    := libmicrohttpd sqlite3 libpq jansson libsodium icu-uc icu-i18n libpcre2-8 libcurl libxml-2.0 libcrypto
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
           -Wmissing-prototypes -Wmissing-declarations -Wstrict-prototypes -Wformat=2 -Wvla
OPT     ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lstemmer -lpthread -lm

SRC      := $(sort $(wildcard src/*.c src/*/*.c))
LIB_SRC  := $(filter-out src/main.c,$(SRC))
GEN      := $(BUILD)/gen/sql_files.c
WEB      := $(sort $(wildcard web/*.js web/*.css web/*.html))
WEB_GZ   := $(patsubst web/%,$(BUILD)/gen/web/%.gz,$(WEB))
WEB_GEN  := $(BUILD)/gen/web_assets.c
PROMPTS  := $(sort $(wildcard prompts/*.txt))
PROMPT_GEN := $(BUILD)/gen/prompt_files.c
RAG_DATA := $(sort $(wildcard src/rag/data/*.txt))
RAG_GEN  := $(BUILD)/gen/rag_files.c
OBJ      := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/sql_files.o $(BUILD)/obj/gen/web_assets.o \
            $(BUILD)/obj/gen/prompt_files.o $(BUILD)/obj/gen/rag_files.o
SQL      := $(sort $(wildcard src/store/sql/*.sql))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all asan unit fuzz test demo bench clean deps FORCE
all: $(BUILD)/botwerk

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -std=c17 -Wall -Wextra -Werror -o $@ $<

# Regenerated on every build (cheap) and replaced only when it changed: a renamed or removed
# migration file must not leave a stale copy behind.
$(GEN): $(BUILD)/tools/embed FORCE
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/embed sql store_sql_files $@.tmp $(SQL)
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "embedded $(words $(SQL)) migration files"; fi

FORCE:

# Web assets (web/): each embedded with its gzip form (gzip -n: no name or time, so builds repeat).
$(BUILD)/gen/web/%.gz: web/%
	@mkdir -p $(dir $@)
	gzip -9 -n -c $< >$@

# Regenerated like $(GEN), so a removed asset does not linger.
$(WEB_GEN): $(BUILD)/tools/embed $(WEB_GZ) FORCE
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/embed assets web_assets $@.tmp $(foreach f,$(WEB),$(f) $(BUILD)/gen/web/$(notdir $(f)).gz)
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "embedded $(words $(WEB)) web assets"; fi

# Prompt templates (prompts/*.txt, read by src/llm/prompt_template.c), regenerated like $(GEN).
$(PROMPT_GEN): $(BUILD)/tools/embed FORCE
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/embed text prompt_files $@.tmp $(PROMPTS)
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "embedded $(words $(PROMPTS)) prompt templates"; fi

# Retrieval data (src/rag/data/*.txt, read by src/rag/synonyms.c), regenerated like $(GEN).
$(RAG_GEN): $(BUILD)/tools/embed FORCE
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/embed text rag_files $@.tmp $(RAG_DATA)
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "embedded $(words $(RAG_DATA)) retrieval data files"; fi

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libbotwerk.a: $(OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/botwerk: $(BUILD)/obj/main.o $(BUILD)/libbotwerk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbotwerk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations -Itests/unit $(shell pkg-config --cflags cmocka) \
	  -o $@ $< $(BUILD)/libbotwerk.a $(LDLIBS) $(shell pkg-config --libs cmocka)

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" build-asan/botwerk $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BIN))

fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk

deps:
	scripts/install-deps

test:
	scripts/install-deps
	scripts/test

demo:
	scripts/install-deps
	scripts/demo

bench:
	bench/run

# Micro-benchmark of one answer (bench/run builds and runs it after the HTTP figures).
$(BUILD)/tools/answer_bench: bench/answer_bench.c $(BUILD)/libbotwerk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libbotwerk.a $(LDLIBS)

# Retrieval quality over the fixture site and its PDFs (docs/quality.md).
$(BUILD)/tools/retrieval_eval: tools/retrieval_eval.c tools/offtopic_eval.c tools/offtopic_eval.h $(BUILD)/libbotwerk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ tools/retrieval_eval.c tools/offtopic_eval.c $(BUILD)/libbotwerk.a $(LDLIBS)

clean:
	rm -rf build build-asan build-fuzz

-include $(patsubst %.o,%.d,$(OBJ) $(BUILD)/obj/main.o)
