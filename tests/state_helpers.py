"""What the state tests share: settings on either backend, a chat call, files and batches by HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx

from mockserver import load_settings, make_deployment
from mockserver.config import Settings

from .conftest import GA, KEY, chat_url

VERSION = "2025-04-01-preview"  # files and batches
SMALL = "small"  # a deployment with rpm 60: 10 requests per 10-second window


def settings_for(state: str, namespace: str, seed: int = 5) -> Settings:
    settings = load_settings(seed=seed, state=state, namespace=namespace)
    small = make_deployment(SMALL, "gpt-4o", tpm=600_000, rpm=60)
    return settings.with_changes(deployments=(*settings.deployments, small))


def config_file(path: Any) -> str:
    """The same deployments as ``settings_for`` as a TOML file, for ``aoai-mock serve --config``."""
    path.write_text(f'[[deployments]]\nname = "{SMALL}"\nmodel = "gpt-4o"\ntpm = 600000\nrpm = 60\n')
    return str(path)


def chat(http: httpx.Client, deployment: str = "gpt-4o", session: str | None = None, text: str = "hi") -> int:
    headers = {"api-key": KEY, **({"x-mock-session": session} if session else {})}
    body = {"messages": [{"role": "user", "content": text}], "max_tokens": 5}
    return http.post(chat_url(deployment, GA), json=body, headers=headers).status_code


def add_fault(http: httpx.Client, rule: dict[str, Any]) -> str:
    response = http.post("/_mock/faults", json=rule)
    assert response.status_code == 201, response.text
    return str(response.json()["ids"][0])


def journal(http: httpx.Client, **filters: str) -> list[dict[str, Any]]:
    response = http.get("/_mock/requests", params=filters)
    assert response.status_code == 200, response.text
    return list(response.json()["requests"])


def upload(http: httpx.Client, content: bytes, **form: str) -> dict[str, Any]:
    response = http.post(
        f"/openai/files?api-version={VERSION}",
        data={"purpose": "batch", **form},
        files={"file": ("input.jsonl", content)},
        headers={"api-key": KEY},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def batch_lines(count: int) -> bytes:
    lines = []
    for n in range(count):
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": f"line {n}"}]}
        lines.append(json.dumps({"custom_id": f"r{n}", "method": "POST", "url": "/chat/completions", "body": body}))
    return ("\n".join(lines) + "\n").encode()


def create_batch(http: httpx.Client, count: int) -> dict[str, Any]:
    file_id = upload(http, batch_lines(count))["id"]
    request = {"input_file_id": file_id, "endpoint": "/chat/completions", "completion_window": "24h"}
    response = http.post(f"/openai/batches?api-version={VERSION}", json=request, headers={"api-key": KEY})
    assert response.status_code == 200, response.text
    return dict(response.json())


def file_content(http: httpx.Client, file_id: str) -> bytes:
    response = http.get(f"/openai/files/{file_id}/content?api-version={VERSION}", headers={"api-key": KEY})
    assert response.status_code == 200, response.text
    return response.content
