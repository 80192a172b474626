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
from .coalesce import Coalescer
from .link import Link

# For each of ARGV[1] items, in order (``coalesce``: several requests' charges in one call): keys, the
# usage hash (field "<second>" -> "requests:tokens") and the fault rules' version; seven arguments,
# offset, tokens, request cap, token cap, charge (1) or only look (0), enforce (1) or report (0), and the
# rules' version the caller saw ('' for none; when it changed: {-2, ...} and no charge).
# Returns {throttle: 0 none, 1 requests, 2 tokens; retry after in ms; minute requests; minute tokens;
# window requests; window tokens}.
CHARGE = """
local function charge(usage, version, a)
  if a[7] ~= '' and (redis.call('GET', version) or '0') ~= a[7] then return {-2, 0, 0, 0, 0, 0} end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(a[1])
  local tokens, rcap, tcap = tonumber(a[2]), tonumber(a[3]), tonumber(a[4])
  local flat = redis.call('HGETALL', usage)
  local minute_r, minute_t, window_r, window_t = 0, 0, 0, 0
  local recent = {}
  for i = 1, #flat, 2 do
    local second = tonumber(flat[i])
    local r, k = string.match(flat[i + 1], '(%d+):(%d+)')
    r, k = tonumber(r), tonumber(k)
    if second <= now - MINUTE then
      redis.call('HDEL', usage, flat[i])
    else
      minute_r, minute_t = minute_r + r, minute_t + k
      if second > now - WINDOW then
        window_r, window_t = window_r + r, window_t + k
        table.insert(recent, {second, r, k})
      end
    end
  end
  table.sort(recent, function(x, y) return x[1] < y[1] end)
  local function free_after(excess, column)
    local freed = 0
    for _, bucket in ipairs(recent) do
      freed = freed + bucket[column]
      if freed >= excess then return math.max(0.001, bucket[1] + WINDOW - now) end
    end
    return WINDOW
  end
  local throttle, wait = 0, 0
  if a[6] == '1' then
    if rcap > 0 and window_r + 1 > rcap then
      throttle, wait = 1, free_after(window_r + 1 - rcap, 2)
    elseif tcap > 0 and window_t + tokens > tcap then
      throttle, wait = 2, free_after(window_t + tokens - tcap, 3)
    end
  end
  if throttle == 0 and a[5] == '1' then
    local field = tostring(math.floor(now))
    local old = redis.call('HGET', usage, field)
    local r, k = 0, 0
    if old then
      r, k = string.match(old, '(%d+):(%d+)')
      r, k = tonumber(r), tonumber(k)
    end
    redis.call('HSET', usage, field, (r + 1) .. ':' .. (k + tokens))
    redis.call('PEXPIRE', usage, math.ceil((MINUTE + 1) * 1000))
    minute_r, minute_t, window_r, window_t = minute_r + 1, minute_t + tokens, window_r + 1, window_t + tokens
  end
  return {throttle, math.ceil(wait * 1000), minute_r, minute_t, window_r, window_t}
end
local out = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  local a = {}
  for j = 1, 7 do a[j] = ARGV[1 + 7 * i + j] end
  out[i + 1] = charge(KEYS[1 + 2 * i], KEYS[2 + 2 * i], a)
end
return out
""".replace("MINUTE", repr(MINUTE)).replace("WINDOW", repr(WINDOW))
VARIANTS = {1: "requests", 2: "tokens"}


class RedisLimiter:
    def __init__(self, link: Link, offset: Any, mode: str = "enforce") -> None:
        self.link, self.offset, self.mode = link, offset, mode
        self.sync_charge, async_charge = link.script(CHARGE)
        self.batch = Coalescer(link, async_charge)
        self.version_key = link.key("rules", "version")

    def args(self, deployment: Deployment, tokens: int, charge: bool, seen: str = "") -> list[Any]:
        rcap = window_cap(deployment.rpm) if deployment.rpm else 0
        tcap = window_cap(deployment.tpm) if deployment.tpm else 0
        enforce = "1" if self.mode == "enforce" else "0"
        return [repr(self.offset()), tokens, rcap, tcap, "1" if charge else "0", enforce, seen]

    def keys(self, deployment: Deployment, pool: str = "") -> list[str]:
        name = f"{deployment.name}#{pool}" if pool else deployment.name
        return [self.link.key("usage", name), self.version_key]

    async def charge(
        self, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None]:
        if self.mode == "off":
            return None, None
        answer = await self.batch.call(self.keys(deployment, pool), self.args(deployment, tokens, True))
        return outcome(deployment, answer)

    async def charge_seen(
        self, rules_seen: str, deployment: Deployment, tokens: int, pool: str = ""
    ) -> tuple[RateInfo | None, Throttle | None] | None:
        if self.mode == "off":
            return None
        args = self.args(deployment, tokens, True, rules_seen)
        answer = await self.batch.call(self.keys(deployment, pool), args)
        return None if answer[0] == -2 else outcome(deployment, answer)

    async def look(self, deployment: Deployment) -> RateInfo | None:
        if self.mode == "off":
            return None
        answer = await self.batch.call(self.keys(deployment), self.args(deployment, 0, False))
        return info(deployment, answer[2], answer[3])

    def peek(self, deployment: Deployment) -> RateInfo | None:
        if self.mode == "off":
            return None
        answer = self.read(deployment)
        return info(deployment, answer[2], answer[3])

    def read(self, deployment: Deployment) -> list[int]:
        args = [1, *self.args(deployment, 0, False)]
        answers: list[list[int]] = self.link.do(self.sync_charge, keys=self.keys(deployment), args=args)
        return answers[0]

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


def outcome(deployment: Deployment, answer: list[int]) -> tuple[RateInfo | None, Throttle | None]:
    throttle = Throttle(VARIANTS[answer[0]], answer[1] / 1000) if answer[0] else None
    return info(deployment, answer[2], answer[3]), throttle


def info(deployment: Deployment, requests: int, tokens: int) -> RateInfo:
    return RateInfo(
        limit_requests=deployment.rpm,
        remaining_requests=max(deployment.rpm - requests, 0),
        limit_tokens=deployment.tpm,
        remaining_tokens=max(deployment.tpm - tokens, 0),
    )
