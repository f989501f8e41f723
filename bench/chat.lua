-- wrk script: POST chat questions in rotation, no conversation_id (each request starts a conversation
-- and stores two messages). Usage, from the repository root:
--   wrk ... -s bench/chat.lua http://HOST:PORT/api/v1/public/bot/BOT/chat
-- The questions: bench/questions.txt, one per line (shared with build/tools/answer_bench).
local questions = {}
for line in io.lines("bench/questions.txt") do
  if line ~= "" then questions[#questions + 1] = line end
end

local bodies = {}
for i, q in ipairs(questions) do
  bodies[i] = '{"message":"' .. q .. '"}'
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local counter = 0

function setup(thread)
  thread:set("offset", #bodies > 0 and math.random(#bodies) or 0)
end

function request()
  counter = counter + 1
  local body = bodies[((counter + (offset or 0)) % #bodies) + 1]
  return wrk.format(nil, nil, nil, body)
end
