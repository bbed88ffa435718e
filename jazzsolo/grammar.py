"""The course's name for `jazzsolo.encodings.grammar`: ``jazzsolo.grammar`` is that very module."""
import sys

from jazzsolo.encodings import grammar as _module

sys.modules[__name__] = _module
