"""The course's name for `jazzsolo.ingest.preprocess`: ``jazzsolo.preprocess`` is that very module."""
import sys

from jazzsolo.ingest import preprocess as _module

sys.modules[__name__] = _module
