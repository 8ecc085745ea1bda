# capOS kernel and service interfaces.
#
# Every kernel call and every service call is a Cap'n Proto call on one of
# these interfaces: the SQE carries the target cap id and the method ordinal
# (`@n` below); the params are a Cap'n Proto message holding the method's
# param struct; the result buffer receives the result struct (or, with
# CAPOS_CQE_F_EXCEPTION, a CapException).  See include/capos/abi.h.
#
# Capabilities do not travel inside these messages as capability pointers:
# they travel in the SQE's sideband transfer descriptors (CALL/RETURN) and
# come back as result-cap records appended after the result message.  A
# method that returns a capability therefore returns an *index* into the
# result-cap records of its completion (`...Index :UInt16`), and the record
# carries the new local cap id plus the interface id, which the runtime
# checks before adopting the cap as a typed handle.
#
# Ids are explicit and stable: never change an id or an ordinal; add new
# methods and fields at the end only.  Generated C code: generated/capos.capnp.h
# (naming convention: docs/capnp-c.md).

@0xb43ddeb13d2fdd50;

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

struct CapException @0xbb80d6b951255947 {
  # Application-level failure of a call.  Written to the caller's result
  # buffer instead of the result struct; the CQE then has
  # CAPOS_CQE_F_EXCEPTION set and result CAPOS_ERR_APPLICATION_EXCEPTION.
  type @0 :Type;
  message @1 :Text;   # human-readable, for logs; never parsed

  enum Type @0xc9a461acf6421cca {
    failed @0;           # the call failed for a reason not listed below
    overloaded @1;       # out of a resource (quota, frames, slots); retry may work
    disconnected @2;     # the object behind the cap is gone
    unimplemented @3;    # the method exists in the schema but not here
    invalidArgument @4;  # a parameter was rejected (range, alignment, name...)
  }
}

# ---------------------------------------------------------------------------
# Console
# ---------------------------------------------------------------------------

interface Console @0xc86a45f046c44b68 {
  # The serial console.  Output only.

  write @0 (data :Data) -> ();
  # Writes the bytes as-is (no newline added, no translation).

  writeLine @1 (text :Text) -> ();
  # Writes the text followed by "\n".
}

# ---------------------------------------------------------------------------
# Physical memory
# ---------------------------------------------------------------------------

interface FrameAllocator @0xfc30316b97ae4f29 {
  # Hands out physical 4 KiB frames.  Every frame handed out is charged to
  # the caller's frame-grant ledger and comes back when it is freed or when
  # the caller exits.  Raw physical addresses must never be used for DMA.

  allocFrame @0 () -> (physAddr :UInt64);
  # One zeroed frame.  overloaded when out of frames or over quota.

  freeFrame @1 (physAddr :UInt64) -> ();
  # Returns a frame obtained from allocFrame/allocContiguous by this caller.
  # invalidArgument if the caller does not hold it (no double free).
  # A frame of a contiguous run is freed individually.

  allocContiguous @2 (count :UInt32) -> (physAddr :UInt64);
  # `count` (1..512) physically contiguous zeroed frames; physAddr is the
  # first.  invalidArgument for count 0 or > 512.

  query @3 () -> (totalFrames :UInt64, freeFrames :UInt64, heldFrames :UInt64);
  # System totals and the frames this caller currently holds.

  allocMemory @4 (pages :UInt32) -> (memoryIndex :UInt16);
  # A MemoryObject owning `pages` zeroed frames (not necessarily contiguous),
  # returned as result cap number `memoryIndex`.  Releasing the last cap to
  # it frees the frames.
}

interface MemoryObject @0xfa476fef6dc39014 {
  # A set of frames owned by a capability (see FrameAllocator.allocMemory).

  info @0 () -> (pages :UInt32, size :UInt64);
  # Page count and size in bytes (pages * 4096).

  map @1 (hint :UInt64, prot :UInt32) -> (addr :UInt64);
  # Maps the whole object into the caller's address space; hint and prot
  # as in VirtualMemory.map.

  unmap @2 (addr :UInt64) -> ();
  # Undoes one map; invalidArgument if addr is not a mapping of this object.
}

# ---------------------------------------------------------------------------
# Address space
# ---------------------------------------------------------------------------

const protRead :UInt32 = 1;
const protWrite :UInt32 = 2;
const protExec :UInt32 = 4;

interface VirtualMemory @0xf6a9778903dbf90e {
  # Anonymous pages in the caller's own address space.  Every page is
  # charged to the caller's frame-grant ledger.  prot is a mask of
  # protRead (1) | protWrite (2) | protExec (4); write+exec together is
  # invalidArgument.  Addresses and sizes must be 4 KiB aligned and lie in
  # user space, else invalidArgument.

  map @0 (hint :UInt64, size :UInt64, prot :UInt32) -> (addr :UInt64);
  # Zeroed pages.  hint 0 lets the kernel choose (CAPOS_USER_ANON_BASE
  # upwards); a non-zero hint is used exactly or the call fails with
  # invalidArgument if the range is taken.  overloaded when out of frames.

