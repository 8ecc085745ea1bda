# Model checking: the SPIN models of verify/spin/ (the ring with hostile
# index writes, the endpoint state machine, move transfers), each checked
# exhaustively at small bounds, after verify/check-constants.sh has
# checked their constants and the C functions they mirror against the
# tree.  docs/verification.md explains each model and its bounds.
#
#   make verify   the models alone (about a minute; also part of make test)

.PHONY: verify
verify: deps
	@verify/run.sh

TEST_SUITES += verify/run.sh
