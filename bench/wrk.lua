-- wrk script of the HTTP benchmarks (bench/common.py): rotates over the paths of the file
-- named by WRK_PATHS, sends the header of WRK_HEADER ("Name: value") and prints one JSON line.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local header = os.getenv("WRK_HEADER") or ""
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 7
end

function init(args)
  i = offset
end

request = function()
  i = i % #paths + 1
  local headers = {}
  if header ~= "" then
    local k, v = header:match("^([^:]+):%s*(.*)$")
    headers[k] = v
  end
  return wrk.format("GET", paths[i], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
