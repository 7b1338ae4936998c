"""Where things live: the topic catalog, storyboard and scene folders, output folders, qualities."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from explainers.storyboard import (
    BEAT_ID,
    TOPIC_ID,
    Problem,
    Storyboard,
    StoryboardError,
    check_scene_methods,
    display_path,
    load,
)

ROOT = Path(__file__).resolve().parents[2]
# Where render workers keep laid-out text between runs (see kit.text.typeset).
TEXT_CACHE_ENV = "EXPLAINERS_TEXT_CACHE"

# The catalog, in the seed's order (contract: ids and order).
CATALOG: tuple[tuple[str, str], ...] = (
    ("rate-limiting", "Rate Limiting Algorithms"),
    ("cap-theorem", "CAP Theorem"),
    ("heartbeat", "Heartbeat & Failure Detection"),
    ("quorum", "Majority Quorum"),
    ("lamport-clock", "Lamport Clock"),
    ("gossip", "Gossip Protocol"),
    ("circuit-breaker", "Circuit Breaker"),
    ("consistent-hashing", "Consistent Hashing"),
    ("raft", "Raft Consensus Algorithm"),
    ("kafka-partitioning", "Kafka Topic Partitioning"),
    ("eventual-consistency", "Eventual Consistency"),
    ("backpropagation", "Backpropagation"),
    ("write-ahead-log", "Write-Ahead Log (WAL)"),
    ("consumer-rebalancing", "Consumer Group Rebalancing"),
    ("producer-acks", "Producer Acknowledgments"),
    ("attention", "Attention Mechanism"),
    ("two-phase-commit", "Two-Phase Commit (2PC)"),
    ("exactly-once", "Exactly-Once Semantics"),
    ("log-compaction", "Log Compaction"),
    ("tokenization", "Tokenization & Embeddings"),
)


@dataclass(frozen=True)
class Quality:
    """An output size; `tiny` exists for tests and is not part of the published contract."""

    name: str
    width: int
    height: int
    fps: int


QUALITIES: dict[str, Quality] = {
    q.name: q
    for q in (
        Quality("tiny", 256, 144, 10),
        Quality("preview", 854, 480, 15),
        Quality("720p", 1280, 720, 30),
        Quality("1080p", 1920, 1080, 60),
        Quality("4k", 3840, 2160, 60),
    )
}
PUBLIC_QUALITIES = ("preview", "720p", "1080p", "4k")
DEFAULT_QUALITY = "1080p"


class UnknownTopic(Exception):
    """A topic id that has no storyboard here."""


@dataclass(frozen=True)
class Project:
    """The folders one run works with; tests point these at the demo topic."""

    storyboards: Path = ROOT / "storyboards"
    scenes: Path = ROOT / "scenes"
    media: Path = ROOT / "media"
    length_rules: bool = True

    @classmethod
    def from_env(cls) -> Project:
        """Folders from EXPLAINERS_* variables, defaulting to this checkout (workers inherit them)."""
        env = os.environ
        return cls(
            storyboards=Path(env.get("EXPLAINERS_STORYBOARDS", ROOT / "storyboards")),
            scenes=Path(env.get("EXPLAINERS_SCENES", ROOT / "scenes")),
            media=Path(env.get("EXPLAINERS_MEDIA", ROOT / "media")),
            length_rules=env.get("EXPLAINERS_RELAX_LENGTH", "") not in ("1", "true", "yes"),
        )

    def env(self) -> dict[str, str]:
        """Environment that makes a child process see the same project."""
        return {
            "EXPLAINERS_STORYBOARDS": str(self.storyboards),
            "EXPLAINERS_SCENES": str(self.scenes),
            "EXPLAINERS_MEDIA": str(self.media),
            "EXPLAINERS_RELAX_LENGTH": "" if self.length_rules else "1",
            TEXT_CACHE_ENV: str(self.media / ".cache" / "text"),
        }

    def topics(self) -> list[str]:
        """Topics with a storyboard: catalog ones in the seed's order, then any others by name."""
        found = (
            {p.stem for p in self.storyboards.glob("*.toml")}
            if self.storyboards.is_dir()
            else set()
        )
        ordered = [t for t, _ in CATALOG if t in found]
        return ordered + sorted(found - set(ordered))

    def check_topic(self, topic: str) -> None:
        """Refuse ids that are not slugs (before any path is built) or have no storyboard."""
        if not TOPIC_ID.fullmatch(topic) or len(topic) > 64:
            raise UnknownTopic(f"invalid topic id {topic!r}: use lowercase letters, digits and '-'")
        if topic not in self.topics():
            available = ", ".join(self.topics()) or "none"
            raise UnknownTopic(f"unknown topic '{topic}'; available: {available}")

    def storyboard_path(self, topic: str) -> Path:
        """The TOML file of a topic."""
        return self.storyboards / f"{topic}.toml"

    def scene_path(self, topic: str) -> Path:
        """The scene module of a topic (ids use '-', modules '_')."""
        return self.scenes / f"{topic.replace('-', '_')}.py"

    def out_dir(self, topic: str, quality: str) -> Path:
        """media/<topic>/<quality>/ (contract)."""
        return self.media / topic / quality

    def load_storyboard(self, topic: str) -> Storyboard:
        """Validated storyboard of a topic."""
        self.check_topic(topic)
        return load(self.storyboard_path(topic), length_rules=self.length_rules)

    def validate(
        self, topic: str, *, imported_before: bool = False
    ) -> tuple[Storyboard | None, list[Problem]]:
        """The storyboard and every problem with it or with its scene's beat methods.

        The scene is imported to find its methods, unless `imported_before` (a worker imported
        this exact scene and everything it imports): then its source is read, and imported only
        if what it says does not match the storyboard, for the exact problems.
        """
        path = self.storyboard_path(topic)
        try:
            board = load(path, length_rules=self.length_rules)
        except StoryboardError as exc:
            return None, exc.problems
        scene_file = self.scene_path(topic)
        if not scene_file.is_file():
            return board, [
                Problem(display_path(path), f"no scene module {display_path(scene_file)}")
            ]
        if imported_before:
            methods = beat_methods_in_source(scene_file)
            if methods is not None and not check_scene_methods(board, methods, ""):
                return board, []
        try:
            cls = scene_class(scene_file)
        except SceneLoadError as exc:
            return board, [Problem(display_path(scene_file), str(exc))]
        methods = {n for n, _ in inspect.getmembers(cls, callable) if n.startswith("beat_")}
        return board, check_scene_methods(board, methods, display_path(scene_file))


