"""The fast path: what makes a repeated small answer cheap, fenced off from what the answer is.

    memo.py         validation results and rendered bodies of identical requests, remembered
    header_plan.py  header profiles compiled once per deployment (``HeaderTemplate``)
    wire.py         one write per small complete answer, and a head uvicorn need not re-validate
                    (only on the uvicorn releases it was checked against, ``wire.PROVEN_UVICORN``)

One switch, ``Settings.fast_path`` (``[server] fast_path``, ``aoai-mock serve --no-fast-path``),
turns all of it off: the memo keeps nothing, headers come from ``mockserver.headers`` directly,
responses go through uvicorn's own path. The bytes on the wire are the same either way
(``tests/test_fastpath.py`` compares them for every reference exchange); ``bench/README.md`` has
the figures.
"""