  unmap @1 (addr :UInt64, size :UInt64) -> ();
  # Frees the pages; every page in the range must be mapped by `map`.

  protect @2 (addr :UInt64, size :UInt64, prot :UInt32) -> ();
  # Changes protection of mapped pages.
}

# ---------------------------------------------------------------------------
# IPC
# ---------------------------------------------------------------------------

interface Endpoint @0xa60f5e8daf30b131 {
  # Driven by ring opcodes (CALL on a client facet, RECV/RETURN on the
  # server side): the method ordinal and params of a CALL belong to
  # whatever interface the server implements.  The methods below are the
  # kernel's own: a CALL reaches them only with SQE flag CAPOS_SQE_KERNEL
  # (include/capos/abi.h), and only on the owner side (a client facet gets
  # CAPOS_ERR_NOT_PERMITTED).  docs/ipc.md "Badged facets".

  mintClient @0 (badge :UInt64, interfaceId :UInt64, notifyOnRelease :Bool) -> (facet :Endpoint);
  # A new client facet of this endpoint whose calls arrive with `badge`
  # (not 0) and the endpoint message flag CAPOS_MSG_F_MINTED; it carries
  # interface id `interfaceId` (0: Endpoint's), and copies keep both.
  # notifyOnRelease: when the last copy is gone (released, its holders
  # exited, copies in transfers included) the owner's RECV gets one
  # message with CAPOS_MSG_F_RELEASED and the badge.  invalidArgument:
  # badge 0; overloaded: the endpoint already has ENDPOINT_FACETS_MAX
  # facets live or awaiting their release message, or the kernel's pool
  # is used up.
}

interface Echo @0xadae3d0c7c5124f9 {
  # Test service for IPC smokes.
  echo @0 (text :Text) -> (text :Text);
  # Returns its argument unchanged.
}

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

enum TransferMode @0xd0f748e307f14d88 {
  copy @0;   # the caller keeps its cap; the child gets another reference
  move @1;   # the caller's slot is removed when the call commits
}

struct CapGrant @0x8543cc997a87ff2a {
  # One capability given to a new process; it appears in the child's CapSet
  # page under `name`.
  name @0 :Text;         # CapSet name in the child, 1..31 bytes, unique per spawn
  capId @1 :UInt32;      # the caller's local cap id to grant from
  mode @2 :TransferMode;
  badge @3 :UInt64;      # badge the child's cap carries (0 = none; endpoint facets)
  interfaceId @4 :UInt64;
  # Expected interface id of the source cap; 0 = do not check.  A mismatch
  # is invalidArgument.
  newEndpoint @5 :Bool;
  # capId and mode are ignored: the kernel creates a new Endpoint, the
  # child gets its owner side under `name`, and the caller gets a client
  # facet of it (unbadged) as a result cap: record 1 + k for the k-th
  # newEndpoint grant of the call (record 0 is the ProcessHandle).  This is
  # how a supervisor wires a service's export to later services without
  # ever holding the server side.  With newEndpoint, interfaceId (if not 0)
  # is the interface the endpoint serves: the client facet, and every copy
  # of it, carries that id instead of Endpoint's, so clients can check
  # what they were given (the owner side stays an Endpoint).
  keepOwner @6 :Bool;
  # newEndpoint only: the caller also gets a copy of the owner side, as a
  # result cap after every client facet (in grant order).  A supervisor
  # that restarts the service keeps it and grants a copy to each new
  # instance, so the endpoint (and every client facet of it, and the calls
  # queued on it) outlives the instance; calls the dead instance had
  # received fail with DISCONNECTED.  Counts as a second new endpoint
  # against the limit.
}

struct SpawnQuota @0xc4f1e2a7b9d35a61 {
  # Limits of a new process (docs/processes.md "Limits and quotas").  A
  # field 0 inherits the spawning process's own limit; a non-zero field
  # may not exceed it (invalidArgument naming the field), so authority
  # only narrows down the spawn tree.
  caps @0 :UInt32;     # capabilities it may hold at once
  ranges @1 :UInt32;   # VirtualMemory/MemoryObject mapping ranges
  frames @2 :UInt32;   # frames it may hold: FrameAllocator frames + mapped pages
  threads @3 :UInt32;  # spawned threads alive at once (the first not counted)
}

interface ProcessSpawner @0xb8f686e859aabae6 {
  spawn @0 (name :Text, binaryName :Text, grants :List(CapGrant), quota :SpawnQuota) -> (handleIndex :UInt16, pid :UInt32);
  # Starts packaged boot binary `binaryName` (named in the manifest) as a
  # process called `name`, with exactly `grants` as its capabilities.
  # handleIndex is the result-cap record of the new ProcessHandle (not
  # transferable); client facets of newEndpoint grants follow it.  pid is
  # the child's process id (for logs).  invalidArgument: unknown binary, bad/duplicate grant
  # name, bad grant cap id, a quota field above the caller's own limit;
  # overloaded: out of processes/frames/quota.  quota absent (old callers)
  # or all zero: the child has the caller's limits.
  # All grants are applied or none (moves roll back on failure).
}

