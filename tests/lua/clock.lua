-- os.time, os.clock, os.date in UTC (no time zone), os.getenv.
local t0 = os.clock()
local s = 0
for i = 1, 200000 do s = s + i end
local t1 = os.clock()
print("sum", s, "clock type", math.type(t0), "clock advances", t1 >= t0)
print("time is an integer", math.type(os.time()))
print(os.time({year = 2000, month = 1, day = 1, hour = 0}))
print(os.time({year = 2024, month = 2, day = 29, hour = 12, min = 30, sec = 15}))
print(os.date("!%Y-%m-%d %H:%M:%S", 946684800), os.date("!%j %a %b", 1709209815))
local d = os.date("!*t", 86400 * 365)
print(d.year, d.month, d.day, d.yday, d.wday, d.isdst)
print(os.difftime(10, 4), os.getenv("CAPOS_NO_SUCH_VARIABLE"))
