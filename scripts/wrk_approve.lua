-- wrk drives the concurrent writers of bench_http.py: every request approves the next RFC of the waiting pool
-- (FIRST_RFC onwards; the threads interleave, so no two requests approve the same one). All are of one system, and
-- concurrent writers approve them a little out of version order: the comment confirms each, as a manager would.
dofile(os.getenv("WRK_REPORT"))
local first, threads, token = tonumber(os.getenv("FIRST_RFC")), tonumber(os.getenv("WRK_THREADS")),
  os.getenv("CSRF_TOKEN")
local created = 0
setup = function(thread)
  thread:set("offset", created)
  created = created + 1
end
local sent = 0
request = function()
  local id = first + offset + sent * threads
  sent = sent + 1
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- the session cookie given with -H
  return wrk.format("POST", "/rfcs/" .. id .. "/decide", headers,
    "decision=approve&row_version=1&comment=Approved+by+the+benchmark&csrf_token=" .. token)
end
