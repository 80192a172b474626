"""Deterministic media: PNG pictures, speech audio in six formats, audio probing, transcripts.

Everything here is pure Python (``zlib``, ``struct``, ``wave``); the compressed speech formats
(MP3, AAC, Opus) are assembled from tiny pre-encoded frames in ``data/`` whose provenance and
generator live in ``fixtures/media/``.
"""
