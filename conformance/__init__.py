"""The conformance suite: the Azure OpenAI server contract and client behaviour, against the mock or Azure.

Run ``pytest conformance`` (README "Conformance suite"). Part 1 (``-m contract``) compares answers
with the reference recordings; part 2 (``-m client``) runs the vectors of ``vectors.py`` through the
drivers of ``drivers/`` and writes the matrix (``report.py``). ``standin.py`` replays the recordings
behind ``--target azure``.
"""
