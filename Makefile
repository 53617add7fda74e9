# The four commands of the project (see README.md). Each installs what it needs first (scripts/setup.sh).
.PHONY: demo test package bench setup

demo:
	./scripts/demo.sh

test:
	./scripts/test.sh

package:
	./scripts/setup.sh && ./scripts/package.sh

bench:
	./scripts/bench.sh

setup:
	./scripts/setup.sh

# Long forms of the reliability runs (short forms are part of `make test`), and mutation testing of the core
# (`make mutants`, or `scripts/mutants.sh FILE…` / `MUTANTS_SHARD=k/n scripts/mutants.sh` piecewise; docs/mutants.md).
.PHONY: soak fuzz fuzz-api mutants
soak:
	./scripts/soak.sh soak

fuzz:
	./scripts/soak.sh fuzz

fuzz-api:
	./scripts/soak.sh fuzz-api

mutants:
	./scripts/mutants.sh
