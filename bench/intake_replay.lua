-- wrk script for bench/intake_bench.py: replays pre-signed unique deliveries, each thread its own share.
-- args: <requests file> <thread count> <path>; file lines: webhook-id TAB webhook-timestamp TAB signature TAB body
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, path = args[1], tonumber(args[2]), args[3]
  prepared = {}
  local line_no = 0
  for line in io.lines(file) do
    if line_no % nthreads == tid then
      local id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      prepared[#prepared + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json", ["webhook-id"] = id,
        ["webhook-timestamp"] = ts, ["webhook-signature"] = sig}, body)
    end
    line_no = line_no + 1
  end
  cursor = 0
  wrapped = 0
  statuses = {}
end

function request()
  cursor = cursor + 1
  if cursor > #prepared then  -- out of unique deliveries: repeats answer 200 and are counted apart
    cursor = 1
    wrapped = wrapped + 1
  end
  return prepared[cursor]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged, wraps = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
    wraps = wraps + thread:get("wrapped")
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  io.write(string.format(
    'RESULT {"duration_us": %d, "requests": %d, "socket_errors": %d, "wrapped": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "statuses": {%s}}\n',
    summary.duration, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    wraps, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    table.concat(parts, ", ")))
end
