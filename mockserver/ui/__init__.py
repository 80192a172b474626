"""The live dashboard at ``/_mock/ui`` and the views of the mock's state it is built on.

* ``routes``: the page, its static files (``static/``: plain HTML, JS and CSS, no build step) and the
  JSON routes it polls;
* ``views``: journal rows, one request in full, quota and replay, read through the stores' methods;
* ``timeline``: retry chains (attempts of one client request, their gaps and the retry-after sent),
  also printed as text in a failing test's report.
"""
