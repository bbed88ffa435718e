"""The course's ``music_utils`` names: a solo sampled over chord measures
(`jazzsolo.generate.measures`) and written as MIDI and music21 (`jazzsolo.export.solo_midi`)."""
from jazzsolo.config import DEFAULT_QPM
from jazzsolo.export.solo_midi import (ACCOMPANIMENTS, band_midi, generate_music, solo_to_stream,
                                       write_solo_midi)
from jazzsolo.generate.measures import (MAX_MEASURE_QL, MAX_PRIMER_SHARE, CopyGuard, Primer, Solo,
                                        copy_guard_for, generate_solo, measure_metres,
                                        nearest_value, read_primer, sample_measure)

__all__ = ["ACCOMPANIMENTS", "DEFAULT_QPM", "MAX_MEASURE_QL", "MAX_PRIMER_SHARE", "CopyGuard",
           "Primer", "Solo", "band_midi", "copy_guard_for", "generate_music", "generate_solo",
           "measure_metres", "nearest_value", "read_primer", "sample_measure", "solo_to_stream",
           "write_solo_midi"]
