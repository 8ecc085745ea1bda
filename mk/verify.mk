# Model checking: the SPIN models of verify/spin/ (the ring with hostile
# index writes, the endpoint state machine, move transfers), each checked
# exhaustively at small bounds, after verify/check-constants.sh has
# checked their constants and the C functions they mirror against the
# tree.  docs/verification.md explains each model and its bounds.
#
# Then Frama-C's Eva over the lib/ parsers of untrusted input
# (verify/framac.sh; drivers and the explained alarm baseline in
# verify/framac/).
#
#   make verify   the models and the Eva analyses (also part of make test)

.PHONY: verify
verify: deps
	@verify/run.sh; s=$$?; verify/framac.sh && exit $$s

TEST_SUITES += verify/run.sh verify/framac.sh
