"""Global Batch: batches stored in ``state.objects`` whose status follows the mock's clock.

* ``record``: the stored batch and the object Azure shows for it at a given time (status,
  timestamps, counts and key order of recordings 28 and 29);
* ``inputs``: reading and validating the JSONL input file, as Azure's batch validation does;
* ``lines``: one line through the pipeline of its deployment, and its line in the output or error
  file;
* ``runner``: the work (validate, run lines, write the output and error files), done by whoever
  observes a batch that the clock says is due: a request that reads it, the server's ticker, or the
  plugin's helper.

The status is never held by a timer: it is computed from the stored record (when it was created,
the phase durations fixed at creation, how far its lines got, when it was cancelled) and the clock
(``record.view``), so any instance sharing the store shows the same batch, and ``--freeze-time`` with
``POST /_mock/clock/advance`` steps a batch through its phases.
"""
