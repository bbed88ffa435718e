"""The package's one exception family: every error a user can cause is a JazzsoloError."""


class JazzsoloError(Exception):
    """Base of every error the package raises on purpose; the CLI prints it as one line.

    The message says what is wrong in the library's terms; `hint` (optional) says how to fix it
    where the caller knows how (the CLI adds its flags, the notebook its settings); `setting`
    names the setting at fault, when one is.
    """

    def __init__(self, message: str = "", *, hint: str | None = None,
                 setting: str | None = None):
        super().__init__(message)
        self.hint = hint
        self.setting = setting          # the setting at fault, if one is (the CLI names its flag)


class InputFileError(JazzsoloError):
    """A file given to the package is missing, unreadable or not what it should be."""


class MidiContentError(JazzsoloError):
    """A MIDI file parses but holds nothing the pipeline can use (no melody, no chords, too short)."""


class NoChordsError(MidiContentError):
    """A file has no harmony to play or measure a solo over (no chord track, no accompaniment)."""


class GrammarError(JazzsoloError):
    """A grammar value is malformed (e.g. ``"C,abc"`` instead of ``"C,0.250"``)."""


class ConfigError(JazzsoloError):
    """An unknown preset name or a setting outside its valid range."""


class ModelDirError(JazzsoloError):
    """A model directory is missing a file, is inconsistent, or asks for something unsafe."""


class TrainingError(JazzsoloError):
    """Training cannot go on: the loss is not finite, or a run to resume has nothing left to do."""


class TuneNotFoundError(InputFileError):
    """No training tune was given and none is at the default locations."""


class OutputExistsError(JazzsoloError):
    """An output file exists already and overwriting was not asked for."""


class ChordSymbolError(JazzsoloError):
    """One or more chord symbols cannot be read; the message lists every unreadable one."""


class ChartError(JazzsoloError):
    """A chord chart (MusicXML lead sheet, iReal Pro link) is unreadable, too large or empty."""
