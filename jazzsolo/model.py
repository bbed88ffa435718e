"""The course's name for `jazzsolo.models.course_lstm`: ``jazzsolo.model`` is that very module."""
import sys

from jazzsolo.models import course_lstm as _module

sys.modules[__name__] = _module
