"""jazzsolo: learn a jazz style from MIDI with an LSTM and improvise new solos.

Sub-packages follow the data: `ingest` (MIDI, lead sheets, iReal, the WJazzD corpus → notes and
chords, with `music` for chord symbols and progressions) → `encodings` (grammar values, note
events, tensors) → `models` (the course LSTM, the note LSTM, model directories) → `generate`
(sampling, the measure loop, the band) → `export` (MIDI, MusicXML, audio, plots); `evaluate`
scores solos.  The course's module names (`data_utils`, `model`, `inference_code`, `music_utils`,
`preprocess`, `grammar`, `qa`, `midi`) are aliases of the modules they became.  Keras is imported
only for training and the course's inference model.
"""
from jazzsolo.errors import JazzsoloError

__version__ = "0.1.0"
__all__ = ["JazzsoloError", "__version__"]
