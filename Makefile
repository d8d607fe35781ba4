# The two commands of the README:
#   make bench   set up, build, and run the default suite on every backend of this build
#   make test    set up, build, and run the tests
# and `make build` for set-up and build alone. Set-up installs what is missing
# (scripts/setup.sh) and reuses the Python environment in ~/.opbench/venv.
#
# Hardening, run by CI after `make test` (scripts/setup-hardening.sh installs
# clang): both build in $(HARDEN_BUILD) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, without the frameworks.
#   make sanitize   the core, isolation (test backends) and store tests
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 120; six targets,
#                   two at a time: 6 minutes)

BUILD ?= build
ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu)
HARDEN_BUILD ?= build-sanitize
FUZZ_SECONDS ?= 120

.PHONY: build bench test quick clean sanitize fuzz harden-configure

# One line a step (scripts/build.sh): set-up, configure, ninja's progress;
# full logs in $(BUILD)/setup.log, configure.log and build.log.
build:
	@scripts/build.sh $(BUILD) $(JOBS) $(CMAKE_ARGS)

bench: build
	$(BUILD)/opbench run $(ARGS)

quick: build
	$(BUILD)/opbench run --suite quick $(ARGS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

harden-configure:
	@cxx=$$(scripts/setup-hardening.sh | tail -n 1) && \
	mkdir -p $(HARDEN_BUILD) && \
	{ CXX="$$cxx" cmake -S . -B $(HARDEN_BUILD) -G Ninja -DOPBENCH_SANITIZE=ON -DOPBENCH_FUZZ=ON \
	    -DOPBENCH_WITH_TORCH=OFF -DOPBENCH_WITH_MLX=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >$(HARDEN_BUILD)/configure.log 2>&1 || \
	  { cat $(HARDEN_BUILD)/configure.log; exit 1; }; }

sanitize: harden-configure
	cmake --build $(HARDEN_BUILD) -j $(JOBS) --target opbench core_tests isolation_tests store_tests
	ctest --test-dir $(HARDEN_BUILD) -L sanitize --output-on-failure -j $(JOBS)

fuzz: harden-configure
	cmake --build $(HARDEN_BUILD) -j $(JOBS) --target fuzz_shape fuzz_experiment fuzz_suite fuzz_result fuzz_report fuzz_cli
	scripts/fuzz.sh $(HARDEN_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(HARDEN_BUILD)
