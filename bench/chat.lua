-- wrk script: POST chat questions in rotation, no conversation_id (each request starts a conversation
-- and stores two messages). Usage: wrk ... -s bench/chat.lua http://HOST:PORT/api/v1/public/bot/BOT/chat
local questions = {
  "Was kostet der Tarif Premium im Monat?",
  "Wann findet der Yoga-Kurs am Dienstag statt?",
  "Wie sind die Öffnungszeiten in Hamburg-Altona?",
  "Wie stelle ich die Beinpresse richtig ein?",
  "Kann ich meine Mitgliedschaft pausieren?",
  "Gibt es Parkplätze am Studio in Köln-Ehrenfeld?",
  "Was kostet eine Stunde Personal Training?",
  "Hallo!",
  "Zahlt die Krankenkasse einen Zuschuss für Kurse?",
  "Welche Kündigungsfrist hat der Tarif Flex?",
  "Wie viel Eiweiß haben Haferflocken mit Quark?",
  "Gibt es Firmenfitness für die Stadtwerke Elbtal?",
}

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
