# capOS entropy: the EntropySource kernel capability
# (kernel/cap/entropy_source.c), granted by a manifest as
# `kernel: "entropySource"`.  The runtime wraps it as capos_getentropy()
# (runtime/entropy.c).  docs/entropy.md says where the bytes come from.
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only.  Generated C code: generated/entropy.capnp.h (prefix
# entropy_).

@0xff7e3652a94ae098;

interface EntropySource @0xd0ef99e54eefac8f {
  getBytes @0 (count :UInt32) -> (data :Data);
  # count random bytes (0 to 256; invalidArgument above, as getentropy).
  # failed when the hardware source did not deliver within its bounded
  # retries or failed its health check: no bytes are returned then, never
  # weak ones.
}
