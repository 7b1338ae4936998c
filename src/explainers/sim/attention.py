"""Two-head self-attention on a five-word sentence, small enough to print every matrix on screen.

The weights are not trained: they are built from a readable recipe plus seeded noise, so the
video's story ("bank" looks at "river") is a consequence of stated structure, not typed-in
numbers. Embedding features (one per coordinate, d_model = 8):

    water, money, ambiguous, noun, function, descriptor, terrain, spare

Head 0, the "sense" head: an ambiguous word's query asks "which topic?"; topic words (water,
money, and weakly terrain) answer in their keys, while ambiguous words are weak evidence for a
topic (negative key weight), so "bank" does not answer its own question. Its values carry the
topic features, so the output for "bank" moves toward the sense its context picks.
Head 1, the "grammar" head: descriptors and function words look for nouns; nouns look for
function words. Its values carry word-class features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

FEATURES = ("water", "money", "ambiguous", "noun", "function", "descriptor", "terrain", "spare")
D_MODEL = len(FEATURES)
HEADS = 2
D_K = D_MODEL // HEADS  # = d_v, as in the paper (d_model / h)


def _f(**weights: float) -> np.ndarray:
    """A feature vector from named features, e.g. _f(water=1, noun=1)."""
    v = np.zeros(D_MODEL)
    for name, w in weights.items():
        v[FEATURES.index(name)] = w
    return v


def _vocab() -> dict[str, np.ndarray]:
    """Context-free embeddings before noise: "bank" sits halfway between water and money."""
    return {
        "the": _f(function=1),
        "was": _f(function=1),
        "river": _f(water=1, noun=1, terrain=0.3),
        "bank": _f(water=0.5, money=0.5, ambiguous=1, noun=1),
        "steep": _f(descriptor=1, terrain=1),
        "muddy": _f(descriptor=1, water=0.5, terrain=0.5),
        "loan": _f(money=1, noun=1),
        "approved": _f(function=0.5, money=0.3),
        "closed": _f(descriptor=1, money=0.3),
    }


def _map(rows: dict[str, dict[int, float]]) -> np.ndarray:
    """A d_model x D_K projection: rows[feature][column] = weight; everything else 0."""
    m = np.zeros((D_MODEL, D_K))
    for name, cols in rows.items():
        for col, w in cols.items():
            m[FEATURES.index(name), col] = w
    return m


def _recipe() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The documented structure of W_Q, W_K, W_V (h, d_model, d_k) and W_O (h*d_v, d_model)."""
    # Head 0, sense. Query col 0: "which topic?"; col 1: nouns ask "what describes me?".
    q0 = _map({"ambiguous": {0: 2.0}, "noun": {1: 1.0}})
    # Topic words answer col 0; an ambiguous word is weak evidence (-2), so it skips itself.
    topic = {"water": {0: 2.0}, "money": {0: 2.0}, "terrain": {0: 0.5}, "ambiguous": {0: -2.0}}
    k0 = _map({**topic, "descriptor": {1: 0.5}})
    v0 = _map({"water": {0: 1.0}, "money": {1: 1.0}, "terrain": {2: 1.0}, "noun": {3: 1.0}})
    # Head 1, grammar. Descriptors and function words look for nouns; nouns for function words.
    q1 = _map({"descriptor": {0: 1.5}, "function": {0: 1.0}, "noun": {1: 1.0}})
    k1 = _map({"noun": {0: 1.5}, "function": {1: 1.0}})
    v1 = _map({"noun": {0: 1.0}, "descriptor": {1: 1.0}, "function": {2: 1.0}, "terrain": {3: 1.0}})
    # W_O writes each head's value columns back onto the features they came from.
    w_o = np.zeros((HEADS * D_K, D_MODEL))
    targets = (("water", "money", "terrain", "noun"), ("noun", "descriptor", "function", "terrain"))
    for h, names in enumerate(targets):
        for col, name in enumerate(names):
            w_o[h * D_K + col, FEATURES.index(name)] = 1.0
    return np.stack([q0, q1]), np.stack([k0, k1]), np.stack([v0, v1]), w_o


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy, so a frozen dataclass really is frozen."""
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Params:
    """Embeddings and projections: the "learned" part, looking learned thanks to seeded noise."""

    vocab: tuple[str, ...]
    embeddings: np.ndarray  # (len(vocab), d_model)
    W_Q: np.ndarray  # (h, d_model, d_k)
    W_K: np.ndarray  # (h, d_model, d_k)
    W_V: np.ndarray  # (h, d_model, d_v)
    W_O: np.ndarray  # (h * d_v, d_model)

    def embed(self, tokens: Sequence[str]) -> np.ndarray:
        """Look up each token's context-free embedding (rows of X)."""
        missing = [t for t in tokens if t not in self.vocab]
        if missing:
            raise KeyError(f"not in the vocabulary {self.vocab}: {missing}")
        return np.stack([self.embeddings[self.vocab.index(t)] for t in tokens])


