# The two commands of the README:
#   make bench   set up, build, and run the default suite on every backend of this build
#   make test    set up, build, and run the tests
# and `make build` for set-up and build alone. Set-up installs what is missing
# (scripts/setup.sh) and reuses the Python environment in ~/.opbench/venv.

BUILD ?= build
ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu)

.PHONY: build bench test quick clean

build:
	@py=$$(scripts/setup.sh | tail -n 1) && \
	mkdir -p $(BUILD) && \
	{ cmake -S . -B $(BUILD) -G Ninja -DOPBENCH_PYTHON="$$py" $(CMAKE_ARGS) >$(BUILD)/configure.log 2>&1 || \
	  { cat $(BUILD)/configure.log; exit 1; }; } && \
	grep '^-- opbench' $(BUILD)/configure.log; \
	cmake --build $(BUILD) -j $(JOBS)

bench: build
	$(BUILD)/opbench run $(ARGS)

quick: build
	$(BUILD)/opbench run --suite quick $(ARGS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