interface ProcessHandle @0xeae348f354b16f0d {
  wait @0 () -> (exitCode :Int64, killed :Bool, killReason :Text);
  # Completes when the process has ended (at once if it already has).
  # killed = false: it called exit(exitCode).  killed = true: the kernel
  # ended it (a CPU fault, a corrupt ring, a deadlock, a watchdog) and
  # killReason says why, as the kernel logged it (e.g. "page fault at 0x0
  # (read, not present) rip 0x400010"); exitCode is then -1.
  # Only one wait may be outstanding; a second concurrent wait fails with
  # overloaded.

  kill @1 () -> (killed :Bool);
  # Ends the process now, as the kernel ends a faulting one: its caps and
  # frames go back, a pending wait completes with killed = true and
  # killReason "killed by pid N 'name'".  killed = false: it had already
  # ended (nothing happens).
}

# ---------------------------------------------------------------------------
# Boot
# ---------------------------------------------------------------------------

interface BootPackage @0x807f8a60f7d9051a {
  # Read-only access to the packed boot manifest (schema/manifest.capnp),
  # granted to init.

  manifestSize @0 () -> (size :UInt64);
  # Size in bytes of the manifest message.

  readManifest @1 (offset :UInt64, maxBytes :UInt32) -> (data :Data);
  # Up to maxBytes (capped by the kernel at 65536) starting at offset;
  # empty at or past the end.  invalidArgument if maxBytes is 0.

  commandLine @2 () -> (text :Text);
  # The kernel command line as the boot loader passed it (at most 255
  # bytes).  Lets a boot-time program take parameters without a manifest
  # of its own (the in-guest kernel fuzzer reads its seed here).
}

# ---------------------------------------------------------------------------
# Terminal and system monitoring (docs/terminal.md)
# ---------------------------------------------------------------------------

interface Terminal @0xdfb91dc9963a95a2 {
  # The serial line as a terminal: the keyboard's bytes (received by
  # interrupt into a kernel ring) and output that the kernel log does not
  # garble.  Boot code grants it to one service at most, and it does not
  # move: whoever holds it is the only reader of the keyboard.

  read @0 (max :UInt32, timeoutNs :UInt64) -> (data :Data, timedOut :Bool);
  # Up to max (1..4096) bytes.  Raw mode: completes as soon as a byte is
  # there; line mode: when a whole line (ending "\n" or "\r") or max bytes
  # are.  timeoutNs 0 answers at once; 0xffffffffffffffff never times out.
  # timedOut with whatever was there (maybe nothing) when the time runs
  # out.  One read may be pending at a time (overloaded otherwise).

  write @1 (data :Data) -> ();
  # Bytes as-is, at most 4096.

  setMode @2 (echo :Bool, raw :Bool) -> ();
  # echo: the kernel writes each received byte back as it arrives ("\r"
  # as "\r\n").  Starts in line mode with echo.

  windowSize @3 () -> (known :Bool, rows :UInt16, cols :UInt16);
  # A serial line does not know its size: known = false, 24x80 assumed.

  stats @4 () -> (received :UInt64, overruns :UInt64, buffered :UInt32);
  # Bytes received since boot, bytes dropped because the ring was full,
  # bytes waiting now.
}

struct ProcessInfo {
  pid @0 :UInt32;
  name @1 :Text;
  state @2 :Text;          # "running", "runnable", "blocked", "exiting"
  frames @3 :UInt64;       # frames it holds (its own count)
  caps @4 :UInt32;         # capability table slots in use
  slices @5 :UInt64;       # times it was scheduled
  syscalls @6 :UInt64;
}

interface SystemMonitor @0xd50ddce1d68f8d15 {
  # Read-only views of the system.  A monitor shows, it never grants: no
  # method returns a capability to what it shows.  Boot code grants the
  # system-wide one (scope: every process); forChildren narrows it.

  processes @0 () -> (processes :List(ProcessInfo), hidden :UInt32);
  # The processes in scope (at most 64), and how many live ones are not.

  memory @1 () -> (framesFree :UInt64, framesTotal :UInt64, endpointsLive :UInt32,
                   processesLive :UInt32, poolFrames :UInt64, notificationsLive :UInt32,
                   processHandlesLive :UInt32, timerSleepsPending :UInt32,
                   poolRefusals :UInt64);
  # System-wide counts (they name no process).  The kernel's system-wide
  # object pools (docs/memory-caps.md, "System-wide pools"): the frames
  # they hold, the objects live in three of them (endpoints above), and
  # the allocations refused for want of memory since boot.

  forChildren @2 () -> (monitor :SystemMonitor);
  # A monitor whose scope is the caller's children: the processes spawned
  # by the caller's own ProcessSpawner while they live.  A narrowed
  # monitor narrows again to the new caller's children, never wider.
}
