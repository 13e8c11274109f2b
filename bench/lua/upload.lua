-- wrk script: a body of GW_BENCH_BODY_BYTES (default 1 MiB) per request, new bytes each time (a
-- 32-byte prefix of thread, counter and a random seed before fixed filler), so that every POST
-- /upload stores a new file rather than finding the same bytes again.
--   GW_BENCH_METHOD  POST (default) or PUT
--   GW_BENCH_PATH    the path; for PUT "/_bench/receive/" gets "<thread>-<n mod 64>.bin" appended
--   GW_BENCH_KEY     X-API-Key, if set
local method = os.getenv("GW_BENCH_METHOD") or "POST"
local path = os.getenv("GW_BENCH_PATH") or "/upload?filename=bench-1m.bin"
local size = tonumber(os.getenv("GW_BENCH_BODY_BYTES") or "1048576")
local headers = { ["Content-Type"] = "application/octet-stream" }
local key = os.getenv("GW_BENCH_KEY")
if key and key ~= "" then headers["X-API-Key"] = key end
local filler = string.rep("b", size - 32)

local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end

local counter = 0
local seed = tostring(math.random(1, 1000000000)) .. tostring(os.time())
request = function()
  counter = counter + 1
  local prefix = string.format("%-32s", string.sub(tostring(tid) .. "-" .. counter .. "-" .. seed, 1, 32))
  local p = path
  if method == "PUT" then p = path .. tostring(tid) .. "-" .. (counter % 64) .. ".bin" end
  return wrk.format(method, p, headers, prefix .. filler)
end
