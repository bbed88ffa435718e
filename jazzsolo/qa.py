"""The course's name for `jazzsolo.encodings.qa`: ``jazzsolo.qa`` is that very module."""
import sys

from jazzsolo.encodings import qa as _module

sys.modules[__name__] = _module
