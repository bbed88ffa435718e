"""The judges (`jazzsolo.evaluate.judges`) on a small fixed set of synthetic solos: excerpts,
groups, the crude fakes, the judges told apart from chance (crude fakes ≥ 0.8, real vs real
≤ 0.6), intervals, folds by tune and performer, the Fréchet distance and the table."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from jazzsolo.errors import ConfigError, JazzsoloError
from jazzsolo.evaluate import judges as jd
from jazzsolo.evaluate.against_figures import SoloOverChords, segment_features
from jazzsolo.music.chord_symbols import parse_chord_symbol
from jazzsolo.music.chords import chord_from_symbol

NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
FAST = jd.JudgeConfig(n_bootstrap=200)
FEATURE_JUDGES = ("logistic", "boosting")


def progression(key: int) -> list[str]:
    """32 bars: ii-V-I-I in `key`, then in the key a fourth up, four times."""
    bars = []
    for k in (key, key + 5):
        i = NAMES[k % 12] + "j7"
        bars += [NAMES[(k + 2) % 12] + "-7", NAMES[(k + 7) % 12] + "7", i, i]
    return bars * 4


def melody(symbols: list[str], rng: np.random.Generator) -> list[tuple[float, float, int]]:
    """Phrases of 6-15 eighths (some quarters): chord tones on the beat, steps between, the
    line turning at random and at the edges of 56-82, a rest of 1-3 beats between phrases."""
    tones = [set(parse_chord_symbol(s).pitch_classes) for s in symbols]
    notes, t, midi, up = [], float(rng.integers(0, 4)), int(rng.integers(62, 72)), True
    end = 4.0 * len(symbols)
    while t < end - 0.5:
        for _ in range(int(rng.integers(6, 16))):
            if t >= end - 0.25:
                break
            step = 1 if up else -1
            if t % 1 == 0:
                midi += step
                while midi % 12 not in tones[int(t // 4)]:
                    midi += step
            else:
                midi += int(rng.choice([1, 2])) * step
            if midi > 82 or midi < 56 or rng.random() < 0.2:
                up = not up
            span = float(rng.choice([0.5, 1.0], p=[0.85, 0.15]))
            notes.append((t, 0.9 * span, midi))
            t += span
        t += float(rng.choice([1.0, 1.5, 2.0, 3.0]))
    return notes


def synthetic_solos(n_tunes: int = 12) -> list[SoloOverChords]:
    """Two seeded takes of each of `n_tunes` 32-bar tunes; tunes 2k and 2k+1 are played by
    the same two performers, so tunes and performers join into `n_tunes` / 2 groups."""
    solos = []
    for tune in range(n_tunes):
        symbols = progression(7 * tune)
        for take in range(2):
            measures = [[chord_from_symbol(parse_chord_symbol(s), 4.0, 0.0)] for s in symbols]
            solos.append(SoloOverChords(f"P{tune // 2}{'ab'[take]}_Tune{tune}_Solo",
                                        melody(symbols, np.random.default_rng(100 * tune + take)),
                                        measures, [4.0] * len(symbols), ["4/4"] * len(symbols),
                                        160.0))
    return solos


def figures(solo: SoloOverChords) -> np.ndarray:
    """Mean and spread of the 4-bar segment features: the tests' own figure vector."""
    rows = segment_features(solo)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.r_[np.nanmean(rows, axis=0), np.nanstd(rows, axis=0)]


@pytest.fixture(scope="module")
def solos() -> list[SoloOverChords]:
    return synthetic_solos()


@pytest.fixture(scope="module")
def calibrated(solos) -> dict:
    """The calibration rows and one "echo" model that plays the real solos back (two seeds)."""
    echo = [s.with_notes(f"echo {s.name}", s.notes) for _ in range(2) for s in solos]
    return jd.calibrated_judges(solos, {"echo": echo}, features=figures,
                                judges=FEATURE_JUDGES, config=FAST)


def rows_by_name(result: dict) -> dict[str, dict]:
    return {row["name"]: row for row in result["rows"]}


# --------------------------------------------------------------------------- excerpts, groups, fakes

def test_excerpts_are_whole_bars_rebased_and_sparse_ones_dropped(solos):
    solo = solos[0]
    cut = jd.excerpts(solo, 16)
    assert [e.n_bars for e in cut] == [16, 16]              # 32 bars: two, no partial third
    second = [n for n in solo.notes if 64.0 <= n[0] < 128.0]
    assert [n[2] for n in cut[1].notes] == [n[2] for n in second]
    assert cut[1].notes[0][0] == pytest.approx(second[0][0] - 64.0)
    assert all(o + d <= 64.0 + 1e-9 for o, d, _ in cut[1].notes)
    assert cut[1].chord_measures[0] is solo.chord_measures[16]
    assert [e.name for e in jd.excerpts(solo.with_notes("late", second))] == \
        ["late bars 17-32"]                                 # bars 1-16 have no notes
    with pytest.raises(ConfigError):
        jd.excerpts(solo, 0)


