# tests/fuzz/fuzz.mk — libFuzzer harnesses for the parsers that see the network. Run from the
# repository root:
#
#   make fuzz                              build every harness into build-fuzz/  (= make -f tests/fuzz/fuzz.mk)
#   make -f tests/fuzz/fuzz.mk fuzz-run    each harness FUZZ_SECONDS (default 20) over its corpus, then
#                                          once over every saved input in tests/fuzz/regressions/<name>/
#   make -f tests/fuzz/fuzz.mk fuzz-merge  minimise the committed corpora in place (-merge=1)
#
# tests/fuzz/fuzz_<name>.c becomes build-fuzz/fuzz_<name>; its seeds are tests/fuzz/corpus/<name>/ and
# inputs that once crashed it are tests/fuzz/regressions/<name>/. The project sources a harness needs are
# compiled straight into it with the fuzzer's instrumentation (never build/libbotwerk.a, which is
# gcc-built and uninstrumented). fuzz-run writes new inputs to a temporary directory, never into the
# committed corpus, and crash artifacts to build-fuzz/artifacts/<name>/.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_FLAGS   ?= -timeout=5 -rss_limit_mb=2048
# Merging by edge coverage only (not hit counts) keeps the committed corpora small.
FUZZ_MERGE_FLAGS ?= -use_counters=0
FUZZ_DIR     := tests/fuzz

FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -Wall -Wextra -Wno-unused-parameter -Isrc
FUZZ_LIBS   := -lstemmer -lpthread -lm

FUZZ_NAMES := router json_body terms chunk headers image sse reply llm_stream extract reply_stream embed inbound html_text flow robots sitemap site_profile

# Per harness: the project sources compiled into it, and the pkg-config packages it needs.
router_SRC    := src/http/router.c
router_PKGS   := jansson
json_body_SRC := src/base/json.c src/base/err.c src/base/clock.c src/api/bot_json.c src/conv/hours.c src/conv/hours_text.c \
                 src/llm/config.c src/llm/prompt_template.c src/conv/profile_fields.c src/api/secret_paths.c src/channels/policy.c \
                 src/channels/templates.c src/conv/flow.c src/conv/flow_check.c src/conv/flow_check_read.c src/conv/flow_answer.c src/conv/words.c
json_body_PKGS:= jansson icu-uc icu-i18n
terms_SRC     := src/rag/terms.c src/rag/synonyms.c $(FUZZ_BUILD)/gen/rag_files.c
terms_PKGS    := icu-uc
chunk_SRC     := src/rag/chunk.c
chunk_PKGS    :=
headers_SRC   := src/http/headers.c
headers_PKGS  :=
image_SRC     := src/http/image.c
image_PKGS    :=
sse_SRC       := src/net/sse.c
sse_PKGS      :=
reply_SRC     := src/llm/reply.c src/rag/chunk.c
reply_PKGS    := jansson
llm_stream_SRC  := src/llm/stream.c src/net/sse.c
llm_stream_PKGS := jansson
extract_SRC     := src/conv/extract.c src/conv/extract_who.c src/conv/extract_when.c src/conv/extract_what.c src/conv/words.c
extract_PKGS    := jansson libpcre2-8
reply_stream_SRC  := src/llm/reply_stream.c src/llm/reply.c src/rag/chunk.c
reply_stream_PKGS := jansson
embed_SRC     := src/llm/embed.c
embed_PKGS    := jansson libsodium
inbound_SRC   := src/channels/inbound.c
inbound_PKGS  := jansson
html_text_SRC  := src/ingest/html_text.c src/ingest/html_links.c src/ingest/html_url.c src/ingest/html_util.c
html_text_PKGS := libxml-2.0
flow_SRC      := src/conv/flow.c src/conv/flow_check.c src/conv/flow_check_read.c src/conv/flow_answer.c src/conv/handover.c src/conv/topics.c src/conv/words.c
flow_PKGS     := jansson
robots_SRC    := src/ingest/robots.c
robots_PKGS   :=
sitemap_SRC   := src/ingest/sitemap.c src/ingest/html_url.c src/ingest/html_util.c
sitemap_PKGS  := libxml-2.0
site_profile_SRC  := src/ingest/html_text.c src/ingest/html_links.c src/ingest/html_url.c src/ingest/html_util.c \
                     src/ingest/site_profile.c src/ingest/site_result.c src/ingest/site_values.c src/ingest/site_hours.c src/ingest/site_text.c \
                     src/ingest/site_schema.c src/ingest/site_markup.c src/conv/hours.c src/conv/hours_text.c \
                     src/base/json.c src/base/err.c
site_profile_PKGS := jansson libxml-2.0 icu-uc icu-i18n

# Linked into every harness: the string builder and the text helpers (UTF-8, hex) most parsers use.
FUZZ_COMMON_SRC := src/base/strbuf.c src/base/text.c

FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES))

.DEFAULT_GOAL := all

