"""Does the model play like the player asked for?  A style judge trained on real solos, and the
shape controls asked for against measured (`jazzsolo evaluate --voices DIR`).

**Players.**  A multinomial logistic regression on per-solo figures (the jazz figures of
`evaluate.jazz_figures`, and the solo's notes per beat and register) learns the `n_players`
players with the most training solos from all their real solos in a WJazzD folder (first
`max_bars` bars); so does a small sequence judge, the blind test's 1-D CNN over note tokens
with the chord (`judges.sequence_classes`) with one output per player.  Its recognition rate of *real* solos by X is cross-validated (stratified
folds, each solo judged by a judge that never saw it); its rate for solos *generated as X* (over
the chords of X's own solos, told ``--player X``) is that of the judge trained on all the real
ones.  The unvoiced model over the same chords is judged too: how often it is taken for X by
chance.  The target: generated as X recognised at least 80 % as often as real X.

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


def _player_table(model, real_by, config: StyleJudgeConfig) -> dict:
    """Per player: real recognised (cross-validated), generated as X recognised, unvoiced
    taken for X; by the figures judge, and by the sequence judge (`sequence_*`)."""
    players = [p for p, _ in sorted(model.voice_counts()["player"].items(),
                                    key=lambda kv: (-kv[1], kv[0]))
               if len(real_by.get(p, [])) >= 2][:config.n_players]
    if len(players) < 2:
        raise ConfigError("the style judge needs real solos of at least 2 of the model's players")
    real = [s for p in players for s in real_by[p]]
    labels = [p for p in players for _ in real_by[p]]
    generated = {p: (generate_as(real_by[p], model, config.seed, player=p),
                     generate_as(real_by[p], model, config.seed)) for p in players}
    x = np.vstack([solo_features(s) for s in real])
    guessed = cross_validated(x, labels, config.n_folds, config.seed)
    judge = _judge(config.seed).fit(x, labels)
    by_sequence = _sequence_guesses(real, labels, generated, players, config)
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
                   "sequence_generated": float(np.mean([g == p for g in
                                                        by_sequence["generated"][p]]))}
        rows[p]["ratio"] = rows[p]["generated"] / rows[p]["real"] if rows[p]["real"] else None
        rows[p]["sequence_ratio"] = rows[p]["sequence_generated"] / rows[p]["sequence_real"] \
            if rows[p]["sequence_real"] else None
        rows[p]["_generated"] = as_p
    return rows


def _sequence_guesses(real, labels, generated, players, config: StyleJudgeConfig) -> dict:
    """The sequence judge (`judges.sequence_classes`, a 1-D CNN over note tokens with the
    chord): each real solo's player as guessed by a judge trained on the other folds, and each
    generated solo's by a judge trained on all the real ones."""
    from jazzsolo.evaluate.judges import SequenceConfig, _padded_tokens, sequence_classes

    sequence = SequenceConfig()
    as_x = [s for p in players for s in generated[p][0]]
    tokens = _padded_tokens(list(real) + as_x, sequence.max_notes)
    y = np.array([players.index(p) for p in labels] + [players.index(p) for p in players
                                                       for _ in generated[p][0]])
    n_real = len(real)
    guessed = np.empty(n_real, dtype=object)
    for k, (train, test) in enumerate(_folds(labels, config.n_folds, config.seed)
                                      .split(np.zeros(n_real), labels)):
        probs = sequence_classes(tokens, y, train, test, config.seed + k, sequence)
        guessed[test] = [players[i] for i in probs[:, :len(players)].argmax(axis=1)]
    probs = sequence_classes(tokens, y, np.arange(n_real), np.arange(n_real, len(y)),
                             config.seed, sequence)
    picks = [players[i] for i in probs[:, :len(players)].argmax(axis=1)]
    out, start = {}, 0
    for p in players:
        out[p] = picks[start:start + len(generated[p][0])]
        start += len(generated[p][0])
    return {"real": list(guessed), "generated": out}


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
    from jazzsolo.ingest.solo_info import SOLO_INFO_FILE, read_solo_labels

    model = load_model(model_spec)
    if not isinstance(model, PlaysVoices):
        raise ConfigError(f"the {model.family} model {model.name!r} has no voices to judge")
    if not (Path(path) / SOLO_INFO_FILE).is_file():
        raise ConfigError(f"{path}: the style judge needs a WJazzD folder with {SOLO_INFO_FILE}")
    labels = read_solo_labels(path)
    real, _, _ = read_real_solos(path, max_bars=config.max_bars)
    real_by: dict[str, list] = {}
    style_by: dict[str, list] = {}
    for solo in real:
        player, style, _ = labels.get(solo.name, (None, None, None))
        if player:
            real_by.setdefault(player, []).append(solo)
        if style:
            style_by.setdefault(style, []).append(solo)
    players = _player_table(model, real_by, config)
    pairs = _pairs(model, real_by, style_by, players, config)
    controls = _controls(model, real[:config.control_solos], config)
    return {"model": model.name, "source": str(path), "config": dataclasses.asdict(config),
            "players": {p: {k: v for k, v in row.items() if not k.startswith("_")}
                        for p, row in players.items()},
            "pairs": pairs, "controls": controls}


def format_style_report(report: dict) -> str:
    """The report as the tables `evaluate --voices` prints."""
    lines = [f"Style judge: {report['model']} against the real solos of {report['source']} "
             f"(first {report['config']['max_bars']} bars; a logistic judge on the jazz "
             f"figures, density and register, and a 1-D CNN over the notes)", "",
             f"{'':22s} {'':5s} {'figures judge':^29s} {'sequence judge':^20s}",
             f"{'player':22s} {'solos':>5s} {'real':>6s} {'as X':>6s} {'ratio':>6s} "
             f"{'unvoiced':>9s} {'real':>6s} {'as X':>6s} {'ratio':>6s}"]

    def ratio(value):
        return f"{value:.2f}" if value is not None else "-"
    for player, row in report["players"].items():
        lines.append(f"{player:22s} {row['solos']:5d} {row['real']:6.2f} {row['generated']:6.2f} "
                     f"{ratio(row['ratio']):>6s} {row['unvoiced']:9.2f} "
                     f"{row['sequence_real']:6.2f} {row['sequence_generated']:6.2f} "
                     f"{ratio(row['sequence_ratio']):>6s}")
    lines += ["", "real: held-out real solos by X recognised as X; as X: solos generated as X; "
              "unvoiced: the model told no player, taken for X", "",
              f"{'told apart':32s} {'generated':>9s} {'real':>6s}"]
    lines += [f"{p['pair']:32s} {p['generated']:9.2f} {p['real']:6.2f}" for p in report["pairs"]]
    lines += ["", f"{'control':14s} {'asked':>8s} {'measured':>9s} {'error':>7s}"]
    for c in report["controls"]:
        asked = c["asked"] if isinstance(c["asked"], str) else f"{c['asked']:g}"
        measured = f"{c['measured']:.2f}" + (" in" if c["control"] == "register" else "")
        lines.append(f"{c['control']:14s} {asked:>8s} {measured:>9s} {c['error']:+7.1%}")
    return "\n".join(lines)


__all__ = ["StyleJudgeConfig", "cross_validated", "format_style_report", "generate_as",
           "pair_accuracy", "solo_features", "style_report"]
