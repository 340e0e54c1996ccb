-- wrk script: POST pre-built bodies in turn. $BODIES holds bodies separated by lines "----8<----";
-- or $BODY_FILES names one file per body (binary); $CONTENT_TYPE and $URL_PATH say what to send
-- where. Each thread starts at a random body.
local bodies = {}
local next_body = 1

function init(args)
  local path = os.getenv("URL_PATH")
  local headers = {["Content-Type"] = os.getenv("CONTENT_TYPE")}
  local encoding = os.getenv("CONTENT_ENCODING")
  if encoding and #encoding > 0 then headers["Content-Encoding"] = encoding end
  local files = os.getenv("BODY_FILES")
  if files and #files > 0 then
    -- binary bodies (OTLP protobuf): one file each, taken byte for byte
    for name in string.gmatch(files, "%S+") do
      local f = assert(io.open(name, "rb"))
      bodies[#bodies + 1] = wrk.format("POST", path, headers, f:read("*a"))
      f:close()
    end
    next_body = math.random(#bodies)
    return
  end
  local f = assert(io.open(os.getenv("BODIES"), "rb"))
  local all = f:read("*a")
  f:close()
  for body in string.gmatch(all, "(.-)\n?%-%-%-%-8<%-%-%-%-\n") do
    if #body > 0 then
      if string.sub(body, -1) ~= "\n" and headers["Content-Type"] == "text/plain" then body = body .. "\n" end
      bodies[#bodies + 1] = wrk.format("POST", path, headers, body)
    end
  end
  next_body = math.random(#bodies)
end

function request()
  local r = bodies[next_body]
  next_body = next_body % #bodies + 1
  return r
end

function done(summary, latency, requests)
  io.write(string.format("ok_requests %d errors_status %d\n", summary.requests - summary.errors.status, summary.errors.status))
end
