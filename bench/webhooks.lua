-- bench/webhooks.lua — wrk script for bench/webhooks.mjs: cycles through pre-signed WhatsApp webhook
-- requests (one JSON line each: {"body": "...", "sig": "sha256=..."}), each thread from its own offset.
local requests = {}
local n = 0
local threads = 0

-- each thread starts at its own offset (set before init), so no event is sent by two threads
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  local f = assert(io.open(os.getenv("WEBHOOK_FILE"), "r"))
  for line in f:lines() do
    local body, sig = line:match('^(.-)\t(sha256=%x+)$')
    if body then
      n = n + 1
      requests[n] = wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sig}, body)
    end
  end
  f:close()
  -- thread k takes events k, k+T, k+2T, … (T = 2 threads)
  i = offset or 0
  step = 2
end

function request()
  i = (i + step) % n
  return requests[i + 1]
end
