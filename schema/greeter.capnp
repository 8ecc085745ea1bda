# Greeter: the interface of the example service that `make run` boots
# (demos/greeter_server.c, demos/greeter_client.c) and that docs/runtime.md
# walks through ("Your first service").  A service's own schema lives here
# beside capos.capnp; `make generated-code` compiles it to
# generated/greeter.capnp.{h,c} (C prefix greeter_), which every program
# links, and a manifest names the interface an endpoint serves with
# `interface: "Greeter"`.
@0x96dc679e9d4fc168;

interface Greeter @0xc2c869df1bb23712 {
  greet @0 (name :Text) -> (greeting :Text);
  # Returns "hello, <name>".  A caller may pass a Console with the call
  # (a sideband capability transfer, docs/ipc.md): the greeter then also
  # writes the greeting through it, and releases it.
}
