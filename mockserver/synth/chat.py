"""Plan the choices of a chat completion: text or tool calls, truncation, finish reasons.

Pure functions of the request body, the deployment, the seed and the canned replies; the
endpoint renders a plan as JSON or as SSE chunks.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import CannedReply, Deployment
from ..filters.triggers import Cut, FilterTrigger, completion_cut, forced_cut
from ..ids import digest, tool_call_id
from ..limits import CHARS_PER_TOKEN_BOUND, MAX_GENERATED_CHARS
from .schema import Budget, instance
from .text import Reply, keywords, reply
from .tokens import Tokenizer, content_text, joined_pieces

DEFAULT_OUTPUT_TOKENS = 4096  # a deployment without a known output limit (inferred)
MAX_TOOL_SHARE = 128  # tool calls' arguments split the generation cap as up to 128 tools would
REASONING_STEP = 64  # reasoning models spend reasoning tokens in steps of 64 (as reported usage shows)


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str
    pieces: list[str]


@dataclass
class ChoicePlan:
    index: int
    content: str | None
    pieces: list[str]
    finish_reason: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning_tokens: int = 0
    filter_hits: dict[str, Any] = field(default_factory=dict)
    filter_error: bool = False

    @property
    def completion_tokens(self) -> int:
        tool_tokens = sum(len(call.pieces) + 1 for call in self.tool_calls)
        return len(self.pieces) + tool_tokens + self.reasoning_tokens


@dataclass(frozen=True)
class ChatInputs:
    body: dict[str, Any]
    deployment: Deployment
    seed: int
    tokenizer: Tokenizer
    canned: tuple[CannedReply, ...] = ()
    triggers: tuple[FilterTrigger, ...] = ()
    filter_action: dict[str, Any] | None = None
    conversation: str = ""  # the whole conversation's text, which canned replies also match (Responses)


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def token_limit(body: dict[str, Any]) -> int | None:
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    return int(limit) if isinstance(limit, int) else None


def plan_choices(inputs: ChatInputs) -> list[ChoicePlan]:
    n = inputs.body.get("n") or 1
    return [plan_choice(inputs, index) for index in range(n)]


def plan_choice(inputs: ChatInputs, index: int) -> ChoicePlan:
    body = inputs.body
    prompt = last_user_text(body.get("messages", []))
    rng = first_use(
        lambda: random.Random(
            digest("choice", inputs.seed, body.get("seed"), inputs.deployment.model, prompt, index)
        )
    )
    canned = find_canned(inputs, prompt)
    tools = chosen_tools(body, prompt, canned)
    if tools:
        calls = [make_tool_call(inputs, tool, rng, i, canned) for i, tool in enumerate(tools)]
        return ChoicePlan(index, None, [], "tool_calls", calls)
    budget = Budget(generation_budget(inputs))
    text = choice_text(inputs, prompt, index, rng, canned, budget)
    plan = limit_text(inputs, index, text, rng, filter_cut(inputs, prompt, text), budget.spent)
    plan.filter_error = bool(inputs.filter_action and inputs.filter_action.get("unavailable"))
    return plan


def first_use(make: Callable[[], random.Random]) -> Callable[[], random.Random]:
    """The choice's generator, seeded at its first draw: most choices draw nothing from it (no
    tools, schema or reasoning), and seeding one costs about 5 us."""
    made: list[random.Random] = []

    def rng() -> random.Random:
        if not made:
            made.append(make())
        return made[0]

    return rng


def filter_cut(inputs: ChatInputs, prompt: str, text: str) -> Cut | None:
    """A completion-side verdict from a scripted content_filter fault or a configured trigger."""
    action = inputs.filter_action
    if action is not None and not action.get("unavailable"):
        return forced_cut(action, text)
    return completion_cut(inputs.triggers, prompt, text, inputs.deployment.name)


def find_canned(inputs: ChatInputs, prompt: str) -> CannedReply | None:
    for canned in inputs.canned:
        if canned.deployment not in (None, inputs.deployment.name):
            continue
        if canned.pattern.search(prompt) or (
            inputs.conversation and canned.pattern.search(inputs.conversation)
        ):
            return canned
    return None


def output_limit(inputs: ChatInputs) -> int:
    """The request's token limit, else the model's (what Azure stops a reply at)."""
    return token_limit(inputs.body) or inputs.deployment.max_output_tokens or DEFAULT_OUTPUT_TOKENS


def generation_budget(inputs: ChatInputs) -> int:
    """Characters one choice's generated JSON may take: its token limit at a generous characters per
    token, and never more than its share of ``MAX_GENERATED_CHARS`` (mockserver.limits)."""
    n = inputs.body.get("n") or 1
    return min(output_limit(inputs) * CHARS_PER_TOKEN_BOUND, MAX_GENERATED_CHARS // n)


def choice_text(
    inputs: ChatInputs,
    prompt: str,
    index: int,
    rng: Callable[[], random.Random],
    canned: CannedReply | None,
    budget: Budget,
) -> str:
    body = inputs.body
    if canned is not None and canned.content is not None:
        return canned.content
    fmt = body.get("response_format") or {}
    text = reply(prompt, inputs.seed + (body.get("seed") or 0), index)
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
        return json.dumps(instance(schema, rng(), budget=budget), ensure_ascii=False)
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": text}, ensure_ascii=False)
    if body.get("data_sources"):
        return text + " [doc1]"
    return text


def limit_text(
    inputs: ChatInputs,
    index: int,
    text: str,
    rng: Callable[[], random.Random],
    cut: Cut | None,
    ran_out: bool = False,
) -> ChoicePlan:
    """Apply ``stop``, a content-filter cut, then the token limit (reasoning tokens count too).

    ``ran_out``: the generator stopped at its budget; the reply ends as one at the model's token
    limit does (finish_reason "length", cut to that limit)."""
    finish = "stop"
    for stop in stop_list(inputs.body.get("stop")):
        found = text.find(stop)
        if found >= 0:
            text = text[:found]
    if cut is not None and cut.at <= len(text):
        text, finish = text[: cut.at], "content_filter"
    else:
        cut = None
    pieces = (
        joined_pieces(inputs.tokenizer, text.parts)
        if isinstance(text, Reply)
        else inputs.tokenizer.pieces(text)
    )
    reasoning = REASONING_STEP * rng().randint(1, 4) if inputs.deployment.reasoning else 0
    limit = output_limit(inputs) if ran_out else token_limit(inputs.body)
    if ran_out:
        finish = "length"
    if limit is not None:
        reasoning = min(reasoning, limit)
        room = limit - reasoning
        if len(pieces) > room:
            pieces, finish, cut = pieces[:room], "length", None
    hits = cut.hits if cut is not None else {}
    return ChoicePlan(index, "".join(pieces), pieces, finish, reasoning_tokens=reasoning, filter_hits=hits)


def stop_list(stop: Any) -> list[str]:
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop or () if isinstance(s, str) and s]


def tool_names(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [t["function"] for t in body.get("tools") or () if isinstance(t, dict) and "function" in t]


def chosen_tools(body: dict[str, Any], prompt: str, canned: CannedReply | None) -> list[dict[str, Any]]:
    """Which functions to call: tool_choice none|auto|required|named, then parallel_tool_calls."""
    functions = tool_names(body)
    if canned is not None and canned.tool_calls:
        return [dict(call) for call in canned.tool_calls]
    choice = body.get("tool_choice", "auto")
    if not functions or choice == "none":
        return []
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        return [f for f in functions if f.get("name") == name][:1]
    messages = body.get("messages") or [{}]
    if choice == "auto" and isinstance(messages[-1], dict) and messages[-1].get("role") == "tool":
        return []  # after a tool result the model answers in text
    matching = [f for f in functions if overlaps(f, prompt)] or functions[:1]
    return matching if body.get("parallel_tool_calls", True) else matching[:1]


def overlaps(function: dict[str, Any], prompt: str) -> bool:
    words = set(keywords(prompt))
    described = f"{function.get('name', '')} {function.get('description', '')}".replace("_", " ")
    return bool(words & set(keywords(described)))


def make_tool_call(
    inputs: ChatInputs,
    function: dict[str, Any],
    rng: Callable[[], random.Random],
    position: int,
    canned: CannedReply | None,
) -> ToolCall:
    name = str(function.get("name", "tool"))
    if canned is not None and canned.tool_calls:
        args = function.get("arguments", {})
        arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    else:
        schema = function.get("parameters") or {"type": "object", "properties": {}}
        budget = Budget(
            min(output_limit(inputs) * CHARS_PER_TOKEN_BOUND, MAX_GENERATED_CHARS // MAX_TOOL_SHARE)
        )
        arguments = json.dumps(
            instance(schema, rng(), budget=budget), ensure_ascii=False, separators=(",", ":")
        )
    call_id = tool_call_id(inputs.seed, name, arguments, position, inputs.body.get("messages"))
    return ToolCall(call_id, name, arguments, inputs.tokenizer.pieces(arguments))
