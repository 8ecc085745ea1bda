# The capOS boot manifest: the whole system in one Cap'n Proto message.
#
# tools/mkmanifest evaluates system.cue (CUE definitions in cue/), validates
# the service graph (lib/manifest/), embeds every referenced ELF and writes
# this message as `manifest.bin`, the single boot module.  The kernel starts
# only `initConfig.init`; init reads the manifest through BootPackage,
# re-validates it with the same lib/manifest/ code and spawns the services
# in dependency order.  Field names mirror the CUE schema (cue/manifest.cue)
# so `capnp convert binary:json` of the manifest reads like the CUE export.
#
# Changing a field's meaning requires bumping `schemaVersion`
# (MF_SCHEMA_VERSION in lib/manifest/manifest.h, `#SchemaVersion` in CUE).
@0xf8510ded1517dbf0;

struct SystemManifest {
  schemaVersion @0 :UInt32;        # must equal the reader's version
  binaries @1 :List(Binary);       # every ELF referenced by init or a service
  initConfig @2 :InitConfig;
  kernelParams @3 :KernelParams;
}

struct Binary {
  name @0 :Text;                   # logical name, referenced by Service.binary
  data @1 :Data;                   # the ELF file, verbatim
}

struct InitConfig {
  init @0 :Init;                   # the one process the kernel starts
  services @1 :List(Service);      # started by init, in dependency order
}

struct Init {
  binary @0 :Text;
  caps @1 :List(CapRef);           # kernel sources only
}

struct Service {
  name @0 :Text;                   # unique among services
  binary @1 :Text;                 # a Binary.name
  caps @2 :List(CapRef);           # exactly what the service is granted
  exports @3 :List(Text);          # names of its own caps others may import
  restart @4 :RestartPolicy;       # init restarts it (docs/init.md "Restart")
  quota @5 :ServiceQuota;          # its limits (docs/manifest.md "Quota");
                                   # absent or 0 fields: the kernel's defaults
}

struct ServiceQuota {
  # Applied by the kernel when init starts the service through its root
  # ProcessSpawner (docs/processes.md "Limits and quotas"); bounded by
  # memory and the tables, not by init's own limits.
  caps @0 :UInt32;
  ranges @1 :UInt32;
  frames @2 :UInt32;
  threads @3 :UInt32;
}

struct CapRef {
  name @0 :Text;                   # local name in the holder's CapSet
  source @1 :CapSource;
  badge @2 :UInt64;                # 0 = unbadged
  interface @3 :Text;              # `endpoint` caps only: the interface the
                                   # endpoint serves (schema name, e.g. "Echo");
                                   # "" = none declared
  interfaceId @4 :UInt64;          # its Cap'n Proto interface id (mkmanifest
                                   # resolves it from the compiled schemas);
                                   # importers' CapSet entries carry it
  device @5 :DeviceRef;            # deviceMmio, interrupt, dmaPool: which
                                   # device (and which part of it)
}

struct DeviceRef {
  # A PCI function a service drives (docs/devices.md, "Device
  # capabilities").  One service per device: mkmanifest and the boot code
  # refuse a second service naming the same device.
  pci @0 :Text;                    # "vvvv:dddd" vendor:device, or "class:ccss"
                                   # (class and subclass: the first such
                                   # function), lower-case hex
  bar @1 :UInt8;                   # deviceMmio: the memory BAR (0..5)
  msix @2 :UInt16;                 # interrupt: the MSI-X table entry
  bytes @3 :UInt64;                # dmaPool: the pool's size (4 KiB multiple)
}

struct CapSource {
  union {
    kernel @0 :KernelCap;          # created or lent by the kernel
    service @1 :ServiceExport;     # exported by a service started earlier
  }
}

struct ServiceExport {
  name @0 :Text;                   # the exporting service
  export @1 :Text;                 # one of its `exports`
}

enum KernelCap {
  console @0;
  frameAllocator @1;
  virtualMemory @2;
  endpoint @3;                     # a new endpoint owned by the holder
  processSpawner @4;
  bootPackage @5;                  # init only
  notification @6;                 # a new Notification owned by the holder
  interrupt @7;                    # a device's MSI-X entry (services only)
  deviceMmio @8;                   # a device's memory BAR (services only)
  dmaPool @9;                      # DMA memory for a device (services only)
  timer @10;                       # Timer (schema/time.capnp)
  entropySource @11;               # EntropySource (schema/entropy.capnp)
  terminal @12;                    # the serial keyboard: one holder at most
  systemMonitor @13;               # the system-wide SystemMonitor
  threadSpawner @14;               # threads in the holder's process (schema/thread.capnp)
  parkSpace @15;                   # futex-like parking (schema/thread.capnp)
}

enum RestartPolicy {
  never @0;
  onFailure @1;
  always @2;
}

struct KernelParams {
  motd @0 :Text;                   # printed by init before starting services
}
