"""The server starts from the CLI and the official SDK talks to it."""

from __future__ import annotations

import httpx
import openai
import pytest

from .conftest import GA, KEY, LiveServer


@pytest.mark.live
def test_health_and_sdk_chat(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.endpoint}/_mock/health").status_code == 200
    client = openai.AzureOpenAI(azure_endpoint=live_server.endpoint, api_key=KEY, api_version=GA)
    result = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hi there"}]
    )
    assert result.choices[0].message.content
    assert result.model == "gpt-4o-2024-08-06"
