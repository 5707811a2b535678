-- wrk script for `make bench`: optional rotation over (cookie, path) pairs for writes,
-- and a one-line JSON summary printed by done() for benchmarks/run.py to parse.
local rotation = {}
local counter = 0
local next_id = 0
local threads = {}
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local bench_body = os.getenv("BENCH_BODY") or ""
if bench_body ~= "" then wrk.body = bench_body end

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("BENCH_ROTATE")
  if file and file ~= "" then
    for line in io.lines(file) do
      local cookie, path = line:match("^([^\t]*)\t(.*)$")
      if cookie then table.insert(rotation, {cookie = cookie, path = path}) end
    end
  end
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
end

function request()
  if #rotation == 0 then
    return wrk.format()
  end
  local index = (counter * nthreads + id) % #rotation + 1
  counter = counter + 1
  local item = rotation[index]
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Cookie"] = item.cookie
  return wrk.format(wrk.method, item.path, headers, wrk.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
end
