"""The course's ``preprocess`` names: reading a tune (`jazzsolo.ingest.preprocess`) and turning it
into grammar strings and a corpus of values (`jazzsolo.encodings.course_data`)."""
from jazzsolo.encodings.course_data import (MusicalData, TrainingCorpus, encode_tune,
                                            get_corpus_data, get_musical_data,
                                            get_musical_data_auto, load_training_corpus,
                                            measure_grammars)
from jazzsolo.ingest.preprocess import (DEFAULT_MIDI_PATHS, MIDI_ENV_VAR, MIDI_SUFFIXES,
                                        MIN_REST_QL, READERS, TuneMeasures, expand_midi_paths,
                                        extract_measures, find_training_midi, melody_line,
                                        notes_in_measure, parse_midi_file, preset_for,
                                        quantize_part, read_tune_measures,
                                        read_tune_measures_auto, relative_to_measure,
                                        split_channels, with_rests)

__all__ = ["DEFAULT_MIDI_PATHS", "MIDI_ENV_VAR", "MIDI_SUFFIXES", "MIN_REST_QL", "READERS",
           "MusicalData", "TrainingCorpus", "TuneMeasures", "encode_tune", "expand_midi_paths",
           "extract_measures", "find_training_midi", "get_corpus_data", "get_musical_data",
           "get_musical_data_auto", "load_training_corpus", "measure_grammars", "melody_line",
           "notes_in_measure", "parse_midi_file", "preset_for", "quantize_part",
           "read_tune_measures", "read_tune_measures_auto", "relative_to_measure",
           "split_channels", "with_rests"]
