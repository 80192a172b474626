"""Scripted faults: which requests fail (``rules``), how (``effects``, ``statuses``), and named sets of
rules (``scenarios``).

    rules.py      FaultStore: the rules in order, each deciding per request; the ``KINDS`` table
    statuses.py   the Azure body and headers of a scripted status (429s come from ``ratelimit``)
    effects.py    what a transport fault does to the answer: waits, resets, cut or broken streams
    scenarios.py  scenario files (built in, or a path): named lists of rules loaded at start

The pipeline's ``faults`` stage (``mockserver.pipeline.stages``) asks ``FaultStore.decide`` once
per request, after the deployment is known, and applies the action.
"""

from __future__ import annotations

from .rules import KINDS, SERVER_ONLY_KINDS, TRANSPORT_KINDS, FaultRule, FaultStore, parse_rule
from .scenarios import load_scenario

__all__ = [
    "KINDS",
    "SERVER_ONLY_KINDS",
    "TRANSPORT_KINDS",
    "FaultRule",
    "FaultStore",
    "load_scenario",
    "parse_rule",
]