# The retrieval data (src/rag/data/*.txt) that terms.c embeds through synonyms.c, generated as the main
# Makefile does (tools/embed.c, built with the host compiler: it only runs at build time).
RAG_DATA := $(sort $(wildcard src/rag/data/*.txt))
$(FUZZ_BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -std=c17 -Wall -Wextra -Werror -o $@ $<
$(FUZZ_BUILD)/gen/rag_files.c: $(FUZZ_BUILD)/embed $(RAG_DATA)
	@mkdir -p $(dir $@)
	$(FUZZ_BUILD)/embed text rag_files $@ $(RAG_DATA)
FUZZ_HDRS := $(wildcard src/*.h src/*/*.h)

.PHONY: all fuzz fuzz-run fuzz-merge fuzz-clean
all fuzz: $(FUZZ_BINS)

define harness
$(FUZZ_BUILD)/fuzz_$(1): $(FUZZ_DIR)/fuzz_$(1).c $$($(1)_SRC) $$(FUZZ_COMMON_SRC) $$(FUZZ_HDRS) $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(if $$($(1)_PKGS),$$(shell pkg-config --cflags $$($(1)_PKGS))) \
	  -o $$@ $(FUZZ_DIR)/fuzz_$(1).c $$($(1)_SRC) $$(FUZZ_COMMON_SRC) \
	  $$(if $$($(1)_PKGS),$$(shell pkg-config --libs $$($(1)_PKGS))) $$(FUZZ_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call harness,$(n))))

# Every harness runs even when an earlier one fails; the target fails when any did.
fuzz-run: $(FUZZ_BINS)
	@fail=""; \
	for n in $(FUZZ_NAMES); do \
	  bin=$(FUZZ_BUILD)/fuzz_$$n; corpus=$(FUZZ_DIR)/corpus/$$n; reg=$(FUZZ_DIR)/regressions/$$n; \
	  art=$(FUZZ_BUILD)/artifacts/$$n; mkdir -p "$$art" "$$corpus"; \
	  scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/botwerk-fuzz-$$n.XXXXXX") || exit 1; \
	  echo "== fuzz_$$n: $(FUZZ_SECONDS) s over $$corpus"; \
	  if ! $$bin -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) -print_final_stats=1 \
	       -artifact_prefix="$$art/" "$$scratch" "$$corpus" >"$$scratch.log" 2>&1; then \
	    tail -n 40 "$$scratch.log"; echo "!! fuzz_$$n failed; crash input(s) in $$art/"; fail="$$fail $$n"; \
	  else \
	    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' "$$scratch.log" || tail -n 3 "$$scratch.log"; \
	  fi; \
	  rm -rf "$$scratch" "$$scratch.log"; \
	  files=$$(find "$$reg" -type f 2>/dev/null | sort); \
	  if [ -n "$$files" ]; then \
	    echo "== fuzz_$$n: regressions in $$reg"; \
	    if ! $$bin $(FUZZ_FLAGS) -artifact_prefix="$$art/" $$files >"$$art/regressions.log" 2>&1; then \
	      tail -n 40 "$$art/regressions.log"; echo "!! fuzz_$$n: a regression input fails again"; fail="$$fail $$n-regressions"; \
	    else \
	      echo "   $$(echo "$$files" | wc -l) input(s) pass"; \
	    fi; \
	  fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz-run failed:$$fail"; exit 1; fi; \
	echo "fuzz-run: all harnesses passed"

# Keeps only the inputs that add coverage: merges each committed corpus into a fresh directory and
# swaps it in. A kept input keeps its old file name (libFuzzer names it by SHA-1). With
# FUZZ_MERGE_FROM=DIR, inputs found elsewhere (DIR/<name>/, e.g. a long local run's output) that add
# coverage beyond the committed corpus are added after it, named by SHA-1. Review the diff before
# committing.
fuzz-merge: $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
	  corpus=$(FUZZ_DIR)/corpus/$$n; [ -d "$$corpus" ] || continue; \
	  new=$$(mktemp -d "$${TMPDIR:-/tmp}/botwerk-merge-$$n.XXXXXX") || exit 1; \
	  $(FUZZ_BUILD)/fuzz_$$n -merge=1 $(FUZZ_MERGE_FLAGS) $(FUZZ_FLAGS) "$$new" "$$corpus" >"$$new.log" 2>&1 \
	    || { tail -n 20 "$$new.log"; rm -rf "$$new" "$$new.log"; exit 1; }; \
	  for f in "$$corpus"/*; do \
	    [ -f "$$f" ] || continue; h=$$(sha1sum "$$f" | cut -d' ' -f1); \
	    b=$$(basename "$$f"); [ "$$b" != "$$h" ] && [ -f "$$new/$$h" ] && mv "$$new/$$h" "$$new/$$b"; \
	  done; \
	  if [ -n "$(FUZZ_MERGE_FROM)" ] && [ -d "$(FUZZ_MERGE_FROM)/$$n" ]; then \
	    $(FUZZ_BUILD)/fuzz_$$n -merge=1 $(FUZZ_MERGE_FLAGS) $(FUZZ_FLAGS) "$$new" "$(FUZZ_MERGE_FROM)/$$n" >>"$$new.log" 2>&1 \
	      || { tail -n 20 "$$new.log"; rm -rf "$$new" "$$new.log"; exit 1; }; \
	  fi; \
	  echo "fuzz_$$n: $$(ls "$$corpus" | wc -l) -> $$(ls "$$new" | wc -l) files, $$(cat "$$new"/* | wc -c) bytes"; \
	  rm -rf "$$corpus" && mv "$$new" "$$corpus" && chmod 755 "$$corpus" && chmod 644 "$$corpus"/*; \
	  rm -f "$$new.log"; \
	done

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
