"""Solos → files people open: MIDI, MusicXML lead sheets, audio and plots."""
