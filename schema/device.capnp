# capOS device capabilities: what a user-space driver holds instead of
# raw hardware access.  A driver gets them only from its manifest entry
# (docs/devices.md, "Device capabilities"): the kernel creates them when
# init starts the service that names the device, and destroys them (device
# quiesced first) when that process ends.
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only, capabilities returned as result-cap record indices and
# named in params by the caller's cap id.  Generated C code:
# generated/device.capnp.h (prefix device_).

@0x832f1daf940f333c;

interface Notification @0x8d1468a1cf30e2bb {
  # A kernel object holding a word of signal bits.  signal ORs bits in;
  # wait and poll take (return and clear) the pending bits of a mask.
  # Interrupts (Interrupt.bind) and other processes (a sender facet passed
  # over IPC) signal through it.  Transferable.  A sender facet (from
  # `sender`) may only signal: wait, poll and sender on it are refused
  # with CAPOS_ERR_NOT_PERMITTED.

  signal @0 (bits :UInt64) -> ();
  # ORs bits into the word and completes a pending wait whose mask they
  # meet.  invalidArgument for bits 0.

  wait @1 (mask :UInt64, timeoutNs :UInt64) -> (bits :UInt64, timedOut :Bool);
  # Takes the pending bits within mask (0 = every bit); when none are
  # pending the call completes later (the caller sleeps in cap_enter)
  # when a signal meets the mask, or after timeoutNs (0 = no deadline)
  # with bits 0 and timedOut.  One wait at a time per Notification: a
  # second is overloaded.  A waiter that exits or is killed is forgotten.

  poll @2 (mask :UInt64) -> (bits :UInt64);
  # Takes the pending bits within mask (0 = every bit) without waiting;
  # 0 when none.

  sender @3 () -> (senderIndex :UInt16);
  # A signal-only facet of this Notification (result cap senderIndex), to
  # hand to another process.
}

interface Interrupt @0xc904e30abf959d6b {
  # One MSI-X table entry (or the MSI of a function without MSI-X) of the
  # granted device, routed by the kernel to a vector of its own.  When the
  # interrupt arrives the kernel masks the entry, counts it and sets the
  # bound bit in the bound Notification; until bound, arrivals are latched
  # here (counted, and signalled at bind).  None is ever lost: a masked
  # entry's arrivals wait in the device's pending bits.  Not transferable.

  bind @0 (notification :UInt32, bit :UInt8) -> ();
  # notification: the caller's cap id of a Notification (either facet);
  # bit 0..63.  Rebinding replaces the previous binding.
  # invalidArgument: not a Notification cap of the caller, bit > 63.

  ack @1 () -> ();
  # The driver has handled the interrupt: unmasks the entry, so the next
  # arrival (or one the device held pending meanwhile) is delivered.

  info @2 () -> (vector :UInt8, entry :UInt16, msix :Bool, delivered :UInt64, latched :UInt64);
  # The kernel vector, the table entry, MSI-X (true) or MSI, arrivals so
  # far and those that found no Notification bound.
}

struct DeviceInfo @0xea07bfb1b1b8d4e6 {
  # What DeviceMmio.info reports: the PCI function and the granted BAR.
  bus @0 :UInt8;
  device @1 :UInt8;
  function @2 :UInt8;
  vendorId @3 :UInt16;
  deviceId @4 :UInt16;
  classCode @5 :UInt8;
  subclass @6 :UInt8;
  progIf @7 :UInt8;
  bar @8 :UInt8;            # the BAR this cap maps
  barSize @9 :UInt64;       # bytes
  barIs64 @10 :Bool;
  barPrefetchable @11 :Bool;
  msixBar @12 :UInt8;       # 0xff: no MSI-X
  msixTableOffset @13 :UInt32;
  msixTableBytes @14 :UInt32;
  msixPbaOffset @15 :UInt32; # in bar msixPbaBar
  msixPbaBar @16 :UInt8;
  config @17 :Data;
  # A read-only copy of the function's first 256 bytes of configuration
  # space, taken when the cap was created (vendor capabilities for
  # lib/virtio/virtio_pci.c); the driver never touches config space.
}

interface DeviceMmio @0xccf0492c6672f4e1 {
  # One memory BAR of one PCI function.  Not transferable.

  info @0 () -> (info :DeviceInfo);

  map @1 (offset :UInt64, length :UInt64, hint :UInt64) -> (addr :UInt64);
  # Maps [offset, offset+length) of the BAR (4 KiB aligned, inside the
  # BAR) read-write, never executable, uncached (PCD|PWT) into the caller;
  # hint as in VirtualMemory.map (0: the kernel picks).  invalidArgument:
  # misaligned, empty, outside the BAR, overlapping a page of the MSI-X
  # table or PBA (kernel-owned), hint taken or outside user space.
  # Mappings go away with unmap, or when the cap goes.

  unmap @2 (addr :UInt64) -> ();
  # Undoes one map (addr as map returned).
}

interface DMAPool @0x89c5a19e8f818ce3 {
  # Kernel-allocated, pinned, zeroed memory of a size fixed at grant that
  # the granted device can reach, and nothing else: with VT-d the device's
  # own domain maps exactly this pool; without an IOMMU the pool is
  # physically contiguous and its physical address is the device address.
  # Not transferable.  When the holder ends, the kernel turns off the
  # function's bus mastering and resets it, destroys its DMA domain, and
  # only then frees the frames.

  deviceAddress @0 () -> (address :UInt64, size :UInt64, iommu :Bool);
  # The pool's base as the device sees it (an IOVA when iommu) and its size.
  # The pool is contiguous at this address: pool offset o is address + o.

  map @1 (hint :UInt64) -> (addr :UInt64);
  # Maps the whole pool read-write (never executable, write-back cached)
  # into the caller; hint as in VirtualMemory.map.

  unmap @2 (addr :UInt64) -> ();
  # Undoes one map.
}
