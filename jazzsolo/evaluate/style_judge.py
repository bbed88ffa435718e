"""Does the model play like the player asked for?  A style judge trained on real solos, and the
shape controls asked for against measured (`jazzsolo evaluate --voices DIR`).

**Players.**  A multinomial logistic regression on per-solo figures (the jazz figures of
`evaluate.jazz_figures`, and the solo's notes per beat and register) learns the `n_players`
players with the most training solos from all their real solos in a WJazzD folder (first
`max_bars` bars).  Its recognition rate of *real* solos by X is cross-validated (stratified
folds of solos, each solo judged by a judge that never saw it); its rate for solos *generated
as X* (over the chords of X's own solos, told ``--player X``) is that of the judge trained on
all the real ones.  The unvoiced model over the same chords is judged too: how often it is
taken for X by chance.  The target: generated as X recognised at least 80 % as often as real X.

**The sequence judge** beside it is the phrasing judges' 1-D CNN over note tokens with the
chord (`judges.sequence_classes`), one output per player, which sees the line (intervals,
rhythm, notes over the chord) and not the register.  83 whole solos are too few to train it,
so it learns from excerpts: `excerpt_bars`-bar windows starting every `excerpt_hop_bars` bars
of each real solo's first `train_bars` bars, each solo weighing alike (its excerpts share its
weight) and each player alike.  A solo is judged on the non-overlapping excerpts of its first
`max_bars` bars, as the generated ones are: the player whose log-probability, averaged over
the excerpts, is highest (a solo with no excerpt of 16 notes or more counts as missed).  Its
folds are of solos grouped by tune (`solo_info.csv`'s title: the takes of a tune and the
players who share it are on one side of every split), stratified by player; trained afresh
for each evaluation, seeded, and never used to train or choose a generator.

**Pairs.**  Generated as Parker against generated as Miles Davis, and generated as TRADITIONAL
against generated as POSTBOP: how well a cross-validated judge tells the two apart (balanced
accuracy; real against real beside it).

**Controls.**  Over the chords of the first real solos, solos asked for a density (notes per
beat), a phrase length (median notes per phrase, phrases split at rests of a beat or more) and
a register (LOW-HIGH): the value asked for, the value measured (median over the solos) and the
error.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from jazzsolo.config import SamplingOptions
from jazzsolo.errors import ConfigError
from jazzsolo.evaluate.against import generate_over
from jazzsolo.evaluate.against_figures import SoloOverChords, read_real_solos
from jazzsolo.evaluate.jazz_figures import figure_vector, phrases
from jazzsolo.evaluate.judges import SequenceConfig, excerpts

# The sequence judge's CNN for 6 players and ~1,500 excerpts: fewer filters, more dropout and a
# slower rate than the phrasing judges'.  Measured on WJazzD's top 6 (real solos recognised,
# mean over players, seeds 0-2): 0.44 with this, 0.42 with 16 filters at 3e-3 for 15 epochs;
# 30 epochs at 3e-3 overfit (0.36); early stopping on an inner split of tunes stopped at 1-9
# epochs on a noisy loss and fell to 0.35-0.37.  Seeds move the mean by ±0.05.
STYLE_SEQUENCE = SequenceConfig(filters=16, dropout=0.5, epochs=30, learning_rate=1e-3)


@dataclass(frozen=True)
class StyleJudgeConfig:
    """How the style judge is run; each default is written here only."""

    n_players: int = 6                      # the players with the most training solos
    max_bars: int = 32                      # of each solo, real and generated
    n_folds: int = 5                        # cross-validation folds (fewer if a class is small)
    pairs: tuple[tuple[str, str], ...] = (("Charlie Parker", "Miles Davis"),)
    style_pairs: tuple[tuple[str, str], ...] = (("TRADITIONAL", "POSTBOP"),)
    max_style_solos: int = 20               # real solos per style whose chords are played
    control_solos: int = 8                  # charts the controls are measured over
    densities: tuple[float, ...] = (1.0, 2.5)
    phrase_lengths: tuple[float, ...] = (8.0, 24.0)
    registers: tuple[str, ...] = ("55-72", "67-86")
    excerpt_bars: int = 8                   # the sequence judge's excerpts ...
    excerpt_hop_bars: int = 4               # ... start every this many bars in training ...
    train_bars: int = 128                   # ... of each real solo's first this many bars
    sequence: SequenceConfig = STYLE_SEQUENCE
    seed: int = 0


def solo_features(solo: SoloOverChords) -> np.ndarray:
    """The judge's view of a solo: the jazz figures, notes per beat, and the register (mean
    pitch, 5th and 95th percentile)."""
    pitches = np.array([m for _, _, m in solo.notes], dtype=float)
    beats = max(sum(solo.measure_lengths_ql), 1.0)
    extra = [len(pitches) / beats, *(np.percentile(pitches, [50, 5, 95]) if len(pitches)
                                     else [np.nan] * 3)]
    return np.concatenate([figure_vector(solo), extra])


def _judge(seed: int):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         LogisticRegression(C=0.5, max_iter=2000, random_state=seed))


def _folds(labels: Sequence, n_folds: int, seed: int):
    from sklearn.model_selection import StratifiedKFold

    smallest = min(Counter(labels).values())
    if smallest < 2:
        raise ConfigError("the style judge needs at least 2 solos of every class")
    return StratifiedKFold(n_splits=min(n_folds, smallest), shuffle=True, random_state=seed)


def cross_validated(x: np.ndarray, labels: Sequence, n_folds: int, seed: int) -> np.ndarray:
    """Each row's label as judged by a judge trained on the other folds."""
    from sklearn.model_selection import cross_val_predict

    return cross_val_predict(_judge(seed), x, np.asarray(labels),
                             cv=_folds(labels, n_folds, seed))