def test_sparse_threshold_is_min_excerpt_notes(solos):
    solo = solos[0]
    notes = [(4.0 * k, 1.0, 60) for k in range(jd.MIN_EXCERPT_NOTES - 1)]
    assert jd.excerpts(solo.with_notes("few", notes)) == []
    assert len(jd.excerpts(solo.with_notes("enough", notes + [(60.0, 1.0, 62)]))) == 1


def test_names_give_tune_and_performer_and_groups_join_them(solos):
    assert jd.parse_solo_name("ChuBerry_BodyAndSoul-2_Solo") == ("BodyAndSoul", "ChuBerry")
    groups, grouping = jd.split_groups(solos)
    assert grouping == "tune+performer" and len(set(groups.tolist())) == 6
    assert groups[0] == groups[1] == groups[2] == groups[3] != groups[4]
    one_player = [s.with_notes(f"Bird_Tune{i}_Solo", s.notes) for i, s in enumerate(solos)]
    groups, grouping = jd.split_groups(one_player)
    assert grouping == "tune" and len(set(groups.tolist())) == 24
    info = {s.name: ("Blues", "Bird") for s in solos}
    assert jd.split_groups(solos, info)[1] == "tune"        # one tune: the fallback names it


def test_shuffled_intervals_keep_rhythm_first_pitch_and_range(solos):
    solo = solos[0]
    fake = jd.shuffled_intervals(solo, np.random.default_rng(0))
    assert [n[:2] for n in fake.notes] == [n[:2] for n in solo.notes]
    assert fake.notes[0][2] == solo.notes[0][2]
    midis = np.array([n[2] for n in fake.notes])
    assert midis.min() >= jd.LOW_MIDI and midis.max() <= jd.HIGH_MIDI
    steps, played = np.diff(midis), np.diff([n[2] for n in solo.notes])
    assert sorted(steps % 12) == sorted(played % 12)       # the same intervals, up to octaves
    assert steps.tolist() != played.tolist()
    assert fake.chord_measures is solo.chord_measures


def test_markov_fake_is_drawn_from_the_other_solos(solos):
    a, b = solos[0], solos[5]
    b = b.with_notes(b.name, [(o, d, m + 200) for o, d, m in b.notes])   # pitches A never plays
    chain = jd.NoteMarkov([a, b])
    fake = chain.fake_over(a, np.random.default_rng(1))
    assert {m for _, _, m in fake.notes[1:]} <= {m for _, _, m in b.notes}
    assert fake.notes[0][2] == a.notes[0][2]                # it starts on the solo's first note
    assert fake.notes[-1][0] < a.length_ql <= fake.notes[-1][0] + 8.0
    assert all(d <= jd.MARKOV_LONGEST_QL for _, d, _ in fake.notes)


def test_note_tokens_fields(solos):
    tokens = jd.note_tokens(jd.excerpts(solos[0])[0])
    assert tokens.shape[1] == len(jd.TOKEN_FIELDS)
    assert tokens[0, 0] == 25 and (tokens[1:, 0] <= 24).all()
    assert (tokens.max(axis=0) < np.array(list(jd.TOKEN_FIELDS.values()))).all()
    assert tokens[:, 4].mean() > 0.5                        # the melodies favour chord tones


# --------------------------------------------------------------------------- the judges

def test_judges_tell_crude_fakes_apart_and_not_real_from_real(calibrated):
    rows = rows_by_name(calibrated)
    assert list(rows) == ["real vs real", "shuffled", "markov", "echo"]
    for name in ("shuffled", "markov"):
        best = max(j["accuracy"] for j in rows[name]["judges"].values())
        assert best >= 0.8, (name, rows[name]["judges"])
    for name, scores in rows["real vs real"]["judges"].items():
        assert scores["accuracy"] <= 0.6 and scores["auc"] <= 0.6, (name, scores)
    for name, scores in rows["echo"]["judges"].items():   # the same notes: no judge can tell
        assert scores["accuracy"] == pytest.approx(0.5) and scores["auc"] == pytest.approx(0.5)
    assert rows["echo"]["n_fake"] == 2 * rows["echo"]["n_real"]


def test_every_score_has_an_interval_holding_it(calibrated):
    for row in calibrated["rows"]:
        assert row["n_real"] > 0 and row["n_fake"] > 0
        for scores in row["judges"].values():
            for key in ("accuracy", "auc"):
                lo, hi = scores[f"{key}_ci"]
                assert 0.0 <= lo <= scores[key] <= hi <= 1.0, (row["name"], key, scores)
    shuffled = rows_by_name(calibrated)["shuffled"]["judges"]["logistic"]
    assert shuffled["accuracy_ci"][0] > 0.5


