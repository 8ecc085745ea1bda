-- string.format, patterns and the string library.
local s = "The quick brown fox jumps over the lazy dog 1234 times, 56.78%"
print(s:len(), s:upper(), s:lower():sub(5, 9), s:rep(2, "|"):len())
print(s:find("fox"), s:find("o", 20), s:find("%d+"), s:find(".", 1, true))
print(s:match("(%a+) (%a+)"), s:match("%d+%.%d+"), s:match("^The"), s:match("dog$"))
for word in s:gmatch("%a+") do io.write(word:sub(1, 1)) end
print()
print(s:gsub("o", "0"), (s:gsub("%w+", string.upper, 3)))
print(("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
print(("key=value; k2=v2"):gsub("(%w+)=(%w+)", {key = "K", k2 = false}))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(string.format("[%10s][%-10s][%.2s]", "right", "left", "cut"))
print(("abc"):byte(1, -1), string.char(72, 105), ("x"):rep(0) == "")
print(("%bxy"):len(), ("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+", 5))
print(table.concat({1, 2, "three", 4.5}, ", "), select("#", 1, nil, 3), select(-1, "a", "b"))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), #"€")
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print()
print(string.pack("<i4", 100):byte(1, -1), string.unpack("<i4", string.pack("<i4", -2)))
print(tostring(nil), tostring(true), tostring(12), ("%d"):format(3.0))