def pair_accuracy(a: Sequence[np.ndarray], b: Sequence[np.ndarray], n_folds: int, seed: int
                  ) -> float:
    """Balanced accuracy of a cross-validated judge telling solos `a` from solos `b`."""
    from sklearn.metrics import balanced_accuracy_score

    labels = [0] * len(a) + [1] * len(b)
    guessed = cross_validated(np.vstack([*a, *b]), labels, n_folds, seed)
    return float(balanced_accuracy_score(labels, guessed))


def generate_as(real: Sequence[SoloOverChords], model, seed: int, **voice) -> list:
    """One solo over each real solo's chords, metre and tempo, asked for `voice` (player,
    style, density, ...), as the band plays it (`against.generate_over`)."""
    return generate_over(real, model, seed=seed, options=SamplingOptions(**voice))


@dataclass
class RealSolos:
    """The real solos the style judge learns from, by player and by style (first `max_bars`
    bars), with each one's whole solo and tune (the sequence judge's training and folds)."""

    by_player: dict[str, list[SoloOverChords]]
    by_style: dict[str, list[SoloOverChords]]
    whole: dict[str, SoloOverChords]        # solo name → the whole solo
    tune: dict[str, str]                    # solo name → its tune, lower case


def _player_table(model, real: RealSolos, config: StyleJudgeConfig) -> dict:
    """Per player: real recognised (cross-validated), generated as X recognised, unvoiced
    taken for X; by the figures judge, and by the sequence judge (`sequence_*`)."""
    real_by = real.by_player
    players = [p for p, _ in sorted(model.voice_counts()["player"].items(),
                                    key=lambda kv: (-kv[1], kv[0]))
               if len(real_by.get(p, [])) >= 2][:config.n_players]
    if len(players) < 2:
        raise ConfigError("the style judge needs real solos of at least 2 of the model's players")
    solos = [s for p in players for s in real_by[p]]
    labels = [p for p in players for _ in real_by[p]]
    generated = {p: (generate_as(real_by[p], model, config.seed, player=p),
                     generate_as(real_by[p], model, config.seed)) for p in players}
    x = np.vstack([solo_features(s) for s in solos])
    guessed = cross_validated(x, labels, config.n_folds, config.seed)
    judge = _judge(config.seed).fit(x, labels)
    by_sequence = _sequence_guesses(solos, labels, generated, players, real, config)
    rows = {}
    for p in players:
        as_p, anyone = generated[p]
        mine = [i for i, lab in enumerate(labels) if lab == p]
        rows[p] = {"solos": len(real_by[p]),
                   "real": float(np.mean([guessed[i] == p for i in mine])),
                   "generated": float(np.mean(judge.predict(
                       np.vstack([solo_features(s) for s in as_p])) == p)),
                   "unvoiced": float(np.mean(judge.predict(
                       np.vstack([solo_features(s) for s in anyone])) == p)),
                   "sequence_real": float(np.mean([by_sequence["real"][i] == p for i in mine])),
                   **{f"sequence_{kind}": float(np.mean([g == p for g in by_sequence[kind][p]]))
                      for kind in ("generated", "unvoiced")}}
        rows[p]["ratio"] = _ratio(rows[p]["generated"], rows[p]["real"])
        rows[p]["sequence_ratio"] = _ratio(rows[p]["sequence_generated"],
                                           rows[p]["sequence_real"])
        rows[p]["_generated"] = as_p
    return rows


