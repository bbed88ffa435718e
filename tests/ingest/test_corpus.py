"""WJazzD corpus reader: grid positions, metre, chords, CSV vs .db, bad corpora, split, fuzz.

Tiny solos are written inline in tmp_path (no real solo's notes); the 410 shared WJazzD solos
are read from ../shared/data/wjazzd beside the project (ODbL, never copied into the repo).
"""
from __future__ import annotations

import bisect
import csv
import hashlib
import random
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

import jazzsolo.ingest.corpus_db as corpus_db_module
import jazzsolo.ingest.corpus_tables as corpus_tables_module
from jazzsolo.music.chord_symbols import parse_chord_symbols
from jazzsolo.ingest.corpus import GRID_PER_BEAT, CorpusSolo, read_corpus, read_solo_csv, split_by_solo
from jazzsolo.ingest.corpus_db import read_solo_db, write_test_db
from jazzsolo.errors import (ChordSymbolError, InputFileError, JazzsoloError, MidiContentError,
                             NoChordsError, OutputExistsError)

from conftest import wjazzd_folder

WJAZZD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wjazzd"
G = GRID_PER_BEAT
MELODY_HEADER = ["bar", "beat", "beatdur", "denom", "division", "duration", "num", "onset",
                 "period", "pitch", "subtatum", "tatum"]
BEATS_HEADER = ["bar", "bass_pitch", "beat", "chord", "chorus_id", "form", "onset", "signature"]

# A made-up waltz: one pickup beat (bar 0, beat 3), then four bars of 3/4 at 120 bpm.
# notes: (bar, beat, tatum, division, duration s, pitch); beats: (bar, beat, chord, signature)
WALTZ_NOTES = [(0, 3, 2, 2, 0.25, 60), (1, 1, 1, 1, 0.5, 62), (1, 2, 2, 3, 0.1, 63),
               (2, 3, 3, 4, 0.3, 65), (4, 1, 1, 1, 1.5, 67)]
WALTZ_BEATS = ([(0, 3, "", "")] + [(1, 1, "F-7", "3/4"), (1, 2, "", ""), (1, 3, "", "")]
               + [(2, 1, "Bb7", ""), (2, 2, "", ""), (2, 3, "", "")]
               + [(3, 1, "Ebj7", ""), (3, 2, "", ""), (3, 3, "", "")]
               + [(4, 1, "", ""), (4, 2, "NC", ""), (4, 3, "", "")])
# Expected by hand: steps = bar * 36 + (beat - 1) * 12 + round((tatum - 1) / division * 12)
WALTZ_EXPECTED = [(30, 6, 60), (36, 12, 62), (52, 2, 63), (102, 7, 65), (144, 36, 67)]


