"""The course's name for `jazzsolo.generate.measures`: ``jazzsolo.music_utils`` is that very module."""
import sys

from jazzsolo.generate import measures as _module

sys.modules[__name__] = _module