def _ratio(generated: float, real: float) -> float | None:
    return generated / real if real else None


def training_excerpts(solo: SoloOverChords, bars: int, hop_bars: int) -> list[SoloOverChords]:
    """`bars`-bar excerpts of a solo starting every `hop_bars` bars (overlapping when
    `hop_bars` < `bars`), each cut as `judges.excerpts` cuts one: more excerpts to learn from."""
    found, starts = [], solo.bar_starts_ql()
    for first in range(0, solo.n_bars - bars + 1, hop_bars):
        start = starts[first]
        later = dataclasses.replace(
            solo, notes=[(o - start, d, m) for o, d, m in solo.notes if o >= start - 1e-6],
            chord_measures=solo.chord_measures[first:],
            measure_lengths_ql=solo.measure_lengths_ql[first:],
            time_signatures=solo.time_signatures[first:], _cache={})
        found += [dataclasses.replace(e, name=f"{solo.name} bars {first + 1}-{first + bars}")
                  for e in excerpts(later.first_bars(bars), bars)]
    return found


def tune_folds(labels: Sequence, tunes: Sequence[str], n_folds: int, seed: int
               ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds of solos (train, test indices), stratified by label and grouped by tune, so the
    takes of a tune and the solos of players who share it are on one side of every split."""
    from sklearn.model_selection import StratifiedGroupKFold

    k = min(n_folds, min(Counter(labels).values()), len(set(tunes)))
    if k < 2:
        raise ConfigError("the sequence style judge needs 2 or more solos of every player, "
                          "over 2 or more tunes")
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
                .split(np.zeros(len(labels)), labels, groups=list(tunes)))


def solo_weights(owners: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A weight per excerpt: each solo weighs alike (its excerpts share its weight) and each
    class alike; the mean weight is 1.

    >>> solo_weights(np.array([0, 0, 1, 2]), np.array([0, 0, 0, 1])).tolist()
    [0.5, 0.5, 1.0, 2.0]
    """
    per_solo = 1.0 / np.bincount(owners)[owners]
    weights = per_solo / np.bincount(y, weights=per_solo)[y]
    return weights * len(y) / weights.sum()


def vote(probabilities: np.ndarray, owners: np.ndarray, n_solos: int) -> list[int | None]:
    """Each solo's class: the highest log-probability averaged over its excerpts (rows of
    `probabilities` owned by it); None for a solo with no excerpt.

    >>> vote(np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55], [0.2, 0.8]]), np.array([0, 0, 0, 2]), 3)
    [0, None, 1]
    """
    logs = np.log(np.clip(probabilities, 1e-9, 1.0))
    return [int(logs[owners == i].mean(axis=0).argmax()) if (owners == i).any() else None
            for i in range(n_solos)]


def _cut(solos: Sequence[SoloOverChords], cut) -> tuple[list, np.ndarray]:
    """Every excerpt `cut(solo)` makes of some solos, and the index of the solo of each."""
    found, owners = [], []
    for i, solo in enumerate(solos):
        pieces = cut(solo)
        found += pieces
        owners += [i] * len(pieces)
    return found, np.array(owners, dtype=int)


def _sequence_guesses(solos, labels, generated, players, real: RealSolos,
                      config: StyleJudgeConfig) -> dict:
    """The sequence judge's player for each real solo, by a judge trained on the excerpts of
    the other folds' solos (`tune_folds`), and for each generated solo (as X and unvoiced), by
    a judge trained on the excerpts of all the real ones; each solo by `vote`."""
    from jazzsolo.evaluate.judges import _padded_tokens, sequence_classes

    bars = config.excerpt_bars
    judged = [*solos, *(g for p in players for g in generated[p][0]),
              *(g for p in players for g in generated[p][1])]
    learn, learn_owner = _cut([real.whole[s.name].first_bars(config.train_bars) for s in solos],
                              lambda s: training_excerpts(s, bars, config.excerpt_hop_bars))
    shown, shown_owner = _cut(judged, lambda s: excerpts(s, bars))
    tokens = _padded_tokens(learn + shown, config.sequence.max_notes)
    solo_y = np.array([players.index(p) for p in labels])
    y = np.r_[solo_y[learn_owner], np.zeros(len(shown), dtype=int)]   # judged rows: unused

    def guesses(train_solos, judged_solos, seed):
        train = np.flatnonzero(np.isin(learn_owner, train_solos))
        test = len(learn) + np.flatnonzero(np.isin(shown_owner, judged_solos))
        probs = sequence_classes(tokens, y, train, test, seed, config.sequence,
                                 solo_weights(learn_owner[train], y[train]))
        picks = vote(probs[:, :len(players)], shown_owner[test - len(learn)], len(judged))
        return {i: players[picks[i]] if picks[i] is not None else None for i in judged_solos}

    guessed: dict[int, str | None] = {}
    for k, (train, test) in enumerate(tune_folds(labels, [real.tune[s.name] for s in solos],
                                                 config.n_folds, config.seed)):
        guessed.update(guesses(train, test, config.seed + k))
    later = guesses(np.arange(len(solos)), np.arange(len(solos), len(judged)), config.seed)
    out, start = {"real": [guessed[i] for i in range(len(solos))]}, len(solos)
    for kind in (0, 1):
        name = ("generated", "unvoiced")[kind]
        out[name] = {}
        for p in players:
            n = len(generated[p][kind])
            out[name][p] = [later[i] for i in range(start, start + n)]
            start += n
    return out


def _pairs(model, real_by, style_by, players: dict, config: StyleJudgeConfig) -> list[dict]:
    out = []
    for a, b in config.pairs:
        if a in players and b in players:
            gen = [[solo_features(s) for s in players[p]["_generated"]] for p in (a, b)]
            real = [[solo_features(s) for s in real_by[p]] for p in (a, b)]
            out.append({"pair": f"{a} vs {b}",
                        "generated": pair_accuracy(*gen, config.n_folds, config.seed),
                        "real": pair_accuracy(*real, config.n_folds, config.seed)})
    for a, b in config.style_pairs:
        chosen = {s: style_by.get(s, [])[:config.max_style_solos] for s in (a, b)}
        if all(len(v) >= 2 for v in chosen.values()):
            gen = [[solo_features(g) for g in generate_as(chosen[s], model, config.seed,
                                                          style=s)] for s in (a, b)]
            real = [[solo_features(r) for r in chosen[s]] for s in (a, b)]
            out.append({"pair": f"{a.lower()} vs {b.lower()}",
                        "generated": pair_accuracy(*gen, config.n_folds, config.seed),
                        "real": pair_accuracy(*real, config.n_folds, config.seed)})
    return out


def _measured(solos: Sequence[SoloOverChords], what: str, register=None) -> float:
    values = []
    for s in solos:
        if what == "density":
            values.append(len(s.notes) / max(sum(s.measure_lengths_ql), 1.0))
        elif what == "phrase_length":
            values.append(float(np.median([len(p) for p in phrases(s.notes)])) if s.notes
                          else np.nan)
        else:
            low, high = register
            values.append(float(np.mean([low <= m <= high for _, _, m in s.notes])))
    return float(np.nanmedian(values))


def _controls(model, charts: Sequence[SoloOverChords], config: StyleJudgeConfig) -> list[dict]:
    """Each control asked for against measured, over the same charts."""
    from jazzsolo.encodings.voice import parse_register

    rows = []
    for name, values in (("density", config.densities),
                         ("phrase_length", config.phrase_lengths)):
        for value in values:
            got = _measured(generate_as(charts, model, config.seed, **{name: value}), name)
            rows.append({"control": name, "asked": value, "measured": got,
                         "error": got / value - 1.0})
    for text in config.registers:
        low, high = parse_register(text)
        got = _measured(generate_as(charts, model, config.seed, register=text), "register",
                        (low, high))
        rows.append({"control": "register", "asked": text, "measured": got,
                     "error": got - 1.0})
    return rows


def style_report(path: str | Path, model_spec=None, config: StyleJudgeConfig = StyleJudgeConfig()
                 ) -> dict:
    """The style judge's tables for a voiced model over the real solos of a WJazzD folder."""
    from jazzsolo.generate.families import PlaysVoices, load_model
    from jazzsolo.ingest.solo_info import SOLO_INFO_FILE

    model = load_model(model_spec)
    if not isinstance(model, PlaysVoices):
        raise ConfigError(f"the {model.family} model {model.name!r} has no voices to judge")
    if not (Path(path) / SOLO_INFO_FILE).is_file():
        raise ConfigError(f"{path}: the style judge needs a WJazzD folder with {SOLO_INFO_FILE}")
    real = _real_solos(path, config)
    players = _player_table(model, real, config)
    pairs = _pairs(model, real.by_player, real.by_style, players, config)
    charts = [s.first_bars(config.max_bars)
              for s in list(real.whole.values())[:config.control_solos]]
    controls = _controls(model, charts, config)
    rows = {p: {k: v for k, v in row.items() if not k.startswith("_")}
            for p, row in players.items()}
    return {"model": model.name, "source": str(path), "config": dataclasses.asdict(config),
            "players": rows, "mean": _means(rows), "pairs": pairs, "controls": controls}


def _real_solos(path: str | Path, config: StyleJudgeConfig) -> RealSolos:
    """The WJazzD folder's solos with their labels (`solo_info.csv`)."""
    from jazzsolo.evaluate.judges import read_solo_info
    from jazzsolo.ingest.solo_info import SOLO_INFO_FILE, read_solo_labels

    labels = read_solo_labels(path)
    tunes = {name: tune.lower() for name, (tune, _) in
             read_solo_info(Path(path) / SOLO_INFO_FILE).items()}
    whole, _, _ = read_real_solos(path)
    real = RealSolos({}, {}, {s.name: s for s in whole},
                     {s.name: tunes.get(s.name, s.name) for s in whole})
    for solo in whole:
        player, style, _ = labels.get(solo.name, (None, None, None))
        first = solo.first_bars(config.max_bars)
        if player:
            real.by_player.setdefault(player, []).append(first)
        if style:
            real.by_style.setdefault(style, []).append(first)
    return real


def _means(rows: dict) -> dict:
    """Each judge's rates averaged over the players, and chance (one player in n)."""
    keys = ("real", "generated", "unvoiced", "sequence_real", "sequence_generated",
            "sequence_unvoiced")
    return {"chance": 1.0 / len(rows),
            **{k: float(np.mean([row[k] for row in rows.values()])) for k in keys}}


def format_style_report(report: dict) -> str:
    """The report as the tables `evaluate --voices` prints."""
    c = report["config"]
    lines = [f"Style judge: {report['model']} against the real solos of {report['source']} "
             f"(first {c['max_bars']} bars; a logistic judge on the jazz figures, density and "
             f"register, and a 1-D CNN over the notes)", "",
             f"{'':22s} {'':5s} {'figures judge':^30s} {'sequence judge':^30s}",
             f"{'player':22s} {'solos':>5s}" + f" {'real':>6s} {'as X':>6s} {'ratio':>6s} "
             f"{'unvoiced':>9s}" * 2]

    def ratio(value):
        return f"{value:.2f}" if value is not None else "-"

    def cells(row, prefix=""):
        return (f" {row[prefix + 'real']:6.2f} {row[prefix + 'generated']:6.2f} "
                f"{ratio(row.get(prefix + 'ratio')):>6s} {row[prefix + 'unvoiced']:9.2f}")
    for player, row in report["players"].items():
        lines.append(f"{player:22s} {row['solos']:5d}{cells(row)}{cells(row, 'sequence_')}")
    mean = report["mean"]
    average = {**mean, "ratio": _ratio(mean["generated"], mean["real"]),
               "sequence_ratio": _ratio(mean["sequence_generated"], mean["sequence_real"])}
    lines += [f"{'mean (chance ' + format(mean['chance'], '.2f') + ')':22s} "
              f"{sum(r['solos'] for r in report['players'].values()):5d}"
              f"{cells(average)}{cells(average, 'sequence_')}",
              "", "real: held-out real solos by X recognised as X; as X: solos generated as X; "
              "unvoiced: the model told no player, taken for X",
              f"figures judge: {c['n_folds']} stratified folds of solos; sequence judge: "
              f"{c['n_folds']} stratified folds of solos grouped by tune, learning from "
              f"{c['excerpt_bars']}-bar excerpts every {c['excerpt_hop_bars']} bars of each "
              f"solo's first {c['train_bars']}, a solo judged by the vote of its "
              f"{c['excerpt_bars']}-bar excerpts",
              "", f"{'told apart':32s} {'generated':>9s} {'real':>6s}"]
    lines += [f"{p['pair']:32s} {p['generated']:9.2f} {p['real']:6.2f}" for p in report["pairs"]]
    lines += ["", f"{'control':14s} {'asked':>8s} {'measured':>9s} {'error':>7s}"]
    for row in report["controls"]:
        asked = row["asked"] if isinstance(row["asked"], str) else f"{row['asked']:g}"
        measured = f"{row['measured']:.2f}" + (" in" if row["control"] == "register" else "")
        lines.append(f"{row['control']:14s} {asked:>8s} {measured:>9s} {row['error']:+7.1%}")
    return "\n".join(lines)


__all__ = ["RealSolos", "STYLE_SEQUENCE", "StyleJudgeConfig", "cross_validated",
           "format_style_report", "generate_as", "pair_accuracy", "solo_features", "solo_weights",
           "style_report", "training_excerpts", "tune_folds", "vote"]