def write_solo(folder: Path, name: str, notes=WALTZ_NOTES, beats=WALTZ_BEATS, *,
               metre=(3, 3, 4), metres=None, beatdur: float = 0.5) -> tuple[Path, Path]:
    """Write melody/<name>.csv and beats/<name>.csv in the WJazzD export's column layout.

    `metre` is (period, num, denom) of every note's bar; `metres` maps bars to other ones.
    """
    (folder / "melody").mkdir(parents=True, exist_ok=True)
    (folder / "beats").mkdir(parents=True, exist_ok=True)
    onset = {(bar, beat): 1.0 + i * beatdur for i, (bar, beat, _, _) in enumerate(beats)}
    melody_csv, beats_csv = folder / "melody" / f"{name}.csv", folder / "beats" / f"{name}.csv"
    with open(melody_csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(MELODY_HEADER)
        for bar, beat, tatum, division, duration, pitch in notes:
            period, num, denom = (metres or {}).get(bar, metre)
            start = onset.get((bar, beat), 0.0) + (tatum - 1) / division * beatdur
            out.writerow([bar, beat, beatdur, denom, division, duration, num, start, period,
                          float(pitch), 0, tatum])
    with open(beats_csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(BEATS_HEADER)
        for bar, beat, chord, signature in beats:
            out.writerow([bar, "", beat, chord, 1, "", onset[(bar, beat)], signature])
    return melody_csv, beats_csv


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes, to check that nothing was written."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def wjazzd() -> Path:
    """The shared WJazzD folder (see conftest.wjazzd_folder)."""
    return wjazzd_folder()


@pytest.fixture(scope="module")
def shared_corpus(wjazzd):
    start = time.perf_counter()
    corpus = read_corpus(wjazzd)
    seconds = time.perf_counter() - start
    notes = sum(len(solo.notes) for solo in corpus.solos)
    print(f"\nread {len(corpus.solos)} WJazzD solos ({notes} notes) in {seconds:.2f} s; "
          f"skipped {len(corpus.skipped)}: {corpus.skipped}")
    return corpus, seconds


# --------------------------------------------------------------------------- grid and metre

def test_waltz_notes_chords_and_metre_land_on_the_hand_computed_steps(tmp_path):
    solo = read_solo_csv(*write_solo(tmp_path, "Me_Waltz_Solo"))
    assert [(n.onset_step, n.duration_steps, n.pitch) for n in solo.notes] == WALTZ_EXPECTED
    assert [(c.onset_step, c.symbol.symbol) for c in solo.chords] == [
        (36, "F-7"), (72, "Bb7"), (108, "Ebj7"), (156, "NC")]
    assert solo.chords[-1].symbol.is_no_chord and solo.chords[0].symbol.root_pc == 5
    assert (solo.beats_per_bar, solo.n_bars, solo.bar_steps) == (3, 5, (3 * G,) * 5)
    assert solo.time_signatures == ((0, 3, 4),) and solo.first_bar == 0
    assert (solo.performer, solo.title, solo.name) == ("Me", "Waltz", "Me_Waltz_Solo")
    assert solo.qpm == pytest.approx(120.0)
    assert all(n.velocity is None for n in solo.notes) and solo.instrument is None


def test_pickup_bar_is_bar_zero_and_metre_changes_move_later_bars(tmp_path):
    notes = [(-1, 4, 1, 1, 0.5, 60), (0, 1, 1, 1, 0.5, 62), (1, 5, 2, 2, 0.5, 64),
             (2, 1, 1, 1, 0.5, 65)]
    beats = ([(-1, 4, "G7", "")] + [(0, b, "C" if b == 1 else "", "4/4" if b == 1 else "")
                                    for b in range(1, 5)]
             + [(1, b, "", "5/4" if b == 1 else "") for b in range(1, 6)]
             + [(2, 1, "F", "4/4")])
    # bar 1 holds 5/4 according to its note; bars -1, 0 and 2 are 4/4
    solo = read_solo_csv(*write_solo(tmp_path, "Me_Odd_Solo", notes, beats, metre=(4, 4, 4),
                                     metres={1: (5, 5, 4)}))
    assert solo.first_bar == -1 and solo.bar_steps == (48, 48, 60, 48)
    assert solo.time_signatures == ((0, 4, 4), (2, 5, 4), (3, 4, 4))
    assert [n.onset_step for n in solo.notes] == [36, 48, 96 + 4 * G + 6, 156]
    assert [c.onset_step for c in solo.chords] == [36, 48, 156]


def test_a_velocity_column_is_kept_where_a_source_has_one(tmp_path):
    melody_csv, beats_csv = write_solo(tmp_path, "Me_Waltz_Solo")
    lines = melody_csv.read_text().splitlines()
    velocities = ["velocity", "90", "", "64", " ", "127"]
    melody_csv.write_text("".join(f"{line},{v}\n" for line, v in zip(lines, velocities)))
    solo = read_solo_csv(melody_csv, beats_csv)
    assert [n.velocity for n in solo.notes] == [90, None, 64, None, 127]
    melody_csv.write_text(melody_csv.read_text().replace(",127\n", ",128\n"))
    with pytest.raises(InputFileError, match="line 6: velocity 128 is outside 1..127"):
        read_solo_csv(melody_csv, beats_csv)


def test_real_positions_follow_the_metrical_columns(shared_corpus, wjazzd):
    corpus, _ = shared_corpus
    solo = next(s for s in corpus.solos if s.name == "ArtPepper_Desafinado_Solo")
    with open(wjazzd / "melody" / f"{solo.name}.csv", newline="") as f:
        first = next(csv.DictReader(f))
    # bar 0, beat 1, tatum 4 of 5 -> round(3 / 5 * 12) = 7; 0.103 s of a 0.435 s beat -> 3 steps
    assert (first["bar"], first["beat"], first["tatum"], first["division"]) == ("0", "1", "4", "5")
    assert (solo.notes[0].onset_step, solo.notes[0].duration_steps, solo.notes[0].pitch) == (7, 3,
                                                                                             64)


def test_grid_positions_agree_with_the_onsets_in_seconds(shared_corpus, wjazzd):
    """Placing each note by its seconds between the annotated beats lands within a step or two."""
    corpus, _ = shared_corpus
    errors = []
    for solo in corpus.solos[::8]:
        with open(wjazzd / "beats" / f"{solo.name}.csv", newline="") as f:
            beats = sorted((float(r["onset"]), solo.bar_start_step(int(r["bar"]) - solo.first_bar)
                            + (int(r["beat"]) - 1) * G) for r in csv.DictReader(f))
        with open(wjazzd / "melody" / f"{solo.name}.csv", newline="") as f:
            seconds = sorted(float(r["onset"]) for r in csv.DictReader(f))
        onsets = [t for t, _ in beats]
        for note, t in zip(solo.notes, seconds):
            i = bisect.bisect_right(onsets, t) - 1          # the beat at or before the note
            if 0 <= i < len(beats) - 1:
                (t0, s0), (t1, s1) = beats[i], beats[i + 1]
                errors.append(abs(s0 + (t - t0) / (t1 - t0) * (s1 - s0) - note.onset_step))
    errors.sort()
    assert len(errors) > 10_000
    assert errors[len(errors) // 2] < 1.0 and errors[int(len(errors) * 0.9)] < 2.5


def test_three_four_solo_keeps_three_beats_per_bar(shared_corpus, wjazzd):
    corpus, _ = shared_corpus
    waltz = next(s for s in corpus.solos if s.name == "JohnColtrane_MyFavoriteThings-1_Solo")
    assert waltz.beats_per_bar == 3 and set(waltz.bar_steps) == {3 * G}
    assert waltz.time_signatures == ((0, 3, 4),)
    changing = next(s for s in corpus.solos if s.name == "MichaelBrecker_SongForBilbao_Solo")
    with open(wjazzd / "beats" / f"{changing.name}.csv", newline="") as f:
        beats = list(csv.DictReader(f))
    signed = [(int(r["bar"]) - changing.first_bar, *map(int, r["signature"].split("/")))
              for r in beats if r["signature"]]
    assert signed[0][0] == 3 == -changing.first_bar + 1      # signed at bar 1, after 2 pickups
    assert list(changing.time_signatures) == [(0, 4, 4)] + signed[1:] and len(signed) == 5
    downbeats = {changing.bar_start_step(int(r["bar"]) - changing.first_bar)
                 for r in beats if r["beat"] == "1" and r["chord"]}
    assert downbeats and downbeats <= {c.onset_step for c in changing.chords}


# --------------------------------------------------------------------------- the shared corpus

def test_all_410_shared_solos_read_and_the_skipped_have_no_chords(shared_corpus, wjazzd):
    corpus, seconds = shared_corpus
    assert len(corpus.solos) + len(corpus.skipped) == 410
    # (the time to read, ≤ 5 s, is measured by `make bench`, never asserted in a test)
    for name, reason in corpus.skipped:
        with open(wjazzd / "beats" / f"{name}.csv", newline="") as f:
            chords = {r["chord"].strip() for r in csv.DictReader(f)} - {""}
        assert reason == "only NC symbols" and chords == {"NC"}, (name, reason, chords)
    assert len(corpus.skipped) == 9
    with open(wjazzd / "README.md") as f:
        assert "180,161 notes" in f.read()
    skipped_notes = sum(sum(1 for _ in open(wjazzd / "melody" / f"{n}.csv")) - 1
                        for n, _ in corpus.skipped)
    assert sum(len(s.notes) for s in corpus.solos) + skipped_notes == 180_161


def test_shared_solos_hold_sorted_in_range_events(shared_corpus):
    corpus, _ = shared_corpus
    for solo in corpus.solos:
        steps = [n.onset_step for n in solo.notes]
        assert steps == sorted(steps) and 0 <= steps[0] and steps[-1] < solo.n_steps, solo.name
        assert min(n.duration_steps for n in solo.notes) >= 1
        assert 27 <= min(n.pitch for n in solo.notes) <= max(n.pitch for n in solo.notes) <= 97
        chords = [c.onset_step for c in solo.chords]
        assert chords == sorted(chords) and chords[-1] < solo.n_steps
        assert solo.n_bars == len(solo.bar_steps) and 30 < solo.qpm < 400, solo.name


def test_all_414_distinct_chord_symbols_parse(shared_corpus, wjazzd):
    texts = set()
    for beats_csv in (wjazzd / "beats").glob("*.csv"):
        with open(beats_csv, newline="") as f:
            texts |= {r["chord"].strip() for r in csv.DictReader(f)} - {""}
    assert len(texts) == 414
    assert len(parse_chord_symbols(sorted(texts))) == 414
    corpus, _ = shared_corpus
    assert {c.symbol.symbol for s in corpus.solos for c in s.chords} <= texts


# --------------------------------------------------------------------------- CSV and .db agree

def assert_same_solo(a: CorpusSolo, b: CorpusSolo) -> None:
    assert (a.notes, a.chords) == (b.notes, b.chords)
    assert (a.time_signatures, a.bar_steps, a.first_bar) == (b.time_signatures, b.bar_steps,
                                                             b.first_bar)
    assert (a.name, a.performer, a.title, a.qpm) == (b.name, b.performer, b.title, b.qpm)


def test_csv_and_test_db_give_the_same_solo(tmp_path):
    write_solo(tmp_path / "csv", "Me_Waltz_Solo")
    write_solo(tmp_path / "csv", "Me_Blues_Solo", [(1, 1, 2, 4, 0.2, 70)],
               [(1, b, "F7" if b == 1 else "", "4/4" if b == 1 else "") for b in range(1, 5)],
               metre=(4, 4, 4))
    db = write_test_db(tmp_path / "csv", tmp_path / "wjazzd.db", ["Me_Waltz_Solo", "Me_Blues_Solo"])
    from_db = read_corpus(db)
    assert [(s.name, s.melid) for s in from_db.solos] == [("Me_Waltz_Solo", 1),
                                                          ("Me_Blues_Solo", 2)]
    for solo in from_db.solos:
        assert_same_solo(read_solo_csv(tmp_path / "csv" / "melody" / f"{solo.name}.csv",
                                       tmp_path / "csv" / "beats" / f"{solo.name}.csv"), solo)
    assert_same_solo(read_solo_db(db, 1), from_db.solos[0])
    with pytest.raises(OutputExistsError):
        write_test_db(tmp_path / "csv", db, ["Me_Waltz_Solo"])


def test_shared_csv_solos_and_their_db_copy_agree(shared_corpus, wjazzd, tmp_path):
    corpus, _ = shared_corpus
    names = ["ArtPepper_Desafinado_Solo", "JohnColtrane_MyFavoriteThings-1_Solo",
             "MichaelBrecker_SongForBilbao_Solo", "HerbieHancock_Orbits_Solo"]
    db = write_test_db(wjazzd, tmp_path / "wjazzd.db", names)
    from_db = read_corpus(db)
    assert from_db.skipped == [("HerbieHancock_Orbits_Solo", "only NC symbols")]
    by_name = {s.name: s for s in corpus.solos}
    for solo in from_db.solos:
        assert_same_solo(by_name[solo.name], solo)
    with pytest.raises(NoChordsError, match="melid 4"):
        read_solo_db(db, 4)


def test_reading_a_db_changes_nothing_and_never_runs_its_text(tmp_path):
    write_solo(tmp_path / "csv", "Me_Waltz_Solo")
    db = write_test_db(tmp_path / "csv", tmp_path / "wjazzd.db", ["Me_Waltz_Solo"])
    evil = "x'); DROP TABLE melody; --"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE solo_info SET performer = ?, instrument = 'ts'", (evil,))
        conn.execute("UPDATE transcription_info SET filename_sv = ?", (evil + ".sv",))
    conn.close()
    before = snapshot(tmp_path)
    solo = read_corpus(db).solos[0]
    assert (solo.performer, solo.name, solo.instrument) == (evil, evil, "ts")
    assert snapshot(tmp_path) == before
    with pytest.raises(InputFileError, match="no solo with melid 7"):
        read_solo_db(db, 7)


# --------------------------------------------------------------------------- bad corpora

def _make_bad(tmp_path: Path, case: str) -> Path:
    """Build the bad corpus `case` in tmp_path; return the path to read."""
    folder = tmp_path / "wjazzd"
    melody_csv, beats_csv = write_solo(folder, "Me_Waltz_Solo")
    write_solo(folder, "Me_Other_Solo")
    if case == "empty folder":
        shutil.rmtree(folder)
        folder.mkdir()
    elif case == "no melody CSVs":
        for p in (folder / "melody").iterdir():
            p.unlink()
    elif case == "melody without beats":
        beats_csv.unlink()
    elif case == "missing column":
        rows = list(csv.reader(melody_csv.read_text().splitlines()))
        drop = rows[0].index("pitch")
        melody_csv.write_text("\n".join(",".join(r[:drop] + r[drop + 1:]) for r in rows) + "\n")
    elif case == "non-numeric pitch":
        melody_csv.write_text(melody_csv.read_text().replace(",62.0,", ",D4,"))
    elif case == "truncated row":
        lines = melody_csv.read_text().splitlines()
        melody_csv.write_text("\n".join(lines[:2] + [lines[2][:9]] + lines[3:]) + "\n")
    elif case == "unknown chord symbol":
        beats_csv.write_text(beats_csv.read_text().replace(",Bb7,", ",Bb7q,"))
    elif case == "beat past its bar":
        beats_csv.write_text(beats_csv.read_text().replace("\n2,,3,", "\n2,,4,"))
    elif case == "db without melody table":
        folder = tmp_path / "wjazzd.db"
        sqlite3.connect(folder).execute("CREATE TABLE beats (melid INTEGER)").connection.close()
    elif case == "db that is not sqlite":
        folder = tmp_path / "wjazzd.db"
        folder.write_text("melid,onset\n1,2\n")
    elif case == "db missing a column":
        db = write_test_db(folder, tmp_path / "wjazzd.db", ["Me_Waltz_Solo"])
        with sqlite3.connect(db) as conn:
            conn.execute("ALTER TABLE melody DROP COLUMN tatum")
        conn.close()
        folder = db
    elif case == "csv over the size limit":
        melody_csv.write_bytes(b"bar" + b" " * (corpus_tables_module.MAX_CSV_BYTES + 1))
    elif case == "db over the size limit":
        folder = write_test_db(folder, tmp_path / "wjazzd.db", ["Me_Waltz_Solo"])
        with open(folder, "ab") as f:
            f.truncate(corpus_db_module.MAX_DB_BYTES + 1)
    return folder


BAD_CASES = [  # case, error type, words the message must hold
    ("empty folder", InputFileError, ["no melody/ folder"]),
    ("no melody CSVs", InputFileError, ["no melody CSV files"]),
    ("melody without beats", InputFileError, ["Me_Waltz_Solo.csv", "no beats CSV"]),
    ("missing column", InputFileError, ["Me_Waltz_Solo.csv", "'pitch'"]),
    ("non-numeric pitch", InputFileError, ["Me_Waltz_Solo.csv", "line 3", "pitch 'D4'"]),
    ("truncated row", InputFileError, ["Me_Waltz_Solo.csv", "line 3", "fields"]),
    ("unknown chord symbol", ChordSymbolError, ["beats/Me_Waltz_Solo.csv", "'Bb7q'"]),
    ("beat past its bar", InputFileError, ["beats/Me_Waltz_Solo.csv", "beat 4"]),
    ("db without melody table", InputFileError, ["wjazzd.db", "'melody'"]),
    ("db that is not sqlite", InputFileError, ["wjazzd.db", "not a readable SQLite"]),
    ("db missing a column", InputFileError, ["wjazzd.db", "'tatum'"]),
    ("csv over the size limit", InputFileError, ["Me_Waltz_Solo.csv", "byte limit"]),
    ("db over the size limit", InputFileError, ["wjazzd.db", "byte limit"]),
]


@pytest.mark.parametrize("case, error, words", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_corpus_raises_one_clear_line_and_writes_nothing(tmp_path, monkeypatch, case, error,
                                                             words):
    if "size limit" in case:
        monkeypatch.setattr(corpus_tables_module, "MAX_CSV_BYTES", 4096)
        monkeypatch.setattr(corpus_db_module, "MAX_DB_BYTES", 64 * 1024)
    path = _make_bad(tmp_path, case)
    before = snapshot(tmp_path)
    with pytest.raises(error) as caught:
        read_corpus(path)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400, message
    assert all(word in message for word in words), message
    assert snapshot(tmp_path) == before


def test_an_unusable_solo_is_skipped_with_its_reason(tmp_path):
    write_solo(tmp_path, "Me_Waltz_Solo")
    silent = write_solo(tmp_path, "Me_Silent_Solo", notes=[])
    free = write_solo(tmp_path, "Me_Free_Solo",
                      beats=[(b[0], b[1], "NC" if b[2] else "", b[3]) for b in WALTZ_BEATS])
    corpus = read_corpus(tmp_path)
    assert corpus.names == ["Me_Waltz_Solo"]
    assert corpus.skipped == [("Me_Free_Solo", "only NC symbols"), ("Me_Silent_Solo", "no notes")]
    with pytest.raises(NoChordsError, match="Me_Free_Solo.csv: only NC symbols"):
        read_solo_csv(*free)
    with pytest.raises(MidiContentError, match="no notes"):
        read_solo_csv(*silent)
    assert read_corpus(tmp_path, limit=1).names == [] and len(read_corpus(tmp_path, limit=3)) == 1


# --------------------------------------------------------------------------- split

def test_split_by_solo_is_seeded_disjoint_and_about_a_tenth(shared_corpus):
    corpus, _ = shared_corpus
    train, validation = split_by_solo(corpus)
    assert (train, validation) == split_by_solo(corpus, seed=0)
    assert not set(train) & set(validation) and sorted(train + validation) == sorted(corpus.names)
    assert len(validation) == round(0.1 * len(corpus)) and train == sorted(train)
    assert split_by_solo(corpus, seed=1)[1] != validation
    # dropping a training solo leaves the others' ranking, so validation stays (40 of 400 too)
    fewer = [n for n in corpus.names if n != train[0]]
    assert split_by_solo(fewer) == (train[1:], validation)


def test_split_by_solo_without_data():
    names = [f"solo{i:03d}" for i in range(200)]
    train, validation = split_by_solo(names, validation_share=0.25, seed=3)
    assert len(validation) == 50 and len(train) == 150 and not set(train) & set(validation)
    assert split_by_solo(list(reversed(names)), validation_share=0.25, seed=3) == (train,
                                                                                   validation)
    assert split_by_solo(["a", "b"], validation_share=0.01)[1] != []
    with pytest.raises(JazzsoloError, match="validation_share"):
        split_by_solo(names, validation_share=1.0)


# --------------------------------------------------------------------------- fuzz

GARBAGE = ["", "x", "nan", "inf", "-inf", "-1", "0", "1e309", "99999999999", "1.5", "2.0", "\x00",
           "\u00e9\U0001F3B7", '"', "4/4x", "1/0", "64/4", "C" * 60, "NC", "C7", "-0", " 3 ", "1_0"]


def _mutate(text: str, rng: random.Random) -> str:
    """Change CSV text one way: a cell to garbage, a row cut short, a column or line dropped."""
    rows = list(csv.reader(text.splitlines()))
    kind = rng.choice(["cell", "cell", "cell", "truncate", "column", "line", "bytes"])
    r = rng.randrange(len(rows))
    if kind == "cell":
        rows[r][rng.randrange(len(rows[r]))] = rng.choice(GARBAGE)
    elif kind == "truncate":
        rows[r] = rows[r][:rng.randrange(len(rows[r]))]
    elif kind == "column":
        c = rng.randrange(len(rows[0]))
        rows = [row[:c] + row[c + 1:] for row in rows]
    elif kind == "line":
        del rows[r]
    out = "".join(",".join(row) + "\n" for row in rows)
    if kind == "bytes":
        i = rng.randrange(len(out))
        out = out[:i] + rng.choice(["\x00", '"', "\n", ",", "\r", "\ufeff"]) + out[i:]
    return out


def test_fuzzed_csv_solos_give_a_solo_or_a_jazzsolo_error(tmp_path):
    melody_csv, beats_csv = write_solo(tmp_path, "Me_Waltz_Solo")
    melody, beats = melody_csv.read_text(), beats_csv.read_text()
    rng, outcomes = random.Random(0), {"solo": 0, "error": 0}
    for _ in range(200):
        mutated = [melody, beats]
        for _ in range(rng.choice([1, 1, 2, 3])):
            which = rng.randrange(2)
            mutated[which] = _mutate(mutated[which], rng)
        melody_csv.write_text(mutated[0])
        beats_csv.write_text(mutated[1])
        try:
            solo = read_solo_csv(melody_csv, beats_csv)
        except JazzsoloError as e:
            assert "\n" not in str(e)
            outcomes["error"] += 1
        else:
            assert all(n.duration_steps >= 1 and 0 <= n.onset_step < solo.n_steps
                       for n in solo.notes)
            outcomes["solo"] += 1
    assert outcomes["solo"] > 10 and outcomes["error"] > 50, outcomes


def test_fuzzed_db_values_give_a_solo_or_a_jazzsolo_error(tmp_path):
    write_solo(tmp_path / "csv", "Me_Waltz_Solo")
    clean = write_test_db(tmp_path / "csv", tmp_path / "clean.db", ["Me_Waltz_Solo"])
    values = [None, "abc", b"\x00\x01", 1e308, -7, 2**62, 3.5, "", "C7q", "3/4", float("nan")]
    columns = {"melody": ["bar", "beat", "tatum", "division", "duration", "beatdur", "pitch",
                          "period", "num", "denom", "melid", "velocity"],
               "beats": ["bar", "beat", "chord", "onset", "signature", "melid"]}
    rng, errors = random.Random(0), 0
    for case in range(50):
        db = tmp_path / f"fuzz{case}.db"
        shutil.copy(clean, db)
        table = rng.choice(sorted(columns))
        column = rng.choice(columns[table])   # names from the fixed list above, never from data
        with sqlite3.connect(db) as conn:
            row = rng.choice([r for (r,) in conn.execute(f"SELECT rowid FROM {table}")])
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                         (rng.choice(values), row))
        conn.close()
        try:
            read_corpus(db)
        except JazzsoloError as e:
            assert "\n" not in str(e)
            errors += 1
    assert errors > 10
