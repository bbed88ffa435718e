"""Segment features of real and generated solos → the blind test: can a classifier tell a
model's 4-bar segments from the players'?  Cross-validated by solo (a real solo and the solos
generated over its chords are always in the same fold), with balanced accuracy, the features
that give a model away, and the same test between halves of the real solos as the control."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jazzsolo.evaluate.against_figures import SEGMENT_FEATURES, SoloOverChords, segment_features

N_FOLDS = 5                          # cross-validation folds of the blind test, by solo
N_TREES = 60                         # boosting stages of the gradient-boosting classifier
REAL_SPLITS = 3                      # random halvings of the real solos for the "real" row
N_GIVEAWAYS = 3                      # features named per model
GIVEAWAY_ACCURACY = 0.6              # below this the classifier's reasons are not reported


def segments(solos: Sequence[SoloOverChords]) -> tuple[np.ndarray, np.ndarray]:
    """Segment features of the solos stacked, and the index of the solo of each segment."""
    blocks = [segment_features(s) for s in solos]
    groups = np.concatenate([[i] * len(b) for i, b in enumerate(blocks)] or [[]]).astype(int)
    features = np.vstack(blocks) if blocks else np.zeros((0, len(SEGMENT_FEATURES)))
    return features, groups


def _classifiers(seed: int):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(
                max_iter=2000, class_weight="balanced")),
            "boosting": lambda: GradientBoostingClassifier(n_estimators=N_TREES, max_depth=3,
                                                           random_state=seed)}


def _fit(name: str, model, X: np.ndarray, y: np.ndarray):
    if name == "boosting":
        weights = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
        return model.fit(X, y, sample_weight=weights)
    return model.fit(X, y)


def blind_test(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, seed: int = 0,
               importance: bool = True) -> dict | None:
    """Cross-validated balanced accuracy of each classifier telling y = 1 from y = 0, folds by
    group (`GroupKFold`, at most `N_FOLDS`), and each feature's importance when fitted on all
    segments: |standardised coefficient| (logistic) or impurity importance (boosting), each
    scaled to sum 1.  None when there are fewer than two groups or one class is missing."""
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import GroupKFold

    if len(set(groups.tolist())) < 2 or len(set(y.tolist())) < 2:
        return None
    X = _filled(X)
    folds = GroupKFold(n_splits=min(N_FOLDS, len(set(groups.tolist()))))
    accuracy, importances = {}, {}
    for name, make in _classifiers(seed).items():
        predicted = np.zeros_like(y)
        for train, test in folds.split(X, y, groups):
            if len(set(y[train].tolist())) < 2:
                predicted[test] = y[train][0]
                continue
            predicted[test] = _fit(name, make(), X[train], y[train]).predict(X[test])
        accuracy[name] = float(balanced_accuracy_score(y, predicted))
        if not importance:
            continue
        fitted = _fit(name, make(), X, y)
        weights = np.abs(fitted[-1].coef_[0]) if name == "logistic" else \
            fitted.feature_importances_
        importances[name] = (weights / weights.sum() if weights.sum() else weights).tolist()
    return {"accuracy": accuracy, "importance": importances}


def _filled(X: np.ndarray) -> np.ndarray:
    """NaN (an undefined feature) replaced by the feature's median over all segments."""
    X = np.array(X, dtype=float)
    for column in range(X.shape[1]):
        missing = np.isnan(X[:, column])
        if missing.any():
            known = X[~missing, column]
            X[missing, column] = np.median(known) if len(known) else 0.0
    return X


def giveaways(real_X: np.ndarray, model_X: np.ndarray, result: dict) -> list[dict]:
    """The features that give a model away, most important first, in a musician's words.

    Importance comes from the classifier with the higher accuracy; the direction from the
    standardised difference of the means (model − players).  Empty when neither classifier
    reaches `GIVEAWAY_ACCURACY`.
    """
    best = max(result["accuracy"], key=lambda name: (result["accuracy"][name], name))
    if result["accuracy"][best] < GIVEAWAY_ACCURACY:
        return []
    both = _filled(np.vstack([real_X, model_X]))
    real, model = both[:len(real_X)], both[len(real_X):]
    spread = np.sqrt((real.var(axis=0) + model.var(axis=0)) / 2)
    effect = np.where(spread > 0, (model.mean(axis=0) - real.mean(axis=0)) /
                      np.where(spread > 0, spread, 1.0), 0.0)
    names = list(SEGMENT_FEATURES)
    order = sorted(range(len(names)), key=lambda i: (-result["importance"][best][i], names[i]))
    found = []
    for i in order[:N_GIVEAWAYS]:
        more, less = SEGMENT_FEATURES[names[i]]
        found.append({"feature": names[i], "importance": round(result["importance"][best][i], 4),
                      "effect_size": round(float(effect[i]), 3),
                      "text": more if effect[i] > 0 else less})
    return found


def real_against_real(real_X: np.ndarray, real_groups: np.ndarray, n_solos: int, *,
                      seed: int = 0) -> dict | None:
    """The blind test between random halves of the real solos, averaged over `REAL_SPLITS`."""
    if n_solos < 4:
        return None
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(REAL_SPLITS):
        half = np.zeros(n_solos, dtype=int)
        half[rng.permutation(n_solos)[: n_solos // 2]] = 1
        result = blind_test(real_X, half[real_groups], real_groups, seed=seed, importance=False)
        if result is not None:
            results.append(result["accuracy"])
    if not results:
        return None
    return {"accuracy": {name: float(np.mean([r[name] for r in results])) for name in results[0]}}


__all__ = ["blind_test", "giveaways", "real_against_real", "segments"]
