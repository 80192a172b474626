"""The fast path: what makes a repeated small answer cheap, fenced off from what the answer is.

    memo.py         validation results and rendered bodies of identical requests, remembered
    header_plan.py  header profiles compiled once per deployment (``HeaderTemplate``)
    wire.py         one write per small complete answer, and a head uvicorn need not re-validate

Every piece returns exactly what the plain path would; ``bench/README.md`` has the figures.
"""
