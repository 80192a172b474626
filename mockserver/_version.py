"""The package version, in one place (hatch reads it here; ``mockserver.__version__`` re-exports it)."""

__version__ = "0.1.0"
