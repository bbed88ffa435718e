"""The accompaniment: voicings in the piano register and a walking bass that leads to each root."""
from jazzsolo.comp import BASS_HIGH, BASS_LOW, VOICING_HIGH, VOICING_LOW, bass_track, comp_track, voice_chord
from jazzsolo.progression import get_progression, parse_chord_symbol, parse_progression


def test_voicings_hold_the_chord_without_the_root_and_stay_in_register():
    for symbol in ("Dm7", "G7", "Cmaj7", "Bb7", "F#m7b5"):
        c = parse_chord_symbol(symbol)
        voicing = voice_chord(c)
        classes = {p.midi % 12 for p in c.pitches} - {c.root().midi % 12}
        assert {m % 12 for m in voicing} == classes
        assert VOICING_LOW <= min(voicing) and max(voicing) <= VOICING_HIGH


def test_bass_plays_each_root_on_the_downbeat_in_quarter_notes():
    measures = parse_progression(get_progression("blues"))
    bass = bass_track(measures)
    assert len(bass) == 12 * 4
    assert all(BASS_LOW <= n.pitches[0] <= BASS_HIGH for n in bass)
    downbeats = {n.offset_ql: n.pitches[0] for n in bass}
    for number, measure in enumerate(measures):
        for c in measure:
            assert downbeats[number * 4 + c.offset] % 12 == c.root().midi % 12


def test_walking_line_approaches_the_next_root_by_a_semitone():
    measures = parse_progression("Dm7 | G7")
    bass = bass_track(measures)
    assert abs(bass[3].pitches[0] - bass[4].pitches[0]) == 1


def test_comp_strikes_every_chord():
    measures = parse_progression("Dm7 G7 | Cmaj7")
    comp = comp_track(measures)
    starts = sorted({n.offset_ql for n in comp})
    assert starts[0] == 0.0 and 4.0 in starts and 2.0 in starts
