"""The comparator's rules (``conformance.shapes.Rules``) and the Azure variance (``conformance.contract``).

The default rules are the parity test's (tests/test_parity.py checks them); these check what the
conformance suite adds, so that a loosened rule cannot hide more than it says.
"""

from __future__ import annotations

import pytest

from . import contract, shapes

pytestmark = pytest.mark.selftest
FILTERS = {"hate": {"filtered": False, "severity": "safe"}}
JAILBREAK = {"jailbreak": {"filtered": False, "detected": False}}


def test_optional_and_extra_keys_are_the_named_ones_only() -> None:
    recorded = {"content_filter_results": {**FILTERS, **JAILBREAK}, "id": "a"}
    assert (
        shapes.compare(recorded, {"content_filter_results": FILTERS, "id": "b"}, rules=contract.AZURE) == []
    )
    # jailbreak may be added (newer recordings carry it); any other key may not
    assert shapes.compare(
        {"content_filter_results": FILTERS},
        {"content_filter_results": {**FILTERS, **JAILBREAK}, "x": 1},
        rules=contract.AZURE,
    ) == ["x: unexpected"]
    assert shapes.compare(recorded, {"content_filter_results": FILTERS}, rules=contract.AZURE) == [
        "id: missing"
    ]


def test_nullable_and_model_by_type() -> None:
    assert (
        shapes.compare(
            {"system_fingerprint": None, "model": "gpt-4"},
            {"system_fingerprint": "fp_1", "model": "gpt-4o-2024-08-06"},
            rules=contract.AZURE,
        )
        == []
    )
    assert shapes.compare({"model": "gpt-4"}, {"model": ""}, rules=contract.AZURE) == [
        "model: emptiness differs (recorded 'gpt-4', target '')"
    ]
    assert shapes.compare({"n": None}, {"n": 1}, rules=contract.AZURE) == [
        "n: type differs (recorded null, target int)"
    ]


def test_headers_extra_allowed_but_never_openai_ones() -> None:
    recorded = {
        "apim-request-id": "61298fc7-a82b-4586-bf20-d4757584e833",
        "Cache-Control": "must-revalidate, no-cache",
    }
    got = {
        "apim-request-id": "1c2b63d6-5b0e-4e8a-9d88-0e9f3f1b2a77",
        "x-new-azure-header": "1",
        "openai-processing-ms": "3",
    }
    assert shapes.compare_headers(recorded, got, contract.AZURE) == [
        "header openai-processing-ms: unexpected"
    ]
    assert shapes.compare_headers(recorded, {}, contract.AZURE) == ["header apim-request-id: missing"]


def test_operation_not_supported_message_leaves_only_the_model_open() -> None:
    recorded = (
        "The imageGenerations operation does not work with the specified model, gpt-4. Please choose "
        "different model and try again. You can learn more about which models can be used with each "
        "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
    )
    rules = contract.AZURE.but(patterns={"error.message": contract.model_message_pattern(recorded)})
    other = recorded.replace("gpt-4.", "gpt-4o-mini.")
    assert shapes.compare({"error": {"message": recorded}}, {"error": {"message": other}}, rules=rules) == []
    wrong = other.replace("Please choose", "Choose")
    assert shapes.compare({"error": {"message": recorded}}, {"error": {"message": wrong}}, rules=rules)


def test_closest_recorded_event_of_a_kind() -> None:
    def event(payload: object) -> str:
        return f"data: {shapes.compact(payload)}\n\n"

    first = {
        "choices": [{"content_filter_offsets": {}, "content_filter_results": FILTERS, "index": 0}],
        "id": "",
    }
    second = {
        "choices": [
            {
                "content_filter_offsets": {},
                "content_filter_results": {"protected_material_text": {"filtered": False, "detected": False}},
                "index": 0,
            }
        ],
        "id": "",
    }
    recorded = [event(first), event(second), "data: [DONE]\n\n"]
    assert shapes.compare_streams(recorded, recorded, contract.AZURE) == []
    assert shapes.compare_streams(recorded, recorded, shapes.STRICT)  # the first example only: a false alarm