def test_folds_keep_each_tune_and_performer_on_one_side(solos):
    groups, _ = jd.split_groups(solos)
    fakes = jd.crude_fakes(solos)["shuffled"]
    real, real_groups = jd._excerpts_with_groups(solos, groups, 16)
    fake, fake_groups = jd._excerpts_with_groups(fakes, groups, 16)
    result = jd.judge(real, fake, real_groups, fake_groups, features=figures,
                      judges=("logistic",), config=FAST)
    assert result["n_folds"] == 5 and result["n_groups"] == 6
    folds: dict[str, set[int]] = {}
    for excerpt, fold in zip(real + fake, result["fold"]):
        solo_name = excerpt.name.split(" bars ")[0].removeprefix("shuffled ")
        tune, performer = jd.parse_solo_name(solo_name)
        folds.setdefault(tune, set()).add(fold)
        folds.setdefault(performer, set()).add(fold)
    assert all(len(seen) == 1 for seen in folds.values()), folds
    assert len({f for seen in folds.values() for f in seen}) == 5


def test_same_seed_same_feature_judges(solos):
    groups, _ = jd.split_groups(solos)
    real, real_groups = jd._excerpts_with_groups(solos, groups, 16)
    fake, fake_groups = jd._excerpts_with_groups(jd.crude_fakes(solos, seed=3)["markov"],
                                                 groups, 16)
    runs = [jd.judge(real, fake, real_groups, fake_groups, features=figures, seed=4,
                     judges=FEATURE_JUDGES, config=FAST) for _ in range(2)]
    assert runs[0] == runs[1]
    with pytest.raises(ConfigError, match="unknown judge"):
        jd.judge(real, fake, real_groups, fake_groups, features=figures, judges=("svm",))


def test_sequence_judge_tells_shuffled_apart_and_real_not(solos):
    groups, _ = jd.split_groups(solos)
    real, real_groups = jd._excerpts_with_groups(solos, groups, 16)
    fake, fake_groups = jd._excerpts_with_groups(jd.crude_fakes(solos)["shuffled"], groups, 16)
    tiny = jd.SequenceConfig(epochs=8)
    told = jd.judge(real, fake, real_groups, fake_groups, judges=("sequence",), config=FAST,
                    sequence=tiny)["judges"]["sequence"]
    assert told["accuracy"] >= 0.8 and told["auc"] >= 0.8, told
    control = jd.real_vs_real(real, real_groups, judges=("sequence",), config=FAST,
                              sequence=tiny, halvings=1)["judges"]["sequence"]
    assert control["accuracy"] <= 0.6, control
    # Six groups are too few to pin the AUC of real vs real down (its interval spans about
    # 0.2-1.0 here); "cannot tell" is that the interval holds 0.5.
    assert control["auc_ci"][0] <= 0.5 <= control["auc_ci"][1], control


# --------------------------------------------------------------------------- Fréchet, table, errors

def test_frechet_is_zero_for_the_same_and_grows_with_a_shift():
    X = np.random.default_rng(0).normal(size=(200, 3))
    assert jd.frechet_distance(X, X) == pytest.approx(0.0, abs=1e-9)
    shifted = X + np.array([2.0, 0.0, 0.0])
    expected = (2.0 / X[:, 0].std()) ** 2                  # the shift in the reference's units
    assert jd.frechet_distance(X, shifted, reference=X) == pytest.approx(expected, rel=1e-6)
    with_nan = X.copy()
    with_nan[::2, 1] = np.nan
    assert np.isfinite(jd.frechet_distance(with_nan, shifted))


def test_frechet_real_vs_real_is_below_the_crude_fakes(calibrated):
    rows = rows_by_name(calibrated)
    assert rows["real vs real"]["frechet"] == pytest.approx(rows["real vs real"]["frechet_real"])
    for name in ("shuffled", "markov"):                     # at the same n, a crude fake is far
        assert rows[name]["frechet_real"] < rows[name]["frechet"] / 3, rows[name]
        assert rows[name]["frechet_n"] >= 10


def test_table_prints_calibration_beside_the_models(calibrated):
    table = jd.format_judges(calibrated)
    lines = table.splitlines()
    assert [line.split("  ")[0] for line in lines[2:]] == ["real vs real", "shuffled",
                                                           "markov", "echo"]
    assert "logistic acc" in lines[1] and "boosting acc" in lines[1] and "Fréchet" in lines[1]
    assert "tune+performer" in lines[0]
    assert "0.50 [0.50–0.50]" in lines[-1]


def test_generated_solos_must_lie_over_the_real_ones(solos):
    with pytest.raises(JazzsoloError, match="not one or more per real solo"):
        jd.calibrated_judges(solos, {"half": solos[:5]}, features=figures,
                             judges=("logistic",), config=FAST, halvings=1)
    shifted = solos[1:] + solos[:1]
    shorter = [s.first_bars(16) if i == 0 else s for i, s in enumerate(shifted)]
    with pytest.raises(JazzsoloError, match="is not over the bars"):
        jd.calibrated_judges(solos, {"shifted": shorter}, features=figures,
                             judges=("logistic",), config=FAST, halvings=1)
