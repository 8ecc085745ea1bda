-- table.sort with and without a comparator, and the table library.
local t = {}
local x = 42
for i = 1, 200 do
  x = (x * 1103515245 + 12345) % 2147483648
  t[i] = x % 1000
end
table.sort(t)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
print("sorted ascending", ok, t[1], t[100], t[200])
table.sort(t, function(a, b) return a > b end)
print("sorted descending", t[1], t[100], t[200])
local people = {
  {name = "ada", age = 36}, {name = "bob", age = 25}, {name = "cy", age = 36},
  {name = "dee", age = 19}, {name = "eve", age = 25},
}
table.sort(people, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name < b.name
end)
for _, p in ipairs(people) do io.write(p.name, "=", p.age, " ") end
print()
local words = {"pear", "Apple", "fig", "banana", "cherry"}
table.sort(words, function(a, b) return a:lower() < b:lower() end)
print(table.concat(words, " "))
table.insert(words, 1, "first")
table.insert(words, "last")
print(table.remove(words), table.remove(words, 1), #words, table.unpack(words, 2, 3))
print(table.move({1, 2, 3}, 1, 3, 2)[3], select("#", table.unpack({1, nil, 3}, 1, 3)))
local count = 0
for k, v in pairs({a = 1, b = 2, c = 3}) do count = count + v end
print("pairs sum", count, #{1, 2, 3, nil}, next({}))
local mt = setmetatable({}, {__index = function(_, k) return k * 2 end, __len = function() return 99 end})
print(mt[21], #mt, rawlen({1, 2}), rawequal(mt, mt))
