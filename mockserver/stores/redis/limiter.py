"""Rate-limit windows in Redis: one window per deployment (and pool) for every instance.

The same rules as ``ratelimit.RateLimiter`` (one-second buckets over a minute, a short window of
``WINDOW`` seconds holding a sixth of the quota), decided by one script run per request, so a
deployment with rpm 60 admits its window's 10 requests across all instances, not 10 per instance.
Time is Redis's own clock (``TIME``) plus this process's mock-clock advances, so instances agree on
which second a request falls in.
"""

from __future__ import annotations

from typing import Any

from ...call import RateInfo
from ...config import Deployment
from ...ratelimit import MINUTE, WINDOW, Throttle, window_cap
from .link import Link

# KEYS[1]: the usage hash (field "<second>" -> "requests:tokens"); ARGV: offset, tokens, request cap,
# token cap, charge (1) or only look (0), enforce (1) or report (0), and optionally the fault rules'
# version the caller saw (KEYS[2] holds the current one): when it changed, {-2, ...} and no charge.
# Returns {throttle: 0 none, 1 requests, 2 tokens; retry after in ms; minute requests; minute tokens;
# window requests; window tokens}.
CHARGE = """
if ARGV[7] and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[7] then return {-2, 0, 0, 0, 0, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(ARGV[1])
local tokens, rcap, tcap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local flat = redis.call('HGETALL', KEYS[1])
local minute_r, minute_t, window_r, window_t = 0, 0, 0, 0
local recent = {}
for i = 1, #flat, 2 do
  local second = tonumber(flat[i])
  local r, k = string.match(flat[i + 1], '(%d+):(%d+)')
  r, k = tonumber(r), tonumber(k)
  if second <= now - MINUTE then
    redis.call('HDEL', KEYS[1], flat[i])
  else
    minute_r, minute_t = minute_r + r, minute_t + k
    if second > now - WINDOW then
      window_r, window_t = window_r + r, window_t + k
      table.insert(recent, {second, r, k})
    end
  end
end
table.sort(recent, function(a, b) return a[1] < b[1] end)
local function free_after(excess, column)
  local freed = 0
  for _, bucket in ipairs(recent) do
    freed = freed + bucket[column]
    if freed >= excess then return math.max(0.001, bucket[1] + WINDOW - now) end
  end
  return WINDOW
end
local throttle, wait = 0, 0
if ARGV[6] == '1' then
  if rcap > 0 and window_r + 1 > rcap then
    throttle, wait = 1, free_after(window_r + 1 - rcap, 2)
  elseif tcap > 0 and window_t + tokens > tcap then
    throttle, wait = 2, free_after(window_t + tokens - tcap, 3)
  end
end
if throttle == 0 and ARGV[5] == '1' then
  local field = tostring(math.floor(now))
  local old = redis.call('HGET', KEYS[1], field)
  local r, k = 0, 0
  if old then
    r, k = string.match(old, '(%d+):(%d+)')
    r, k = tonumber(r), tonumber(k)
  end
  redis.call('HSET', KEYS[1], field, (r + 1) .. ':' .. (k + tokens))
  redis.call('PEXPIRE', KEYS[1], math.ceil((MINUTE + 1) * 1000))
  minute_r, minute_t, window_r, window_t = minute_r + 1, minute_t + tokens, window_r + 1, window_t + tokens
end
return {throttle, math.ceil(wait * 1000), minute_r, minute_t, window_r, window_t}
""".replace("MINUTE", repr(MINUTE)).replace("WINDOW", repr(WINDOW))
VARIANTS = {1: "requests", 2: "tokens"}


class RedisLimiter:
    def __init__(self, link: Link, offset: Any, mode: str = "enforce") -> None:
        self.link, self.offset, self.mode = link, offset, mode
        self.sync_charge, self.async_charge = link.script(CHARGE)

    def args(self, deployment: Deployment, tokens: int, charge: bool) -> list[Any]:
        rcap = window_cap(deployment.rpm) if deployment.rpm else 0
        tcap = window_cap(deployment.tpm) if deployment.tpm else 0
        enforce = "1" if self.mode == "enforce" else "0"
        return [repr(self.offset()), tokens, rcap, tcap, "1" if charge else "0", enforce]

    def key(self, deployment: Deployment, pool: str = "") -> str:
        return self.link.key("usage", f"{deployment.name}#{pool}" if pool else deployment.name)

    async def charge(
        self, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None]:
        if self.mode == "off":
            return None, None
        keys, args = [self.key(deployment, pool)], self.args(deployment, tokens, True)
        answer = await self.link.wait(self.async_charge(keys=keys, args=args))
        throttle = Throttle(VARIANTS[answer[0]], answer[1] / 1000) if answer[0] else None
        return info(deployment, answer[2], answer[3]), throttle

    async def charge_seen(
        self, rules_seen: str, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None] | None:
        if self.mode == "off":
            return None
        keys = [self.key(deployment, pool), self.link.key("rules", "version")]
        args = [*self.args(deployment, tokens, True), rules_seen]
        answer = await self.link.wait(self.async_charge(keys=keys, args=args))
        if answer[0] == -2:
            return None
        throttle = Throttle(VARIANTS[answer[0]], answer[1] / 1000) if answer[0] else None
        return info(deployment, answer[2], answer[3]), throttle

    async def look(self, deployment: Deployment) -> RateInfo | None:
        if self.mode == "off":
            return None
        keys, args = [self.key(deployment)], self.args(deployment, 0, False)
        answer = await self.link.wait(self.async_charge(keys=keys, args=args))
        return info(deployment, answer[2], answer[3])

    def peek(self, deployment: Deployment) -> RateInfo | None:
        if self.mode == "off":
            return None
        answer = self.read(deployment)
        return info(deployment, answer[2], answer[3])

    def read(self, deployment: Deployment) -> list[int]:
        keys, args = [self.key(deployment)], self.args(deployment, 0, False)
        answer: list[int] = self.link.do(self.sync_charge, keys=keys, args=args)
        return answer

    def snapshot(self, deployment: Deployment) -> dict[str, Any]:
        answer = self.read(deployment)
        return {
            "window": {
                "requests": answer[4],
                "tokens": answer[5],
                "seconds": WINDOW,
                "request_cap": window_cap(deployment.rpm) if deployment.rpm else None,
                "token_cap": window_cap(deployment.tpm) if deployment.tpm else None,
            },
            "minute": {
                "requests": answer[2],
                "tokens": answer[3],
                "rpm": deployment.rpm,
                "tpm": deployment.tpm,
            },
        }

    def reset(self) -> None:
        pattern = self.link.key("usage", "*")
        keys = self.link.do(lambda: list(self.link.sync.scan_iter(match=pattern, count=1000)))
        if keys:
            self.link.do(self.link.sync.delete, *keys)


def info(deployment: Deployment, requests: int, tokens: int) -> RateInfo:
    return RateInfo(
        limit_requests=deployment.rpm,
        remaining_requests=max(deployment.rpm - requests, 0),
        limit_tokens=deployment.tpm,
        remaining_tokens=max(deployment.tpm - tokens, 0),
    )
