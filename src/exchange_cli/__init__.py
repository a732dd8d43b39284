"""exchange: a terminal catalogue of international cooperation and exchange programs."""

__version__ = "0.1.0"
