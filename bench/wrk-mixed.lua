-- wrk script for the warm small-object test (bench/bench.py, test 4).
--
--   wrk -t2 -c64 -d10s --latency -s bench/wrk-mixed.lua http://127.0.0.1:PORT -- REQUESTS_FILE
--
-- REQUESTS_FILE holds one "METHOD PATH" per line (small-blob GETs and manifest GETs by tag, interleaved by the
-- harness; not HEADs: wrk 4.1's parser waits for the body a HEAD answer announces, so ab measures those). Every thread rotates over the whole list, starting at its own offset. Manifest requests carry the Accept
-- header a container client sends. done() prints one line "WRK_JSON {...}" the harness parses: request count,
-- duration, bytes, latency percentiles (microseconds) and wrk's error counters (status counts answers >= 400).

local accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " ..
  "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local reqs = {}
local counter = 0

function init(args)
  local file = args[1]
  if file == nil then
    error("wrk-mixed.lua: pass the requests file after --")
  end
  for line in io.lines(file) do
    local method, path = line:match("^(%u+)%s+(%S+)$")
    if method then
      local headers = {}
      if path:find("/manifests/", 1, true) then
        headers["Accept"] = accept
      end
      reqs[#reqs + 1] = wrk.format(method, path, headers)
    end
  end
  if #reqs == 0 then
    error("wrk-mixed.lua: no requests in " .. file)
  end
  local nthreads = tonumber(args[2]) or 2
  counter = math.floor((id or 0) * #reqs / nthreads)
end

function request()
  counter = counter % #reqs + 1
  return reqs[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
