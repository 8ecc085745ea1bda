# Test schema covering every field kind the C generator supports; used by
# the Criterion tests, the reference round trips (tests/capnp/roundtrip.sh)
# and the fuzzer.  Not part of capOS.
@0xe5f1c2d3a4b59687;

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Inner {
  id @0 :UInt32;
  label @1 :Text;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :Inner;
  enumField @15 :Color;

  voidList @16 :List(Void);
  boolList @17 :List(Bool);
  int8List @18 :List(Int8);
  int16List @19 :List(Int16);
  int32List @20 :List(Int32);
  int64List @21 :List(Int64);
  uint8List @22 :List(UInt8);
  uint16List @23 :List(UInt16);
  uint32List @24 :List(UInt32);
  uint64List @25 :List(UInt64);
  float32List @26 :List(Float32);
  float64List @27 :List(Float64);
  textList @28 :List(Text);
  dataList @29 :List(Data);
  structList @30 :List(Inner);
  enumList @31 :List(Color);
  listList @32 :List(List(Int32));

  union {
    unset @33 :Void;
    number @34 :Int64;
    word @35 :Text;
    nested @36 :Inner;
  }

  choice :union {
    none @37 :Void;
    flag @38 :Bool;
    color @39 :Color;
  }

  grp :group {
    a @40 :UInt16;
    b @41 :Text;
  }
}

struct Defaults {
  boolDefault @0 :Bool = true;
  int8Default @1 :Int8 = -5;
  int16Default @2 :Int16 = 1234;
  int32Default @3 :Int32 = -123456;
  int64Default @4 :Int64 = 9000000000;
  uint8Default @5 :UInt8 = 200;
  uint16Default @6 :UInt16 = 60000;
  uint32Default @7 :UInt32 = 4000000000;
  uint64Default @8 :UInt64 = 18000000000000000000;
  float32Default @9 :Float32 = 1.5;
  float64Default @10 :Float64 = -2.25;
  enumDefault @11 :Color = blue;
  textDefault @12 :Text = "hello \"world\"";
  dataDefault @13 :Data = 0x"01 02 ff";
}

interface Thing {
  poke @0 (x :UInt32) -> (y :UInt32);
}

struct WithCap {
  name @0 :Text;
  thing @1 :Thing;
  things @2 :List(Thing);
}

struct Outer {
  struct Middle {
    enum Level { low @0; high @1; }
    level @0 :Level;
    inner @1 :Inner;
  }
  middle @0 :Middle;
  middles @1 :List(Middle);
  child @2 :Outer;
}

const answer :Int32 = 42;
const greeting :Text = "hi\n";
const blob :Data = 0x"de ad be ef";
const ratio :Float64 = 0.125;
const favorite :Color = green;
const big :UInt64 = 0xffffffffffffffff;
const negative :Int64 = -9223372036854775808;
