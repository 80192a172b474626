"""Headers compared by name, case-insensitively, with exact values where they are wire vocabulary."""

from __future__ import annotations

from .compare import ANY, EXACT_HEADERS, IGNORED_HEADERS, INTEGER, SANITISED, STRICT, UUID, Rules


def compare_headers(recorded: dict[str, str], mock: dict[str, str], rules: Rules = STRICT) -> list[str]:
    """Header names case-insensitively; values where the recording shows a fixed form."""
    rec = {k.lower(): v for k, v in recorded.items() if k.lower() not in IGNORED_HEADERS}
    got = {k.lower(): v for k, v in mock.items() if k.lower() not in IGNORED_HEADERS}
    problems = [
        f"header {name}: missing"
        for name in sorted(rec.keys() - got.keys())
        if name not in rules.optional_headers
    ]
    problems += [
        f"header {name}: unexpected"
        for name in sorted(got.keys() - rec.keys())
        if name in rules.forbidden_headers or not (ANY in rules.extra_headers or name in rules.extra_headers)
    ]
    for name in sorted(rec.keys() & got.keys()):
        problem = header_value_problem(name, rec[name], got[name], rules)
        if problem:
            problems.append(f"header {name}: {problem}")
    return problems


def header_value_problem(name: str, recorded: str, mock: str, rules: Rules = STRICT) -> str | None:
    if name in rules.header_values:
        accepted = rules.header_values[name]
        return None if mock in accepted else f"value {mock!r} is none of {sorted(accepted)}"
    if recorded.lower() in SANITISED:
        return None
    if name in EXACT_HEADERS:
        return None if recorded == mock else f"value differs (recorded {recorded!r}, {rules.label} {mock!r})"
    if UUID.match(recorded) and not UUID.match(mock):
        return f"not a UUID like the recording ({mock!r})"
    if INTEGER.match(recorded) and not INTEGER.match(mock):
        return f"not an integer like the recording ({mock!r})"
    return None
