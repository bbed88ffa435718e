"""Notes over chords ⇄ model tokens: the course's grammar values and the corpus model's note events."""
