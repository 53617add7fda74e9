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

# Long forms of the reliability runs (short forms are part of `make test`).
.PHONY: soak fuzz
soak:
	./scripts/soak.sh soak

fuzz:
	./scripts/soak.sh fuzz
