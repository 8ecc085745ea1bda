# capOS threads: the ThreadSpawner, ThreadHandle and ParkSpace kernel
# capabilities (kernel/cap/thread_spawner.c, thread_handle.c,
# park_space.c), granted by a manifest as `kernel: "threadSpawner"` and
# `kernel: "parkSpace"`.  The runtime wraps them as capos_thread_spawn /
# capos_thread_join and capos_mutex / capos_cond / capos_once
# (runtime/include/capos/thread.h).  docs/processes.md ("Threads") and
# docs/ipc.md ("A ring per thread") describe the model.
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only.  Generated C code: generated/thread.capnp.h (prefix
# thread_).

@0x9420652938b3c0ec;

interface ThreadSpawner @0xd7f346fa3fd9760f {
  spawn @0 (entry :UInt64, arg :UInt64, stackSize :UInt64, tlsSize :UInt64,
            tlsBase :UInt64, stackBase :UInt64)
        -> (tid :UInt32, handleIndex :UInt16);
  # Starts a thread in the caller's process (same address space and
  # capability table) at `entry` with rdi = its own ring page, rsi = arg,
  # rdx = its thread id, on a fresh stack of stackSize bytes (rounded up to
  # pages, 4 KiB to 8 MiB; 0 = 64 KiB) with a guard page below it, and a
  # fresh TLS block: the ELF's TLS image plus tlsSize zeroed bytes (at
  # most 64 KiB) after the thread pointer, which is the FS base and whose
  # first word is its own address.  handleIndex is the result-cap record of
  # its ThreadHandle (not transferable), which joins it; releasing the
  # handle detaches it.  invalidArgument for a non-user entry or a size
  # out of range; overloaded when the caller's process has too many threads.
  # tlsBase, when not 0, is the thread's FS base instead (a C library that
  # lays out its own thread blocks, as musl's pthread_create does: the
  # kernel's TLS block is still made but unused).  Any user address is
  # accepted (the kernel never reads it); a non-user one is
  # invalidArgument.
  # stackBase, when not 0, is the caller's own memory the thread runs on
  # instead of a kernel stack (pthread_attr_setstack, musl's thread
  # blocks): [stackBase, stackBase + stackSize), both 16-byte aligned,
  # stackSize from 1 KiB to 1 GiB, every page of it
  # mapped user-writable in the caller's address space when spawn runs
  # (a lazily mapped page not yet touched counts as unmapped); the thread
  # starts with rsp = stackBase + stackSize - 8.  The kernel never reads
  # or writes that memory and does not free it.  invalidArgument for
  # anything else.
}

interface ThreadHandle @0xd1a423747a6275e7 {
  join @0 () -> (status :Int64, killed :Bool);
  # Completes when the thread has ended, with the status it passed to
  # thread_exit (killed: it ended because its process ended first, status
  # -1).  One join at a time (overloaded for a second).
}

interface ParkSpace @0xe1cfcde784ee7506 {
  wait @0 (addr :UInt64, expected :UInt32, timeoutNs :UInt64) -> (woken :Bool);
  # Parks the calling thread on the 32-bit word at addr (4-byte aligned,
  # in the caller's address space) if it still holds `expected`: the
  # check and the sleep are one step with respect to every wake.  Answers
  # at once with woken = false if the word differs, else when a wake
  # reaches it (woken = true) or after timeoutNs (woken = false; 2^64-1 =
  # no timeout).  invalidArgument for a misaligned or unreadable address.

  wake @1 (addr :UInt64, count :UInt32) -> (woken :UInt32);
  # Wakes up to count threads of the caller's process parked on addr,
  # oldest first; returns how many it woke (0 when nobody waits).
}
