"""Fault rules in Redis: one rule list for the resource, its counters decided by a script.

When no rule matches locally, the request's deployment is charged by the rate limiter anyway, so its
script checks the version instead (``call.rules_seen``, ``pipeline.faults.settle``): one round trip
per request for both. The rules (their JSON, in the order they were added) and a version live in Redis; each
instance keeps the parsed rules of the version it last read and matches a request against them
locally. The decision is one script run: it checks that version (a change on any instance makes
the caller read the rules again and retry), then counts the request on each matching rule in order
and stops at the first that acts, exactly as ``FaultStore.decide`` does in memory. So "first 2 fail"
fails exactly 2 requests across all instances, and a ``probability`` rule draws
``faults.rules.roll(seed, rule, match count)`` (``redis.sha1hex``: the same SHA-1) whoever serves.
"""

from __future__ import annotations

import json
from typing import Any

from ...call import Call
from ...faults.rules import FaultRule, parse_rule
from .link import Link

DECIDE = """
local v = redis.call('GET', KEYS[1]) or '0'
if v ~= ARGV[1] then return {-2, 0} end
local n = (#ARGV - 2) / 3
for i = 0, n - 1 do
  local id, kind, param = ARGV[3 + 3 * i], ARGV[4 + 3 * i], ARGV[5 + 3 * i]
  local index = redis.call('HINCRBY', KEYS[2], id, 1) - 1
  local acts
  if kind == 's' then acts = string.sub(param, index + 1, index + 1) == '1'
  elseif kind == 't' then acts = index < tonumber(param)
  elseif kind == 'p' then
    local h = redis.sha1hex(ARGV[2] .. ':' .. id .. ':' .. index)
    acts = tonumber(string.sub(h, 1, 13), 16) / 4503599627370496 < tonumber(param)
  else acts = true end
  if acts then
    redis.call('HINCRBY', KEYS[3], id, 1)
    return {i, index}
  end
end
return {-1, 0}
"""
REMOVE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for _, item in ipairs(items) do
  if cjson.decode(item)['id'] == ARGV[1] then
    redis.call('LREM', KEYS[1], 1, item)
    redis.call('HDEL', KEYS[3], ARGV[1])
    redis.call('HDEL', KEYS[4], ARGV[1])
    redis.call('INCR', KEYS[2])
    return 1
  end
end
return 0
"""
MAX_TRIES = 5  # version changes met in a row before giving up on a decision (rules rewritten meanwhile)


class RedisFaults:
    def __init__(self, link: Link, seed: int, defer: bool = True) -> None:
        self.link, self.seed = link, seed
        self.defer = defer  # the rate limiter charges every request with a deployment (not "off")
        self.rules_key, self.version_key = link.key("rules"), link.key("rules", "version")
        self.hits_key, self.applied_key = link.key("rules", "hits"), link.key("rules", "applied")
        self.ids_key, self.loaded_key = link.key("rules", "ids"), link.key("rules", "scenarios")
        self.sync_decide, self.async_decide = link.script(DECIDE)
        self.sync_remove, _ = link.script(REMOVE)
        self.version = "-1"  # nothing read yet
        self.rules: list[FaultRule] = []

    # --- the hot path ----------------------------------------------------------------------

    async def choose(self, call: Call, settle: bool = False) -> tuple[FaultRule, Any] | None:
        for _ in range(MAX_TRIES):
            matching = [rule for rule in self.rules if rule.match.matches(call)]
            if not matching and not settle and self.defer and call.deployment is not None and self.read_once:
                call.rules_seen = self.version  # confirmed by the rate-limit charge's script
                return None
            args: list[Any] = [self.version, self.seed]
            for rule in matching:
                args.extend((rule.id, *rule.decider()))
            keys = [self.version_key, self.hits_key, self.applied_key]
            found, index = await self.link.wait(self.async_decide(keys=keys, args=args))
            if found >= 0:
                rule = matching[found]
                return rule, rule.action_at(index)
            if found == -1:
                return None
            await self.refresh()
        return None

    async def refresh(self) -> None:
        pipe = self.link.aio.pipeline(transaction=True)
        version, items = await self.link.wait(
            pipe.get(self.version_key).lrange(self.rules_key, 0, -1).execute()
        )
        self.adopt(version, items)

    def adopt(self, version: bytes | None, items: list[bytes]) -> None:
        rules = []
        for item in items:
            data = json.loads(item)
            rules.append(parse_rule(data, data["id"]))
        self.rules, self.version = rules, (version or b"0").decode()

    @property
    def read_once(self) -> bool:
        return self.version != "-1"

    def read(self) -> None:
        pipe = self.link.sync.pipeline(transaction=True)
        version, items = self.link.do(pipe.get(self.version_key).lrange(self.rules_key, 0, -1).execute)
        self.adopt(version, items)

    # --- the control plane -----------------------------------------------------------------

    def add(self, data: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
        """Add one rule or a list (checked first: nothing is added when one is bad); their ids."""
        items = data if isinstance(data, list) else [data]
        for item in items:
            parse_rule(item, "fault-0")  # a ConfigError names the problem before anything is stored
        if not items:
            return []
        last = int(self.link.do(self.link.sync.incrby, self.ids_key, len(items)))
        ids = [str(item.get("id") or f"fault-{last - len(items) + 1 + n}") for n, item in enumerate(items)]
        texts = []
        for rule_id, item in zip(ids, items, strict=True):
            rule = parse_rule(item, rule_id)
            texts.append(json.dumps({"id": rule.id, **rule.source}))
        pipe = self.link.sync.pipeline(transaction=True)
        self.link.do(pipe.rpush(self.rules_key, *texts).incr(self.version_key).execute)
        return ids

    def load_once(self, data: list[dict[str, Any]]) -> list[str]:
        """The start-up scenarios, added by the first instance to start (or to reset) only."""
        if not self.link.do(self.link.sync.set, self.loaded_key, "1", nx=True):
            return []
        return self.add(data)

    def remove(self, rule_id: str) -> bool:
        keys = [self.rules_key, self.version_key, self.hits_key, self.applied_key]
        return bool(self.link.do(self.sync_remove, keys=keys, args=[rule_id]))

    def clear(self) -> None:
        """No rules, ids from ``fault-1`` again, the start-up scenarios to load again."""
        pipe = self.link.sync.pipeline(transaction=True)
        pipe.delete(self.rules_key, self.hits_key, self.applied_key, self.ids_key, self.loaded_key)
        self.link.do(pipe.incr(self.version_key).execute)

    def snapshot(self) -> list[dict[str, Any]]:
        self.read()
        pipe = self.link.sync.pipeline(transaction=False)
        hits, applied = self.link.do(pipe.hgetall(self.hits_key).hgetall(self.applied_key).execute)
        result = []
        for rule in self.rules:
            key = rule.id.encode()
            result.append(
                {**rule.to_dict(), "hits": int(hits.get(key, 0)), "applied": int(applied.get(key, 0))}
            )
        return result
