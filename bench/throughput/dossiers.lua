-- wrk script for bench/throughput.sh: one scenario per run, chosen by the arguments after `--`:
--
--   mode=submit   POST /api/v1/dossiers (a draft), then POST /api/v1/dossiers/{id}/submit
--   mode=upload   the same with one document (multipart, `doc_bytes` bytes, a PDF) in between
--   mode=read     GET /api/v1/dossiers/{code} (authenticated, with history and documents)
--   rate=N        dossiers (or reads) per second for the whole run, 0 = as fast as it goes
--   threads=N     wrk's -t (rate is split evenly over the threads)
--   shape=FILE    "cumulative-weight procedure agency" lines (bench/throughput.sh writes it)
--   tokens=FILE   one bearer token per line (one citizen each)
--   codes=FILE    "code token" lines: the dossiers a read picks from (uniformly)
--   read_picks=N  reads drawn per thread at the start, then cycled through (2048)
--   out=FILE      results, "key value" lines; in submit/upload mode also FILE.codes, and
--                 FILE.trace.N (one per thread N): a line per completed dossier (or read),
--                 "start_unix_ms latency_ms first_step_ms last_step_ms", start = its
--                 scheduled start. Each thread writes its own file as it goes: copying
--                 thousands of strings out of the threads at the end (thread:get) once
--                 returned a line with eight bytes of garbage in it.
--   seed=N
--
-- Run with as many threads as connections (-t C -c C): the script keeps one dossier's state
-- per thread, so each thread must drive exactly one connection. A dossier's latency runs from
-- its scheduled start (paced runs: the slot it was due to start in, so a server that falls
-- behind is charged for the wait; unpaced runs: when its first request was sent) to the
-- answer to its last request.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } motcua_timespec;
int clock_gettime(int clk_id, motcua_timespec *tp);
]]
local ts = ffi.new("motcua_timespec")
local function clock_ms(id)
  ffi.C.clock_gettime(id, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local function now_ms() return clock_ms(1) end -- CLOCK_MONOTONIC
-- Wall-clock time of a monotonic instant, for the trace (set against logs and disk samples).
local wall_offset = clock_ms(0) - clock_ms(1)

local function parse_args(args)
  local o = {}
  for _, a in ipairs(args or {}) do
    local k, v = a:match("^([%w_]+)=(.*)$")
    if k then o[k] = v end
  end
  return o
end

local function read_lines(path)
  local t = {}
  if not path or path == "" then return t end
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    if line ~= "" then t[#t + 1] = line end
  end
  f:close()
  return t
end

-- Main state -------------------------------------------------------------------------------

local threads = {}
local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  threads[#threads + 1] = thread
end

-- Thread state -----------------------------------------------------------------------------

local opts, mode, interval
local shape_w, shape_p, shape_a = {}, {}, {}
local tokens, codes = {}, {}
local read_requests, read_next = {}, 0 -- read mode: this thread's draw of formatted requests
local state = "start"          -- next request: start | upload | submit
local dossier_id, dossier_token, dossier_agency
local t_sched, t_sent, first_step
local next_slot
local upload_head, upload_filler, upload_tail, upload_ct
local upload_seq = 0
local trace_out            -- this thread's FILE.trace.N (flushed when wrk exits)

-- Results, read by done() through thread:get (numbers and tables of numbers/strings).
lat_dossier = {}   -- ms, per completed dossier (or read)
lat_step = {}      -- ms, per request: create, upload, submit or read, all steps
dossiers = 0
failures = 0
late = 0           -- paced runs: dossiers that started more than 5 ms after their slot
fail_status = {}   -- status -> count
made = {}          -- "code token" of every dossier submitted

local applicants = {
  '{"full_name":"Nguyễn Thị Hoa","id_number":"001190012345","phone":"0987654321","address":"12 Phố Quán Thánh, Phường Ba Đình, Hà Nội"}',
  '{"full_name":"Trần Văn Minh","id_number":"079088001234","phone":"0912345678","address":"45 Đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"}',
  '{"full_name":"Lê Thị Thu Trang","id_number":"048195004321","phone":"0905123456","address":"7 Đường Bạch Đằng, Phường Hải Châu, Đà Nẵng"}',
  '{"full_name":"Phạm Quốc Bảo","id_number":"031092007777","phone":"0934567890","address":"Thôn Đông, Xã Tiên Lãng, Hải Phòng"}',
}
local purposes = { "xin việc", "nhập học cho con", "vay vốn ngân hàng", "đăng ký kết hôn", "bổ sung hồ sơ" }

function init(args)
  opts = parse_args(args)
  mode = opts.mode or "submit"
  out_path, mode_name, rate_name = opts.out, mode, opts.rate or "0" -- for done()
  math.randomseed((tonumber(opts.seed) or 1) * 7919 + thread_id * 104729)
  local rate = tonumber(opts.rate) or 0
  local nthreads = tonumber(opts.threads) or 1
  interval = rate > 0 and (1000 * nthreads / rate) or nil
  for _, line in ipairs(read_lines(opts.shape)) do
    local w, p, a = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
    shape_w[#shape_w + 1], shape_p[#shape_p + 1], shape_a[#shape_a + 1] = tonumber(w), p, a
  end
  tokens = read_lines(opts.tokens)
  trace_out = assert(io.open(opts.out .. ".trace." .. thread_id, "w"))
  if mode == "read" then
    -- The reads are drawn and formatted once, here: formatting a request for every read cost
    -- wrk about a fifth of its CPU per read, which the server and PostgreSQL then lacked on a
    -- machine they share. Each thread cycles through its own draw (uniform over `codes`).
    codes = read_lines(opts.codes)
    for i = 1, tonumber(opts.read_picks) or 2048 do
      local code, token = codes[math.random(#codes)]:match("^(%S+)%s+(%S+)$")
      read_requests[i] = wrk.format("GET", "/api/v1/dossiers/" .. code, { ["Authorization"] = "Bearer " .. token })
    end
  end
  if mode == "upload" then
    local boundary = "motcuabench" .. thread_id
    upload_ct = "multipart/form-data; boundary=" .. boundary
    upload_head = "--" .. boundary .. "\r\n"
      .. 'Content-Disposition: form-data; name="file"; filename="giay-xac-nhan.pdf"\r\n'
      .. "Content-Type: application/pdf\r\n\r\n"
    -- A PDF as the server checks one (%PDF- first, %%EOF in the last kilobyte), `doc_bytes`
    -- long with its unique line; every upload differs, so the content-addressed store writes
    -- every one (no deduplication).
    local size = tonumber(opts.doc_bytes) or 200000
    local line = "% motcua throughput benchmark filler line 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    local fill = size - 40 - 7 -- minus the unique first 40 bytes and the 7 of "\n%%EOF\n"
    upload_filler = string.rep(line, math.floor(fill / #line)) .. string.rep("x", fill % #line)
    upload_tail = "\n%%EOF\n\r\n--" .. boundary .. "--\r\n"
  end
end

-- A weighted draw over the load shape (binary search on the cumulative weights).
local function draw()
  local n = #shape_w
  local r = math.random() * shape_w[n]
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if shape_w[mid] < r then lo = mid + 1 else hi = mid end
  end
  return shape_p[lo], shape_a[lo]
end

function delay()
  if state ~= "start" or not interval then return 0 end
  local now = now_ms()
  if not next_slot then next_slot = now + math.random() * interval end
  local wait = next_slot - now
  return wait > 0 and math.ceil(wait) or 0
end

function request()
  local now = now_ms()
  t_sent = now
  if state == "start" then
    if interval then
      if not next_slot then next_slot = now end
      t_sched = next_slot
      if now - t_sched > 5 then late = late + 1 end
      next_slot = next_slot + interval
    else
      t_sched = now
    end
    if mode == "read" then
      read_next = read_next % #read_requests + 1
      return read_requests[read_next]
    end
    local procedure, agency = draw()
    dossier_token = tokens[math.random(#tokens)]
    dossier_agency = agency
    local body = '{"procedure_code":"' .. procedure .. '","agency_code":"' .. agency .. '","applicant":'
      .. applicants[math.random(#applicants)] .. ',"delivery":"online","form":{"purpose":"'
      .. purposes[math.random(#purposes)] .. '"}}'
    return wrk.format("POST", "/api/v1/dossiers",
      { ["Authorization"] = "Bearer " .. dossier_token, ["Content-Type"] = "application/json" }, body)
  elseif state == "upload" then
    upload_seq = upload_seq + 1
    local unique = string.format("%%PDF-1.4\n%% t%06d n%010d", thread_id, upload_seq)
    unique = unique .. string.rep(" ", 39 - #unique) .. "\n" -- 40 bytes
    local body = upload_head .. unique .. upload_filler .. upload_tail
    return wrk.format("POST", "/api/v1/dossiers/" .. dossier_id .. "/documents",
      { ["Authorization"] = "Bearer " .. dossier_token, ["Content-Type"] = upload_ct }, body)
  else -- submit
    return wrk.format("POST", "/api/v1/dossiers/" .. dossier_id .. "/submit",
      { ["Authorization"] = "Bearer " .. dossier_token })
  end
end

local shown_failures = 0
local function fail(status, body)
  failures = failures + 1
  fail_status[status] = (fail_status[status] or 0) + 1
  if shown_failures < 3 then
    shown_failures = shown_failures + 1
    io.stderr:write(string.format("[%s %s] HTTP %d: %s\n", mode, state, status, (body or ""):sub(1, 300)))
  end
  state = "start"
end

local function completed(now)
  dossiers = dossiers + 1
  lat_dossier[#lat_dossier + 1] = now - t_sched
  trace_out:write(string.format("%.1f %.2f %.2f %.2f\n", t_sched + wall_offset, now - t_sched,
    first_step, now - t_sent))
end

function response(status, headers, body)
  local now = now_ms()
  lat_step[#lat_step + 1] = now - t_sent
  if state == "start" then first_step = now - t_sent end
  if mode == "read" then
    if status == 200 then
      completed(now)
    else
      fail(status, body)
    end
    return
  end
  if state == "start" then
    if status ~= 201 then return fail(status, body) end
    local loc = headers["Location"] or headers["location"] or ""
    dossier_id = loc:match("/api/v1/dossiers/([^/?]+)$")
    if not dossier_id then return fail(status, "no Location: " .. body) end
    state = (mode == "upload") and "upload" or "submit"
  elseif state == "upload" then
    if status ~= 201 then return fail(status, body) end
    state = "submit"
  else
    if status ~= 200 then return fail(status, body) end
    local code = body:match('"code":"([^"]+)"')
    if not code then return fail(status, "no code: " .. body:sub(1, 200)) end
    completed(now)
    made[#made + 1] = code .. " " .. dossier_token
    state = "start"
  end
end

-- Main state again -------------------------------------------------------------------------

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local i = math.max(1, math.ceil(#sorted * p / 100))
  return sorted[i]
end

function done(summary, latency, requests)
  -- init() ran in the threads' states only: take the options from the first thread.
  local mode = threads[1]:get("mode_name")
  local opts = { out = threads[1]:get("out_path"), rate = threads[1]:get("rate_name") }
  local all_d, all_s = {}, {}
  local total, fails, lates = 0, 0, 0
  local statuses = {}
  local out = assert(io.open(opts.out, "w"))
  local codes_out = (mode ~= "read") and assert(io.open(opts.out .. ".codes", "w")) or nil
  for _, t in ipairs(threads) do
    total = total + t:get("dossiers")
    fails = fails + t:get("failures")
    lates = lates + t:get("late")
    for _, v in ipairs(t:get("lat_dossier")) do all_d[#all_d + 1] = v end
    for _, v in ipairs(t:get("lat_step")) do all_s[#all_s + 1] = v end
    for k, v in pairs(t:get("fail_status")) do statuses[k] = (statuses[k] or 0) + v end
    if codes_out then
      for _, line in ipairs(t:get("made")) do codes_out:write(line, "\n") end
    end
  end
  if codes_out then codes_out:close() end
  table.sort(all_d)
  table.sort(all_s)
  local secs = summary.duration / 1e6
  local st = {}
  for k, v in pairs(statuses) do st[#st + 1] = k .. ":" .. v end
  local e = summary.errors
  out:write(string.format("mode %s\n", mode))
  out:write(string.format("rate_target %s\n", opts.rate or "0"))
  out:write(string.format("seconds %.2f\n", secs))
  out:write(string.format("completed %d\n", total))
  out:write(string.format("per_second %.1f\n", total / secs))
  out:write(string.format("requests %d\n", summary.requests))
  out:write(string.format("requests_per_second %.1f\n", summary.requests / secs))
  out:write(string.format("failures %d\n", fails))
  out:write(string.format("failure_statuses %s\n", #st > 0 and table.concat(st, ",") or "-"))
  out:write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  out:write(string.format("late_starts %d\n", lates))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    out:write(string.format("p%s_ms %.2f\n", tostring(p):gsub("%.", "_"), percentile(all_d, p)))
  end
  out:write(string.format("max_ms %.2f\n", all_d[#all_d] or 0))
  out:write(string.format("step_p50_ms %.2f\n", percentile(all_s, 50)))
  out:write(string.format("step_p99_ms %.2f\n", percentile(all_s, 99)))
  out:close()
end
