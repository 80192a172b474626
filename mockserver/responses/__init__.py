"""The Responses API (``/openai/responses``, ``/openai/v1/responses``): objects, items, events, store.

    errors.py   the Azure errors of this API (recordings 15, 19, 26; reports for the rest)
    ids.py      ``resp_``, ``msg_``, ``fc_``, ``rs_`` ids in the recorded form
    inputs.py   a request's ``input`` as items, and as the chat conversation the generator reads
    build.py    the response object, key order as recorded (15-23), from a generated plan
    events.py   the SSE stream: ``event:`` + ``data:`` lines, ``sequence_number`` from 0 (16, 18)
    store.py    stored responses and their input items in ``state.objects``; background on the clock
    template.py a memoised create's renderings, filled with each create's ids (the fast path)

The endpoints (``mockserver.endpoints.responses``, ``responses_objects``) only render what these
build; the request checks are ``mockserver.validation.responses``. Text and tool calls come from the
same generator as chat (``synth.chat.plan_choices``), so seeds, canned replies and content filters
apply alike.
"""
