"""Content filtering, as Azure's default filter configuration behaves (azure-wire §3.3, §5.3).

    triggers.py     configured triggers (``[[content_filters]]``): which prompt or completion is hit
    verdicts.py     a category's verdict and the prompt-side 400 (recording 04)
    annotations.py  the ``prompt_filter_results`` / ``content_filter_results`` blocks every answer carries

The pipeline's ``moderate`` stage applies the prompt-side triggers; the chat synthesiser cuts a
completion where a completion-side trigger (or a ``content_filter`` fault) says.
"""
