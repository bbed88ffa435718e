"""The course's name for `jazzsolo.export.midi`: ``jazzsolo.midi`` is that very module."""
import sys

from jazzsolo.export import midi as _module

sys.modules[__name__] = _module
