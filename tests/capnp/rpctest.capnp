# Interfaces for the host test of generated client stubs and server
# dispatch (tests/host/test_runtime_rpc.c): flat params of every kind,
# capability params and results, a params struct that cannot be passed
# flat, a method without a handler, a method named after a C keyword.
@0xd5a0b7c11e2f4a93;

enum Kind { plain @0; fancy @1; }

struct Item { n @0 :Int64; label @1 :Text; }

interface Store @0xb3c2d1e0f4a59687 {
  put @0 (key :Text, value :Data, kind :Kind, weight :Int32, flag :Bool)
      -> (count :UInt32, echoed :Text, kind :Kind);
  lend @1 (peer :Store, note :Text) -> (back :Store, note :Text);
  batch @2 (items :List(Item)) -> (sum :Int64, first :Item);
  nothing @3 ();
  return @4 () -> (default :UInt8 = 7);
}
