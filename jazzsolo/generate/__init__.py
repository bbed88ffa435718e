"""Trained model + chords → a performed solo: sampling, the measure loop, the band behind it."""