def make_params(seed: int = 0, noise: float = 0.1) -> Params:
    """The recipe plus N(0, noise^2) on every entry: structure survives, numbers look real."""
    rng = np.random.default_rng(seed)
    base = _vocab()
    vocab = tuple(base)
    emb = np.stack([base[w] for w in vocab])
    w_q, w_k, w_v, w_o = _recipe()
    return Params(
        vocab,
        _frozen(emb + noise * rng.standard_normal(emb.shape)),
        *(_frozen(m + noise * rng.standard_normal(m.shape)) for m in (w_q, w_k, w_v, w_o)),
    )


@dataclass(frozen=True, eq=False)
class Attention:
    """Every intermediate of multi-head self-attention, indexed [head, row, column]."""

    tokens: tuple[str, ...]
    X: np.ndarray  # (n, d_model) input embeddings
    Q: np.ndarray  # (h, n, d_k)  X @ W_Q[h]
    K: np.ndarray  # (h, n, d_k)  X @ W_K[h]
    V: np.ndarray  # (h, n, d_v)  X @ W_V[h]
    scores: np.ndarray  # (h, n, n)  Q K^T
    scaled: np.ndarray  # (h, n, n)  Q K^T / sqrt(d_k), -inf above the diagonal if causal
    weights: np.ndarray  # (h, n, n)  row softmax of `scaled`
    head_outputs: np.ndarray  # (h, n, d_v)  weights @ V
    concat: np.ndarray  # (n, h * d_v)  heads side by side
    projected: np.ndarray  # (n, d_model)  concat @ W_O
    output: np.ndarray  # (n, d_model)  X + projected if residual, else projected
    causal: bool
    residual: bool

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def d_k(self) -> int:
        return self.Q.shape[-1]

    def top_attended(self, token: str | int, head: int = 0) -> str:
        """The token that `token` (a word or a row index) gives most weight to in `head`."""
        row = self.tokens.index(token) if isinstance(token, str) else token
        return self.tokens[int(np.argmax(self.weights[head, row]))]


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax; -inf entries get weight exactly 0 (each row needs one finite entry)."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def attend(
    X: np.ndarray,
    params: Params,
    tokens: Sequence[str] | None = None,
    causal: bool = False,
    residual: bool = True,
) -> Attention:
    """softmax(Q K^T / sqrt(d_k)) V per head, heads concatenated and projected by W_O."""
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    Q = np.einsum("nd,hdk->hnk", X, params.W_Q)
    K = np.einsum("nd,hdk->hnk", X, params.W_K)
    V = np.einsum("nd,hdk->hnk", X, params.W_V)
    scores = Q @ K.transpose(0, 2, 1)
    scaled = scores / math.sqrt(Q.shape[-1])
    if causal:
        future = np.triu(np.ones((n, n), dtype=bool), k=1)  # j > i
        scaled = np.where(future, -np.inf, scaled)
    weights = softmax_rows(scaled)
    heads = weights @ V
    concat = np.concatenate(list(heads), axis=-1)
    projected = concat @ params.W_O
    output = X + projected if residual else projected
    names = tuple(tokens) if tokens is not None else tuple(f"x{i}" for i in range(n))
    return Attention(
        names,
        X,
        Q,
        K,
        V,
        scores,
        scaled,
        weights,
        heads,
        concat,
        projected,
        output,
        causal,
        residual,
    )


def run(
    tokens: Sequence[str], params: Params, causal: bool = False, residual: bool = True
) -> Attention:
    """Embed a sentence and attend over it."""
    return attend(params.embed(tokens), params, tokens, causal, residual)


def story_sentence() -> tuple[str, ...]:
    """The video's sentence: "bank" is ambiguous until "river" settles it."""
    return ("the", "river", "bank", "was", "steep")


def contrast_sentence() -> tuple[str, ...]:
    """Same word, other sense: here "bank" should look at "loan"."""
    return ("the", "bank", "approved", "the", "loan")


def story(seed: int = 0, causal: bool = False, residual: bool = True) -> Attention:
    """Everything the attention scene draws, for the story sentence."""
    return run(story_sentence(), make_params(seed), causal, residual)


def sense_shift(att: Attention, token: str = "bank") -> tuple[float, float]:
    """(water - money) of `token` before and after attention: which sense the context picked."""
    i = att.tokens.index(token)
    w, m = FEATURES.index("water"), FEATURES.index("money")
    return float(att.X[i, w] - att.X[i, m]), float(att.output[i, w] - att.output[i, m])
