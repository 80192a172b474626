"""Part 1: ``GET /openai/models`` (resource-scoped) against the AUTH-SPEC example shape (azure-wire §11)."""

from __future__ import annotations

from typing import Any

import pytest

from .targets import Target

pytestmark = pytest.mark.contract
CAPABILITIES = {"fine_tune", "inference", "completion", "chat_completion", "embeddings"}
MODEL_KEYS = {"capabilities", "lifecycle_status", "deprecation", "id", "status", "created_at", "object"}


def test_models_list_has_the_spec_example_shape(target: Target, http: Any, session_id: str) -> None:
    answer, _ = target.send(
        http, "GET", f"/openai/models?api-version={target.api_version}", session=session_id
    )
    assert answer.status == 200, answer.text[:200]
    assert answer.header("content-type") == "application/json"
    body = answer.json()
    assert body.get("object") == "list", body
    assert isinstance(body.get("data"), list), body
    assert body["data"], "no models listed"
    for model in body["data"]:
        assert set(model) >= MODEL_KEYS, f"{model.get('id')}: missing {sorted(MODEL_KEYS - set(model))}"
        assert model["object"] == "model"
        assert set(model["capabilities"]) >= CAPABILITIES, (
            f"{model['id']}: capabilities {model['capabilities']}"
        )
        assert all(isinstance(v, bool) for v in model["capabilities"].values())
