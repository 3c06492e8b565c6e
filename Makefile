# Lifeboat: the two commands a new user needs are `make demo` and `make test`.
#   make deps   install missing Debian packages (as root; otherwise prints the apt-get command)
#   make build  configure and build everything; binaries land in build/bin/
#   make test   deps + build + every test (unit, component, end-to-end); non-zero on any failure
#   make demo   start the test control plane and the operator and show them working
#   make bench  run the benchmarks under bench/ (prints measured ratios)

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

# Everything the build, the tests and the demo use, by Debian package name.
BUILD_PACKAGES := cmake g++ make pkg-config libssl-dev libboost-system-dev libcpprest-dev \
  nlohmann-json3-dev libyaml-cpp-dev libpqxx-dev libpq-dev libspdlog-dev prometheus-cpp-dev \
  libgtest-dev libgmock-dev libhowardhinnant-date-dev libcli11-dev
RUNTIME_PACKAGES := postgresql-15 postgresql-client-15 restic bubblewrap util-linux openssl \
  ca-certificates kubectl python3 python3-kubernetes python3-yaml golang-go golang-github-masterminds-sprig-dev \
  golang-gopkg-yaml.v3-dev prometheus
PACKAGES := $(BUILD_PACKAGES) $(RUNTIME_PACKAGES)

.PHONY: all deps build test unit-test demo bench clean

all: build

deps:
	@missing="$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)"; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: missing:" $$missing; \
	if [ "$$(id -u)" = 0 ]; then \
	  guard=""; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; status=$$?; \
	  [ -n "$$guard" ] && rm -f /usr/sbin/policy-rc.d; exit $$status; \
	else \
	  echo "run as root: apt-get install -y $$missing"; exit 1; \
	fi

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Unit tests only (no end-to-end scenarios): the quick loop while developing.
unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE e2e $(CTEST_ARGS)

demo: deps build
	./e2e/demo/run.sh && ./e2e/demo/failover.sh

bench: deps build
	./bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
