-- wrk script for scripts/bench: every request POSTs /api/v1/bookings for a distinct free slot.
--
-- Arguments (after `--`): origin slot_seconds http_offset http_duration spaces first_free_slot
--                         offset threads token
-- Request g (g = offset + k * threads + thread id, k counting the thread's requests) books
-- space g % spaces, slot first_free_slot + floor(g / spaces): 30 minutes in the free second hour
-- of that slot (see Sources/hapesira-bench/Layout.swift), so no two requests ever conflict.
-- done() prints one machine-readable RESULT line with the status counts of all threads.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  origin = tonumber(args[1])
  slot_seconds = tonumber(args[2])
  http_offset = tonumber(args[3])
  http_duration = tonumber(args[4])
  spaces = tonumber(args[5])
  first_free = tonumber(args[6])
  offset = tonumber(args[7])
  nthreads = tonumber(args[8])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[9]
  issued, s201, s409, other = 0, 0, 0, 0
end

local function rfc3339(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

function request()
  local g = offset + issued * nthreads + tid
  issued = issued + 1
  local space = g % spaces
  local slot = first_free + math.floor(g / spaces)
  local start = origin + slot * slot_seconds + http_offset
  local body = string.format(
    '{"space":"room-%02d","title":"wrk booking %d","category":"workshop","start":"%s","end":"%s"}',
    space + 1, g, rfc3339(start), rfc3339(start + http_duration))
  return wrk.format(nil, "/api/v1/bookings", nil, body)
end

function response(status, headers, body)
  if status == 201 then
    s201 = s201 + 1
  elseif status == 409 then
    s409 = s409 + 1
  else
    other = other + 1
    if other <= 3 then io.stderr:write("unexpected HTTP " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local t201, t409, tother, tissued = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t201 = t201 + thread:get("s201")
    t409 = t409 + thread:get("s409")
    tother = tother + thread:get("other")
    tissued = tissued + thread:get("issued")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f s201=%d s409=%d other=%d issued=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d err_connect=%d err_read=%d err_write=%d err_timeout=%d non2xx=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), t201, t409, tother, tissued,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
