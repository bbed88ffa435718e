"""The course's name for `jazzsolo.generate.sampling`: ``jazzsolo.inference_code`` is that very module."""
import sys

from jazzsolo.generate import sampling as _module

sys.modules[__name__] = _module
