-- wrk script: mixed load for the soak scenario, in turn: POST /status, GET /files?limit=20,
-- GET /retrieve/<GW_BENCH_CID>, POST /upload of 64 KiB of new bytes. X-API-Key from GW_BENCH_KEY.
local key = os.getenv("GW_BENCH_KEY")
local cid = os.getenv("GW_BENCH_CID")
local auth = { ["X-API-Key"] = key }
local upload_headers = { ["X-API-Key"] = key, ["Content-Type"] = "application/octet-stream" }
local filler = string.rep("m", 65536 - 32)
local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end
local n = 0
local seed = tostring(math.random(1, 1000000000)) .. tostring(os.time())
request = function()
  n = n + 1
  local k = n % 4
  if k == 0 then return wrk.format("POST", "/status", auth) end
  if k == 1 then return wrk.format("GET", "/files?page=1&limit=20", auth) end
  if k == 2 then return wrk.format("GET", "/retrieve/" .. cid, auth) end
  local prefix = string.format("%-32s", string.sub(tostring(tid) .. "-" .. n .. "-" .. seed, 1, 32))
  return wrk.format("POST", "/upload?filename=soak.bin", upload_headers, prefix .. filler)
end
