# Counter: the service of docs/writing-a-service.md.  This file sits beside
# its server and client (demos/counter_server.c, demos/counter_client.c);
# the build compiles it to generated/counter.capnp.{h,c,rpc.h,rpc.c} and
# links that code into every program, with no step to add.
@0xa0870e2c53eb8453;

interface Counter @0xe2b1a4d8c0f35a17 {
  add @0 (amount :UInt32) -> (total :UInt64);
  # Adds amount (at least 1) to the total and returns the new total.
}
