"""The replay cursor in Redis: which recorded answers were replayed, for every instance serving the
same ``--replay`` cassettes (an answer is replayed once across them all before the last one repeats).

One script picks, among the positions that match a request, the first one no instance has replayed
yet (``SADD`` says so), or the last one again; it counts the replay. The misses stay per process
(each instance reports its own in ``GET /_mock/replay``).
"""

from __future__ import annotations

from ...replay.cursor import Miss
from .link import Link

TAKE = """
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
    return {tonumber(ARGV[i]), 1}
  end
end
if #ARGV > 1 and ARGV[1] == '1' then
  redis.call('HINCRBY', KEYS[2], ARGV[#ARGV], 1)
  return {tonumber(ARGV[#ARGV]), 0}
end
return {-1, 0}
"""


class RedisCursor:
    def __init__(self, link: Link) -> None:
        self.link = link
        self.keys = [link.key("replay", "used"), link.key("replay", "hits")]
        self.sync_take, self.async_take = link.script(TAKE)
        self.missed: list[Miss] = []

    @staticmethod
    def answer(found: list[int]) -> tuple[int, bool] | None:
        return None if found[0] < 0 else (int(found[0]), bool(found[1]))

    def take_now(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None:
        args = ["1" if repeats else "0", *matches]
        return self.answer(self.link.do(self.sync_take, keys=self.keys, args=args))

    async def take(self, matches: list[int], repeats: bool) -> tuple[int, bool] | None:
        args = ["1" if repeats else "0", *matches]
        return self.answer(await self.link.wait(self.async_take(keys=self.keys, args=args)))

    @property
    def hits(self) -> dict[int, int]:
        stored = self.link.do(self.link.sync.hgetall, self.keys[1])
        return {int(k): int(v) for k, v in stored.items()}

    def reset(self) -> None:
        self.link.do(self.link.sync.delete, *self.keys)
        self.missed.clear()
