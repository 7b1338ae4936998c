"""Title, description, chapters and tags within YouTube's limits (reference/publishing.md §2, §5).

Limits: title ≤ 100 characters, description ≤ 5000 bytes, tags ≤ 500 characters counted as
YouTube counts them (a comma between tags, quotes around a tag with a space), no `<` or `>`
anywhere. Chapters: first at 0:00, at least 3, each at least 10 s, ascending; when the beats
cannot give that, the description carries no chapters (YouTube would ignore or reject them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from explainers.captions import timestamp

TITLE_CHARS = 100
DESCRIPTION_BYTES = 5000
TAGS_CHARS = 500
MIN_CHAPTERS = 3
MIN_CHAPTER_SECONDS = 10
CATEGORY_EDUCATION = "27"
LANGUAGE = "en"
FORBIDDEN = {"<": "‹", ">": "›"}  # the API rejects angle brackets in titles, descriptions, tags


def clean_markup(text: str) -> str:
    """Angle brackets replaced by look-alikes the API accepts."""
    for bad, good in FORBIDDEN.items():
        text = text.replace(bad, good)
    return text


def clean(text: str) -> str:
    """Angle brackets replaced by look-alikes the API accepts; whitespace collapsed."""
    return " ".join(clean_markup(text).split())


def fit_title(title: str, limit: int = TITLE_CHARS) -> str:
    """At most `limit` characters, cut at a word with an ellipsis when longer."""
    title = clean(title)
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def tag_cost(tag: str) -> int:
    """Characters a tag counts for: quoted when it holds a space."""
    return len(tag) + (2 if " " in tag else 0)


def tags_length(tags: list[str]) -> int:
    """YouTube's count for the whole list: tags plus the commas between them."""
    return sum(tag_cost(t) for t in tags) + max(0, len(tags) - 1)


def fit_tags(tags: list[str], limit: int = TAGS_CHARS) -> tuple[list[str], list[str]]:
    """(kept, dropped): cleaned, duplicates removed, in order, as many as fit in `limit`."""
    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = clean(raw).replace(",", " ").strip()
        tag = " ".join(tag.split())
        if not tag or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        if tags_length([*kept, tag]) <= limit:
            kept.append(tag)
        else:
            dropped.append(tag)
    return kept, dropped


@dataclass(frozen=True)
class Chapter:
    """One chapter line: whole seconds as YouTube reads them, and the title."""

    start: int
    title: str

    def line(self) -> str:
        return f"{timestamp(self.start)} {self.title}"


def chapter_list(beats: list[dict]) -> list[Chapter]:
    """One chapter per beat at its start, truncated to whole seconds as the description shows it."""
    return [Chapter(int(b["start"]), clean(b["title"])) for b in beats]


def chapter_problems(chapters: list[Chapter], duration: float) -> list[str]:
    """Why YouTube would not show these chapters (empty when it would)."""
    problems = []
    if len(chapters) < MIN_CHAPTERS:
        problems.append(f"{len(chapters)} chapter(s), YouTube needs at least {MIN_CHAPTERS}")
    if chapters and chapters[0].start != 0:
        problems.append(f"the first chapter starts at {timestamp(chapters[0].start)}, not 0:00")
    ends = [c.start for c in chapters[1:]] + [int(duration)]
    short = []
    for chapter, end in zip(chapters, ends):
        if end <= chapter.start:
            problems.append(f"chapter '{chapter.title}' at {timestamp(chapter.start)} is not in ascending order")
        elif end - chapter.start < MIN_CHAPTER_SECONDS:
            short.append(f"'{chapter.title}' {end - chapter.start} s")
    if short:
        problems.append(f"YouTube needs chapters of at least {MIN_CHAPTER_SECONDS} s: {', '.join(short)}")
    return problems


@dataclass
class Metadata:
    """Everything the upload sends besides files, plus what was changed to fit the limits."""

    title: str
    description: str
    tags: list[str]
    chapters: list[Chapter]
    warnings: list[str] = field(default_factory=list)

    def limits(self) -> dict[str, str]:
        """Each limit with the value reached, for metadata.json and the summary line."""
        return {
            "title_chars": f"{len(self.title)}/{TITLE_CHARS}",
            "description_bytes": f"{len(self.description.encode())}/{DESCRIPTION_BYTES}",
            "tags_chars": f"{tags_length(self.tags)}/{TAGS_CHARS}",
        }

    def problems(self) -> list[str]:
        """Broken limits (empty for anything `build` returns; tests and the upload re-check)."""
        out = []
        if len(self.title) > TITLE_CHARS or not self.title:
            out.append(f"title has {len(self.title)} characters (1-{TITLE_CHARS})")
        if len(self.description.encode()) > DESCRIPTION_BYTES:
            out.append(f"description has {len(self.description.encode())} bytes (max {DESCRIPTION_BYTES})")
        if tags_length(self.tags) > TAGS_CHARS:
            out.append(f"tags count {tags_length(self.tags)} characters (max {TAGS_CHARS})")
        for name, text in (("title", self.title), ("description", self.description),
                           ("tags", ",".join(self.tags))):
            if "<" in text or ">" in text:
                out.append(f"{name} contains < or >")
        return out


def describe(summary: str, chapters: list[Chapter], limit: int = DESCRIPTION_BYTES) -> str:
    """Summary, then the chapter lines; the summary is shortened if the whole would not fit."""
    tail = "" if not chapters else "\n\nChapters\n" + "\n".join(c.line() for c in chapters)
    tail += "\n"
    text = clean(summary)
    budget = limit - len(tail.encode())
    if len(text.encode()) > budget:
        cut = text.encode()[: max(0, budget - len("…".encode()))].decode(errors="ignore")
        text = cut.rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return text + tail


def build(manifest: dict) -> Metadata:
    """Metadata for a rendered topic's manifest, with a warning for everything adjusted."""
    warnings: list[str] = []
    title = fit_title(manifest["title"])
    if title != manifest["title"]:
        warnings.append(f"title adjusted for YouTube: {title!r}")
    chapters = chapter_list(manifest["beats"])
    problems = chapter_problems(chapters, float(manifest["duration"]))
    if problems:
        warnings.append("no chapters in the description: " + "; ".join(problems))
        chapters = []
    description = describe(manifest.get("summary", ""), chapters)
    tags, dropped = fit_tags([*manifest.get("tags", [])])
    if dropped:
        warnings.append(f"tags over {TAGS_CHARS} characters left out: {', '.join(dropped)}")
    return Metadata(title, description, tags, chapters, warnings)


def shorts_title(title: str) -> str:
    """The Shorts upload title: `#Shorts` appended when it fits (a legacy hint, harmless)."""
    suffixed = f"{title} #Shorts"
    return suffixed if len(suffixed) <= TITLE_CHARS else title


def video_body(meta: Metadata, privacy: str = "private") -> dict:
    """The `videos.insert` request body (part=snippet,status)."""
    return {
        "snippet": {
            "title": meta.title,
            "description": meta.description,
            "tags": meta.tags,
            "categoryId": CATEGORY_EDUCATION,
            "defaultLanguage": LANGUAGE,
            "defaultAudioLanguage": LANGUAGE,
        },
        "status": {
            "privacyStatus": privacy,
            "selfDeclaredMadeForKids": False,
            "embeddable": True,
        },
    }
