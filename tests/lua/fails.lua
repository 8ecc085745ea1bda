-- A script that fails: the interpreter prints Lua's message and a
-- traceback on stderr and exits with status 1.
print("before the error")
local function check(x)
  if x > 2 then error("x is too big: " .. x) end
  return x
end
print(check(1))
print(check(3))
print("never printed")
