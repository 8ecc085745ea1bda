-- Coroutines: generators, passing values both ways, status, wrap, errors.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i * i) end
    return "done"
  end)
end
local g = gen(4)
print(g(), g(), g(), g(), g())
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.resume(co))
local bad = coroutine.create(function() error("inside the coroutine") end)
print(coroutine.resume(bad))
print(coroutine.isyieldable(), select(2, coroutine.running()))
local producer = coroutine.wrap(function()
  for _, w in ipairs({"alpha", "beta", "gamma"}) do coroutine.yield(w) end
end)
local got = {}
for w in producer do got[#got + 1] = w:upper() end
print(table.concat(got, "+"))
local co2 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co2)
print(coroutine.close(co2), coroutine.status(co2))
