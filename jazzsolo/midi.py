"""The course's ``midi`` names: writing MIDI files (`jazzsolo.export.midi`) and rendering them to
WAV, MP3 and a notebook player (`jazzsolo.export.audio`)."""
from jazzsolo.export.audio import (CHORD_INSTRUMENT, CHORD_TRACK, DEFAULT_SOLO_INSTRUMENT,
                                   FLUIDSYNTH_GAIN, LIMITER_BLOCK, LIMITER_RELEASE_BLOCKS,
                                   MP3_BITRATE, PEAK_LEVEL, REVERB, SAMPLE_RATE, SOLO_TRACK,
                                   SYSTEM_SOUNDFONTS, TAIL_S, TARGET_LOUDNESS_DB,
                                   bundled_soundfont, default_soundfont, find_ffmpeg,
                                   gm_instrument_names, gm_program, limit_peaks, load_for_audio,
                                   loudness_db, normalise, play, render_mp3, render_wav,
                                   soundfont_in_use, synthesize, wav_bytes)
from jazzsolo.export.midi import (BAND_MIX, BASS_PROGRAM, BASS_VELOCITY, CHORD_PROGRAM,
                                  CHORD_VELOCITY, DRUM_CHANNEL, DRUM_VELOCITY,
                                  MIDI_CLOCKS_PER_QUARTER, PAN_CC, REVERB_CC, SOLO_PROGRAM,
                                  SOLO_VELOCITY, TICKS_PER_BEAT, build_midi, midi_bytes,
                                  write_midi)

__all__ = ["BAND_MIX", "BASS_PROGRAM", "BASS_VELOCITY", "CHORD_INSTRUMENT", "CHORD_PROGRAM",
           "CHORD_TRACK", "CHORD_VELOCITY", "DEFAULT_SOLO_INSTRUMENT", "DRUM_CHANNEL",
           "DRUM_VELOCITY", "FLUIDSYNTH_GAIN", "LIMITER_BLOCK", "LIMITER_RELEASE_BLOCKS",
           "MIDI_CLOCKS_PER_QUARTER", "MP3_BITRATE", "PAN_CC", "PEAK_LEVEL", "REVERB",
           "REVERB_CC", "SAMPLE_RATE", "SOLO_PROGRAM", "SOLO_TRACK", "SOLO_VELOCITY",
           "SYSTEM_SOUNDFONTS", "TAIL_S", "TARGET_LOUDNESS_DB", "TICKS_PER_BEAT", "build_midi",
           "bundled_soundfont", "default_soundfont", "find_ffmpeg", "gm_instrument_names",
           "gm_program", "limit_peaks", "load_for_audio", "loudness_db", "midi_bytes",
           "normalise", "play", "render_mp3", "render_wav", "soundfont_in_use", "synthesize",
           "wav_bytes", "write_midi"]
