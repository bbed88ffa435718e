"""Cleaning generated values and notes: grid durations, merged repeats, a single line."""
from jazzsolo.music.notes import Note
from jazzsolo.encodings.qa import clean_up_notes, prune_grammar, prune_notes, snap_duration


def test_durations_snap_to_sixteenths_and_triplets():
    assert snap_duration(0.333) == 1 / 3
    assert snap_duration(0.667) == 2 / 3
    assert snap_duration(0.26) == 0.25
    assert snap_duration(0.0) == 0.25


def test_prune_grammar_keeps_classes_and_windows():
    assert prune_grammar("C,0.260 S,0.333,<m3,d-2>") == "C,0.250 S,0.333,<m3,d-2>"


def test_prune_notes_merges_a_repeated_pitch():
    notes = [Note(0.0, 0.5, 60, "C"), Note(0.5, 0.5, 60, "C"), Note(1.0, 1.0, 62, "S")]
    assert prune_notes(notes) == [Note(0.0, 1.0, 60, "C"), Note(1.0, 1.0, 62, "S")]


def test_clean_up_notes_leaves_one_line_inside_the_measure():
    notes = [Note(0.0, 1.0, 60, "C"), Note(0.0, 0.5, 64, "C"),
             Note(0.5, 1.0, 67, "C"), Note(3.5, 2.0, 72, "C"), Note(4.0, 1.0, 74, "C")]
    cleaned = clean_up_notes(notes, measure_ql=4.0)
    assert [n.midi for n in cleaned] == [60, 67, 72]
    assert cleaned[0].duration_ql == 0.5                   # cut where the next note starts
    assert cleaned[-1].offset_ql + cleaned[-1].duration_ql == 4.0
    for a, b in zip(cleaned, cleaned[1:]):
        assert a.offset_ql + a.duration_ql <= b.offset_ql
