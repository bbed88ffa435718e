"""The package's one exception family: every error a user can cause is a JazzsoloError."""


class JazzsoloError(Exception):
    """Base of every error the package raises on purpose; the CLI prints it as one line."""


class InputFileError(JazzsoloError):
    """A file given to the package is missing, unreadable or not what it should be."""


class MidiContentError(JazzsoloError):
    """A MIDI file parses but holds nothing the pipeline can use (no melody, no chords, too short)."""


class GrammarError(JazzsoloError):
    """A grammar value is malformed (e.g. ``"C,abc"`` instead of ``"C,0.250"``)."""


class ConfigError(JazzsoloError):
    """An unknown preset name or a setting outside its valid range."""


class ModelDirError(JazzsoloError):
    """A model directory is missing a file, is inconsistent, or asks for something unsafe."""


class OutputExistsError(JazzsoloError):
    """An output file exists already and overwriting was not asked for."""
