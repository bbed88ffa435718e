"""Any MIDI: its parts described, the melody found, chords read off the accompaniment."""
import pytest

from jazzsolo.errors import MidiContentError
from jazzsolo.ingest.parts import choose_melody_part, describe_parts
from jazzsolo.encodings.course_data import get_musical_data_auto, load_training_corpus
from jazzsolo.ingest.preprocess import parse_midi_file

from conftest import CMAJ7, DM7, G7, chord_tone_melody, write_tiny_midi


@pytest.fixture
def tune(tmp_path):
    progression = [DM7, G7, CMAJ7, CMAJ7]
    return write_tiny_midi(tmp_path / "tune.mid", chord_tone_melody(4, progression),
                           chords=[(c, 4 * i, 4) for i, c in enumerate(progression)],
                           drums=[(42, i * 0.5, 0.25) for i in range(32)])


def test_parts_are_described_and_drums_flagged(tune):
    infos = describe_parts(parse_midi_file(tune))
    melody, chords, drums = infos
    assert (melody.n_notes, melody.polyphony) == (32, 0.0)
    assert chords.polyphony == 1.0 and not chords.is_drum
    assert drums.is_drum
    assert choose_melody_part(infos) == 0


def test_the_metheny_guitar_is_found_as_the_melody(metheny_midi):
    assert choose_melody_part(describe_parts(parse_midi_file(metheny_midi))) == 5


def test_chord_tone_melody_becomes_chord_tone_values(tune):
    data = get_musical_data_auto(tune)
    assert len(data.measures) == 4
    values = [v for g in data.abstract_grammars for v in g.split()]
    assert len(values) == 32
    assert all(v.startswith("C,0.500") for v in values)
    assert len(data.chords[0]) == 2                       # one chord per half bar


def test_three_four_time_makes_three_beat_measures(tmp_path):
    progression = [DM7, G7, CMAJ7, CMAJ7]
    path = write_tiny_midi(tmp_path / "waltz.mid", chord_tone_melody(4, progression, beats=3),
                           chords=[(c, 3 * i, 3) for i, c in enumerate(progression)],
                           time_signature=(3, 4))
    data = get_musical_data_auto(path)
    assert data.measure_ql == 3.0
    assert len(data.measures) == 4
    assert all(sum(n.quarterLength for n in m) == 3.0 for m in data.measures)


def test_drums_only_is_refused(tmp_path):
    path = write_tiny_midi(tmp_path / "drums.mid", [], drums=[(36, i, 0.5) for i in range(40)])
    with pytest.raises(MidiContentError, match="drums are not a melody"):
        get_musical_data_auto(path)


def test_melody_without_accompaniment_is_refused(tmp_path):
    path = write_tiny_midi(tmp_path / "alone.mid", chord_tone_melody(4, [DM7] * 4))
    with pytest.raises(MidiContentError, match="no accompaniment"):
        get_musical_data_auto(path)


def test_part_overrides_are_checked(tune):
    with pytest.raises(MidiContentError, match="part 7 does not exist"):
        get_musical_data_auto(tune, melody_part=7)


def test_a_directory_of_tunes_skips_the_unusable_ones(tune, tmp_path):
    (tmp_path / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage")
    write_tiny_midi(tmp_path / "lonely.mid", chord_tone_melody(4, [DM7] * 4))
    corpus = load_training_corpus([tmp_path])
    assert [p.name for p in corpus.sources] == ["tune.mid"]
    assert sorted(p.name for p, _ in corpus.skipped) == ["broken.mid", "lonely.mid"]
    assert len(corpus.abstract_grammars) == 4


def test_a_tune_in_e_flat_with_drums_gives_values_from_its_melody(tmp_path):
    eb = [[p + 3 for p in c] for c in (DM7, G7, CMAJ7, CMAJ7)]            # Fm7 Bb7 Ebmaj7
    path = write_tiny_midi(tmp_path / "eb.mid", chord_tone_melody(4, eb),
                           chords=[(c, 4 * i, 4) for i, c in enumerate(eb)],
                           drums=[(38, i * 0.5, 0.25) for i in range(32)])
    assert choose_melody_part(describe_parts(parse_midi_file(path))) == 0
    data = get_musical_data_auto(path)
    values = [v for g in data.abstract_grammars for v in g.split()]
    assert len(values) == 32 and all(v[0] == "C" for v in values)
