"""jazzsolo: learn a jazz style from MIDI with an LSTM and improvise new solos.

The modules follow the data: preprocess (MIDI → measures, chords, grammar) → grammar (values) →
data_utils (tensors) → model (Keras djmodel) → inference_code (sampling) → music_utils / qa
(notes) → midi (files).  Keras is imported only by `model` and the course's inference model.
"""
from jazzsolo.errors import JazzsoloError

__version__ = "0.1.0"
__all__ = ["JazzsoloError", "__version__"]
