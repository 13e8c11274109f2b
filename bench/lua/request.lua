-- wrk script: method from GW_BENCH_METHOD (default GET), X-API-Key from GW_BENCH_KEY if set.
wrk.method = os.getenv("GW_BENCH_METHOD") or "GET"
local key = os.getenv("GW_BENCH_KEY")
if key and key ~= "" then wrk.headers["X-API-Key"] = key end

-- Count answers other than 200 so that a fast stream of errors is never taken for throughput.
-- Each wrk thread has its own Lua state: counts are gathered per thread and summed in done().
local threads = {}
setup = function(thread) table.insert(threads, thread) end
local bad = 0
response = function(status) if status ~= 200 then bad = bad + 1; non_200 = bad end end
done = function()
  local total = 0
  for _, thread in ipairs(threads) do total = total + (tonumber(thread:get("non_200")) or 0) end
  io.write(string.format("non_200=%d\n", total))
end