def beat_methods_in_source(path: Path) -> set[str] | None:
    """`beat_` methods of the one ExplainerScene subclass in a scene file, read without importing
    it (None when the source does not say plainly)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    scenes = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(b, ast.Name) and b.id == "ExplainerScene")
            or (isinstance(b, ast.Attribute) and b.attr == "ExplainerScene")
            for b in node.bases
        )
    ]
    if len(scenes) != 1:
        return None
    return {
        f.name
        for f in scenes[0].body
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name.startswith("beat_")
    }


class SceneLoadError(Exception):
    """The scene module could not be imported or holds no ExplainerScene."""


def import_scene_module(path: Path) -> ModuleType:
    """Import a scene file by path, once per process."""
    name = f"explainers_scene_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SceneLoadError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise SceneLoadError(f"importing the scene failed: {type(exc).__name__}: {exc}") from exc
    return module


def scene_class(path: Path) -> type:
    """The ExplainerScene subclass defined in a scene file."""
    from explainers.scene import ExplainerScene

    module = import_scene_module(path)
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, ExplainerScene)
        and obj is not ExplainerScene
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise SceneLoadError(f"expected one ExplainerScene subclass, found {len(found)}")
    return found[0]


def valid_beat_id(beat_id: str) -> bool:
    """Beat ids become file and method names: check before building a path."""
    return bool(BEAT_ID.fullmatch(beat_id)) and len(beat_id) <= 64
