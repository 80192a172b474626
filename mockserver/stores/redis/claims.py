"""Claims on shared work in Redis: a key per piece of work, set only when free or already ours.

The batch runner claims a batch before running its lines (``batch.runner``): the claim is one script
run, so two instances that look at the same batch at the same instant never both run its lines. A
claim lapses after its lease (an instance killed mid-batch leaves it to the others).
"""

from __future__ import annotations

from .link import Link

CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisClaims:
    def __init__(self, link: Link, instance: str) -> None:
        self.link, self.instance = link, instance
        _, self.async_claim = link.script(CLAIM)
        _, self.async_release = link.script(RELEASE)

    async def claim(self, name: str, seconds: float) -> bool:
        keys, args = [self.link.key("claim", name)], [self.instance, max(1, round(seconds * 1000))]
        return bool(await self.link.wait(self.async_claim(keys=keys, args=args)))

    async def release(self, name: str) -> None:
        await self.link.wait(self.async_release(keys=[self.link.key("claim", name)], args=[self.instance]))
