-- wrk script: POST one pre-built JSON batch per request, cycling through the lines of $BODIES.
-- Each thread starts at a random line so that threads spread over the series.
local bodies = {}
local next_body = 1

function init(args)
  for line in io.lines(os.getenv("BODIES")) do
    bodies[#bodies + 1] = wrk.format("POST", "/api/v1/ingest", {["Content-Type"] = "application/json"}, line)
  end
  next_body = math.random(#bodies)
end

function request()
  local r = bodies[next_body]
  next_body = next_body % #bodies + 1
  return r
end
