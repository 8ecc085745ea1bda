-- Floating point as Lua prints it (%.14g) and string.format's conversions.
local values = {0, -0.0, 1, -1, 0.1, 1/3, 2/3, 1e15, 1e16, 2^53, 2^63, 1e100, 1e-300,
  5e-324, math.pi, -math.huge, math.huge, 123456789012345678, 3.0, -2.5, 1e308 * 10}
-- %a of a subnormal is the C library's choice (glibc 0x0.0000000000001p-1022,
-- musl 0x1p-1074; both are C17): not printed.
for i, v in ipairs(values) do
  local sub = v ~= 0 and math.abs(v) < 2.2250738585072014e-308
  print(i, v, string.format("%g %.3f %e %.17g", v, v, v, v), sub and "subnormal" or string.format("%a", v))
end
print(0/0 ~= 0/0, math.type(1), math.type(1.0), math.type("1"))
print(7 // 2, 7.0 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 % 2, 2^-1, 1 / 0, -1 / 0)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(math.floor(3.7), math.ceil(-3.7), math.abs(-4), math.max(1, 9, 3), math.min(2.5, -1))
print(math.sqrt(2), math.sin(1), math.cos(1), math.exp(1), math.log(10), math.log(8, 2))
print(math.fmod(7, 3), math.fmod(-7, 3), math.tointeger(3.0), math.tointeger(3.5), math.ult(1, -1))
print(tostring(1e15), tostring(1e16), tostring(-0.0), 10 // 3.0, 2^1023 * 2)
print(string.format("%5d|%-5d|%05.1f|%x|%X|%o|%c|%s|%10.3s|%%", 42, 42, 3.14159, 255, 255, 8, 65, "str", "truncate"))
print(string.format("%q", 1/3), string.format("%q", math.mininteger), string.format("%q", 2^63))
print(tonumber("0x1p4"), tonumber("  12  "), tonumber("1e"), tonumber("z", 36), tonumber("7", 8))
print(8 | 1, 7 & 3, 5 ~ 3, ~0, 1 << 62, 1 << 64, -1 >> 1)
