# capOS time: the Timer kernel capability (kernel/cap/timer.c), granted by
# a manifest as `kernel: "timer"`.  The runtime wraps it as
# capos_clock_ns() and capos_nanosleep() (runtime/timer.c).
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only.  Generated C code: generated/time.capnp.h (prefix time_).

@0xa3232540c4ed5574;

interface Timer @0x84efb64f00caa1a9 {
  now @0 () -> (ns :UInt64);
  # Monotonic nanoseconds since the kernel's clock started (the TSC,
  # calibrated against the PIT at boot); never goes backwards.

  sleep @1 (ns :UInt64) -> ();
  # Completes no earlier than ns nanoseconds after the call (0: at once).
  # The completion is deferred: the caller usually waits for it in
  # cap_enter and does not run meanwhile.  A caller may have at most 8
  # sleeps pending (overloaded beyond).  A sleep that never ends
  # (ns = 2^64-1) is ended by its process's death, nothing else.

  resolution @2 () -> (ns :UInt64);
  # The granularity of the kernel's timer interrupts in ns: a sleep ends
  # within about this much after its deadline on an idle system (later
  # when other processes hold the CPU: slices are 20 ms).
}
