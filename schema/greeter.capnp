# Greeter: the interface of the example service that `make run` boots
# (demos/greeter_server.c, demos/greeter_client.c) and that docs/runtime.md
# walks through ("Your first service").  A service's own schema lives here
# beside capos.capnp; the build compiles it to generated/greeter.capnp.{h,c}
# (C prefix greeter_) and its client stubs and server dispatch to
# generated/greeter.capnp.rpc.{h,c}, which every program links, and a
# manifest names the interface an endpoint serves with `interface: "Greeter"`.
@0x96dc679e9d4fc168;

using Capos = import "capos.capnp";

interface Greeter @0xc2c869df1bb23712 {
  greet @0 (name :Text, console :Capos.Console) -> (greeting :Text);
  # Returns "hello, <name>".  A caller may pass a Console (the capability
  # travels with the call, docs/ipc.md): the greeter then also writes the
  # greeting through it, and releases it.
}
