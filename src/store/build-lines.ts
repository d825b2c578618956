/**
 * Lines of work in Redis: `<prefix>:lines:<service>` maps each line (`push:<branch>`, `pr:<number>`)
 * to its newest build id, so a new build finds the one it may supersede in the step that records
 * it, however many builds the service has (the delivery ledger's RECORD script runs this).
 */
export const linesKey = (prefix: string, service: string) => `${prefix}:lines:${service}`;

/**
 * A Lua function: makes build `id` the holder of `line` and returns the build that held it before,
 * or false. A build older than the holder (a late delivery) takes nothing and gets nothing back.
 */
export const CLAIM_LINE_LUA = `
local function claim_line(lines, line, id)
  local held = redis.call('HGET', lines, line)
  if held and tonumber(held) >= tonumber(id) then return false end
  redis.call('HSET', lines, line, id)
  return held
end
`;
