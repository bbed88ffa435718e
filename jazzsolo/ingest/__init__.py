"""Inputs → notes and chords: MIDI files, their parts, lead sheets, iReal charts, the WJazzD corpus."""
