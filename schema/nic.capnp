# capOS network interface: the capability a NIC driver service (the
# virtio-net driver, services/virtio_net once the device capabilities
# exist) exports to its one client, the network stack.  Design and the
# shared-memory frame ring: docs/devices.md, "virtio-net driver".
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only, capabilities returned as result-cap record indices.
# Generated C code: generated/nic.capnp.h.

@0xd2d472e92d09fcb4;

struct NicCounters @0xf36ee38d4736fa3a {
  # Since the driver started.  A drop is a frame refused for lack of room
  # (client buffer, ring slot, TX buffer); an error is a frame refused as
  # malformed (bad length) or a device protocol violation.
  rxFrames @0 :UInt64;
  rxBytes @1 :UInt64;
  rxDrops @2 :UInt64;
  rxErrors @3 :UInt64;
  txFrames @4 :UInt64;
  txBytes @5 :UInt64;
  txDrops @6 :UInt64;
  txErrors @7 :UInt64;
  deviceErrors @8 :UInt64;
  # Device misbehaviour the driver refused (bad used-ring ids, lengths,
  # indices); non-zero means the device was reset at least once.
}

struct FrameRingInfo @0xd72914e49a2fada9 {
  # Geometry of the shared frame ring (see Nic.frameRing).
  slotSize @0 :UInt32;   # bytes per slot: a 4-byte length, then the frame
  txSlots @1 :UInt32;    # power of two
  rxSlots @2 :UInt32;    # power of two
  txOffset @3 :UInt32;   # byte offset of TX slot 0 in the MemoryObject
  rxOffset @4 :UInt32;   # byte offset of RX slot 0
}

interface Nic @0xef7db5daed244963 {
  # One Ethernet interface.  Frames are whole Ethernet frames without FCS,
  # 14..1514 bytes; the driver adds and strips any device header.

  macAddress @0 () -> (mac :Data);
  # The 6-byte station address from the device.

  linkStatus @1 () -> (up :Bool, mtu :UInt16);
  # Link state as the device reports it (up if it cannot say); mtu 1500.

  counters @2 () -> (counters :NicCounters);

  sendBatch @3 (frames :List(Data)) -> (accepted :UInt32);
  # Queues frames in order with one device notification.  accepted < the
  # count when TX buffers ran out (retry the rest later); frames with a bad
  # length are skipped, counted in txErrors and counted as accepted.
  # invalidArgument for more than 64 frames.

  receive @4 (maxFrames :UInt32, timeoutNs :UInt64) -> (frames :List(Data));
  # Up to maxFrames (1..64) received frames, blocking until at least one
  # arrived or timeoutNs passed (0 = poll); an empty list on timeout.

  frameRing @5 () -> (memoryIndex :UInt16, info :FrameRingInfo);
  # The shared-memory path: result-cap record memoryIndex is a
  # MemoryObject holding a control page (TX and RX producer/consumer
  # indices) and the slots.  Only one client may hold the ring; a second
  # call is overloaded.

  txKick @6 (producer :UInt32) -> (consumer :UInt32);
  # The client has written TX slots up to `producer` (free-running index);
  # the driver queues them to the device and returns its consumer index.

  rxWait @7 (consumer :UInt32, timeoutNs :UInt64) -> (producer :UInt32);
  # The client has consumed RX slots up to `consumer`; blocks until the
  # driver's producer index differs from it or timeoutNs passed.
}
