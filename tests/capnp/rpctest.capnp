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

# Methods inherited with `extends`: a Shelf client offers Store's and
# Pinger's methods too, and Shelf's dispatch serves them.
interface Pinger @0xc41e9a0b7d2f6e15 {
  ping @0 (n :UInt32) -> (n :UInt32);
}

interface Shelf @0xe7d3b5a1c9f04826 extends(Store, Pinger) {
  count @0 () -> (n :UInt32);
  big @1 (bytes :UInt32) -> (data :Data);
}
