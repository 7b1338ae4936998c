"""The catalog and the player in Debian's Chromium (headless, via Playwright), on the tiny demo render.

One browser for the module and one site build for the session; each test gets a fresh context
(so remembered settings do not leak), and every page must finish without console errors. Debian's
Chromium decodes H.264, so playback is asserted for real (currentTime advancing), not just markup.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from explainers.project import Project
from explainers.site.build import build_site
from explainers.site.serve import serve_in_thread, url_of

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
BEATS = ["intro", "move", "outro"]
HOSTILE = """<img src=x onerror="alert(1)"> & </script><script>alert(2)</script>'"""
TITLES = ["A square appears", "It moves", "Counting to three"]

OpenPage = Callable[..., Page]


@pytest.fixture(scope="session")
def site(demo_project: Project, demo_media: Path) -> Path:
    """The demo site built once from the session's tiny render."""
    build_site(demo_project, "tiny")
    return demo_project.media / "site"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 (a free port) for this module."""
    server, thread = serve_in_thread(site)
    yield url_of(server)
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium; missing is a failure (CI installs it), never a silent skip."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install it with scripts/setup.sh --browser "
                    "(never `playwright install`)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator[OpenPage]:
    """Open a page in a fresh context; afterwards, fail on any console error or page error."""
    contexts, errors = [], []

    def _open(path: str = "demo/index.html", *, phone: bool = False, reduced: bool = False,
              auto: bool = False, url: str | None = None) -> Page:
        context = browser.new_context(**(PHONE if phone else DESKTOP),
                                      reduced_motion="reduce" if reduced else "no-preference")
        contexts.append(context)
        # Auto-advance is remembered in localStorage; off unless a test is about it, so a beat
        # never changes under a test that takes longer than the 2 s clip.
        context.add_init_script(f"try {{ localStorage.setItem('vx.auto', '{int(auto)}') }} catch (e) {{}}")
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.goto(url or base_url + path)
        if "demo/" in (url or path):
            page.wait_for_function("window.vxPlayer !== undefined")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, errors


def current(page: Page):
    """The slide on screen."""
    return page.locator(".slide.is-current")


BEAT_STATE = """() => {
  const q = s => document.querySelector(s);
  const slide = q('.slide.is-current'), dot = q('.dot[aria-current=step]');
  return {shown: document.querySelectorAll('.slide.is-current').length,
          beat: slide && slide.dataset.beat, live: q('[data-role=live]').textContent,
          count: q('[data-role=count]').textContent, title: q('[data-role=title]').textContent,
          dot: dot && dot.dataset.index, hash: location.hash};
}"""


def expect_beat(page: Page, n: int, hash: bool = True) -> None:
    """Beat n (0-based) alone is shown, announced, counted, marked in the dots (and the address)."""
    want = {"shown": 1, "beat": BEATS[n], "live": f"Beat {n + 1} of 3: {TITLES[n]}",
            "count": f"{n + 1} / 3", "title": TITLES[n], "dot": str(n)}
    if hash:
        want["hash"] = f"#{BEATS[n]}"
    check = f"want => {{ const got = ({BEAT_STATE})(); return Object.keys(want).every(k => got[k] === want[k]); }}"
    try:
        page.wait_for_function(check, arg=want, timeout=5000)
    except PlaywrightTimeout:
        pass  # the assertion below shows what differs
    got = page.evaluate(BEAT_STATE)
    assert {k: got[k] for k in want} == want


def video_state(page: Page, index: int | None = None) -> dict:
    """paused, currentTime, readyState, preload of a slide's video (the current one by default)."""
    return page.evaluate(
        """i => { const v = i === null ? document.querySelector('.slide.is-current video')
                                        : document.querySelectorAll('.slide video')[i];
                  return {paused: v.paused, time: v.currentTime, ready: v.readyState,
                          preload: v.preload, ended: v.ended}; }""", index)


def wait_playing(page: Page, past: float = 0.3) -> None:
    """The current clip is really playing: decoding H.264 and its time advancing."""
    page.wait_for_function(
        f"(() => {{ const v = document.querySelector('.slide.is-current video');"
        f" return !v.paused && v.currentTime > {past}; }})()", timeout=5000)


def pause_at(page: Page, seconds: float) -> None:
    """Pause the current clip (Space) and hold it at a time, for deterministic captions."""
    wait_playing(page, 0.05)
    page.keyboard.press("Space")
    expect(page.locator(".player")).to_have_attribute("data-state", "paused")
    page.evaluate(f"document.querySelector('.slide.is-current video').currentTime = {seconds}")


def test_catalog_lists_rendered_topics_and_opens_the_player(open_page: OpenPage,
                                                             tmp_path: Path) -> None:
    for name, phone in (("desktop", False), ("phone", True)):
        page = open_page("index.html", phone=phone)
        cards = page.locator(".card")
        expect(cards).to_have_count(1)
        expect(cards.first.locator(".card-title")).to_have_text("Demo explainer")
        expect(cards.first.locator(".card-summary")).to_have_text(
            "A three-beat topic the tests render at a tiny size")
        expect(cards.first.locator(".card-duration")).to_contain_text("0:06")
        assert page.eval_on_selector(".card img", "img => img.complete && img.naturalWidth") == 256
        page.screenshot(path=tmp_path / f"catalog-{name}.png", full_page=True)
    page.locator(".card").first.click(position={"x": 40, "y": 40})  # anywhere on the card
    page.wait_for_url("**/demo/index.html")
    page.wait_for_function("window.vxPlayer !== undefined")
    expect_beat(page, 0, hash=False)


def test_first_beat_plays_with_its_track_and_the_next_clip_is_preloaded(open_page: OpenPage,
                                                                       tmp_path: Path) -> None:
    page = open_page()
    expect_beat(page, 0, hash=False)
    video = current(page).locator("video")
    assert video.get_attribute("src") == "clips/01-intro.mp4"
    assert video.get_attribute("poster") == "posters/01-intro.png"
    assert page.evaluate("document.createElement('video').canPlayType("
                         "'video/mp4; codecs=\"avc1.640015\"')") == "probably"
    track = video.locator("track")
    assert track.get_attribute("kind") == "captions"
    assert track.get_attribute("srclang") == "en"
    assert track.get_attribute("src") == "captions/01-intro.vtt"
    wait_playing(page)
    expect(page.locator(".player")).to_have_attribute("data-state", "playing")
    # The next clip loads while this one plays; the one after it does not.
    page.wait_for_function("document.querySelectorAll('.slide video')[1].readyState >= 3")
    assert video_state(page, 1)["preload"] == "auto"
    assert video_state(page, 2) == {"paused": True, "time": 0, "ready": 0, "preload": "none",
                                    "ended": False}
    posters = page.eval_on_selector_all(".slide video", "vs => vs.map(v => v.getAttribute('poster'))")
    assert posters == ["posters/01-intro.png", "posters/02-move.png", None]
    # Captions come from the track, in the frame's caption band.
    expect(page.locator("[data-role=captions]")).to_have_text("A blue square appears.")
    assert page.evaluate("document.querySelector('.slide.is-current track').track.mode") == "hidden"
    page.screenshot(path=tmp_path / "player-desktop.png")
    # The next slide starts without waiting for the network: its data is already there.
    page.keyboard.press("ArrowRight")
    wait_playing(page, 0.05)


def test_every_navigation_key(open_page: OpenPage) -> None:
    page = open_page()
    steps = [("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 2), ("ArrowLeft", 1),
             ("ArrowUp", 0), ("ArrowDown", 1), ("PageUp", 0), ("PageDown", 1), ("End", 2),
             ("Home", 0), ("3", 2), ("1", 0), ("2", 1), ("9", 1), ("PageUp", 0)]
    for key, beat in steps:
        page.keyboard.press(key)
        expect_beat(page, beat)


def test_space_plays_and_pauses_once_even_on_a_focused_button(open_page: OpenPage) -> None:
    page = open_page()
    player = page.locator(".player")
    wait_playing(page)
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-state", "paused")
    assert video_state(page)["paused"]
    expect(page.locator(".overlay-play")).to_be_visible()
    expect(page.locator("[data-role=toggle]")).to_have_attribute("aria-label", "Play")
    paused_at = video_state(page)["time"]
    page.wait_for_timeout(300)
    assert video_state(page)["time"] == paused_at
    page.keyboard.press("Space")
    wait_playing(page, paused_at + 0.2)
    expect(page.locator("[data-role=toggle]")).to_have_attribute("aria-label", "Pause")
    # With a control focused, Space still toggles exactly once (no extra click on key-up).
    page.locator("[data-action=next]").focus()
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-state", "paused")
    page.wait_for_timeout(150)
    expect_beat(page, 0, hash=False)
    assert video_state(page)["paused"]


def test_captions_shown_and_toggled_with_c(open_page: OpenPage) -> None:
    page = open_page()
    box = page.locator("[data-role=captions]")
    toggle = page.locator("[data-role=captions-toggle]")
    pause_at(page, 1.0)
    expect(box).to_have_text("A blue square appears.")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("c")
    expect(box).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.querySelector('.slide.is-current track').track.mode") == "disabled"
    page.keyboard.press("C")
    expect(box).to_have_text("A blue square appears.")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    # The button does the same; the choice is remembered across pages.
    toggle.click()
    expect(box).to_be_hidden()
    page.reload()
    page.wait_for_function("window.vxPlayer !== undefined")
    expect(page.locator("[data-role=captions-toggle]")).to_have_attribute("aria-pressed", "false")


def test_auto_advance_and_a_key(open_page: OpenPage) -> None:
    page = open_page(auto=True)
    auto = page.locator("[data-role=auto-toggle]")
    expect(auto).to_have_attribute("aria-pressed", "true")
    wait_playing(page, 0.05)
    page.evaluate("(() => { const v = document.querySelector('.slide.is-current video');"
                  " v.currentTime = v.duration - 0.15; })()")
    expect_beat(page, 1)
    wait_playing(page, 0.05)
    page.keyboard.press("a")
    expect(auto).to_have_attribute("aria-pressed", "false")
    page.evaluate("(() => { const v = document.querySelector('.slide.is-current video');"
                  " v.currentTime = v.duration - 0.15; })()")
    expect(page.locator(".player")).to_have_attribute("data-state", "ended")
    page.wait_for_timeout(1000)
    expect_beat(page, 1)
    expect(page.locator("[data-role=toggle]")).to_have_attribute("aria-label", "Replay")
    # The last beat ends on a card: watch again goes back to the first beat.
    page.keyboard.press("End")
    wait_playing(page, 0.05)
    page.evaluate("(() => { const v = document.querySelector('.slide.is-current video');"
                  " v.currentTime = v.duration - 0.15; })()")
    end = page.locator("[data-role=end]")
    expect(end).to_be_visible()
    end.get_by_role("button", name="Watch again").click()
    expect_beat(page, 0)
    expect(end).to_be_hidden()
    wait_playing(page, 0.05)


def test_f_toggles_full_screen(open_page: OpenPage) -> None:
    page = open_page()
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === document.querySelector('.player')")
    expect(page.locator("[data-role=fullscreen-toggle]")).to_have_attribute(
        "aria-label", "Exit full screen")
    page.keyboard.press("F")
    page.wait_for_function("document.fullscreenElement === null")
    expect(page.locator("[data-role=fullscreen-toggle]")).to_have_attribute(
        "aria-label", "Full screen")


def test_question_mark_opens_the_key_list(open_page: OpenPage, tmp_path: Path) -> None:
    page = open_page()
    help_dialog = page.locator("dialog.help")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    for words in ("Next beat", "Previous beat", "Play / pause", "First / last beat",
                  "Jump to a beat", "Full screen", "Captions on / off", "Auto-advance on / off"):
        expect(help_dialog).to_contain_text(words)
    page.screenshot(path=tmp_path / "help-desktop.png")
    page.keyboard.press("ArrowRight")  # keys belong to the dialog while it is open
    expect_beat(page, 0, hash=False)
    page.keyboard.press("?")
    expect(help_dialog).to_be_hidden()
    page.locator("[data-action=help]").click()
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("ArrowRight")
    expect_beat(page, 1)


def test_keys_are_ignored_while_typing(open_page: OpenPage) -> None:
    page = open_page()
    page.evaluate("""() => { const f = document.createElement('input');
                             f.id = 'field'; document.body.prepend(f); }""")
    page.locator("#field").focus()
    for key in ("ArrowRight", "3", "c", "a", "f", "End", "?", "Space"):
        page.keyboard.press(key)
    assert page.locator("#field").input_value() == "3caf? "
    expect_beat(page, 0, hash=False)
    expect(page.locator("[data-role=captions-toggle]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("dialog.help")).to_be_hidden()
    page.locator("#field").blur()
    page.keyboard.press("ArrowRight")
    expect_beat(page, 1)


def touch_swipe(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A real touch gesture through the DevTools protocol (Chromium makes the pointer events)."""
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for k in range(1, 6):
        x, y = x0 + (x1 - x0) * k / 5, y0 + (y1 - y0) * k / 5
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_swipes_on_a_phone_and_drags_with_a_mouse(open_page: OpenPage, tmp_path: Path) -> None:
    page = open_page(phone=True)
    box = page.locator(".frame").bounding_box()
    assert box is not None and box["width"] == 390  # full-bleed frame on a phone
    y = box["y"] + box["height"] / 2
    touch_swipe(page, (300, y), (120, y + 10))  # left: next
    expect_beat(page, 1)
    touch_swipe(page, (100, y), (300, y - 8))  # right: previous
    expect_beat(page, 0)
    touch_swipe(page, (200, y), (230, y))  # 30 px: too short
    touch_swipe(page, (200, y - 60), (250, y + 60))  # mostly vertical: not a swipe
    page.wait_for_timeout(200)
    expect_beat(page, 0)
    touch_swipe(page, (250, y), (205, y))  # 45 px left: a swipe
    expect_beat(page, 1)
    wait_playing(page, 0.5)
    assert not page.eval_on_selector(".player", "p => p.matches(':focus-visible')")  # no ring on touch
    page.screenshot(path=tmp_path / "player-phone.png")
    # Nothing is cut off on a phone: every control is inside the 390 px viewport.
    for control in page.locator(".bar button").all():
        rect = control.bounding_box()
        assert rect is not None and rect["x"] >= 0 and rect["x"] + rect["width"] <= 390

    desk = open_page()
    frame = desk.locator(".frame").bounding_box()
    assert frame is not None
    cy = frame["y"] + frame["height"] / 2
    desk.mouse.move(frame["x"] + 600, cy)
    desk.mouse.down()
    desk.mouse.move(frame["x"] + 450, cy + 5, steps=5)
    desk.mouse.up()
    expect_beat(desk, 1)
    # A click (no movement) on the video pauses it.
    wait_playing(desk, 0.05)
    desk.mouse.click(frame["x"] + 300, cy)
    expect(desk.locator(".player")).to_have_attribute("data-state", "paused")


def test_deep_links_dots_and_history(open_page: OpenPage, base_url: str) -> None:
    page = open_page("demo/index.html#outro")
    expect_beat(page, 2)
    wait_playing(page, 0.05)
    page.keyboard.press("Home")
    expect_beat(page, 0)
    page.go_back()
    expect_beat(page, 2)
    page.go_forward()
    expect_beat(page, 0)
    page.locator(".dot").nth(1).click()
    expect_beat(page, 1)
    page.locator("[data-action=next]").click()
    expect_beat(page, 2)
    page.locator("[data-action=prev]").click()
    expect_beat(page, 1)
    page.go_back()
    expect_beat(page, 2)
    page.go_back()
    expect_beat(page, 1)
    assert page.title() == "It moves (2/3) · Demo explainer"
    unknown = open_page("demo/index.html#no_such_beat")
    expect_beat(unknown, 0, hash=False)


def test_reduced_motion_turns_off_autoplay_and_auto_advance(open_page: OpenPage) -> None:
    page = open_page(reduced=True, auto=False)
    page.evaluate("localStorage.removeItem('vx.auto')")
    page.reload()
    page.wait_for_function("window.vxPlayer !== undefined")
    expect(page.locator("[data-role=auto-toggle]")).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(600)
    state = video_state(page)
    assert state["paused"] and state["time"] == 0
    expect(page.locator(".player")).to_have_attribute("data-state", "paused")
    expect(page.locator(".overlay-play")).to_be_visible()
    assert current(page).locator("video").get_attribute("poster") == "posters/01-intro.png"
    transition = page.eval_on_selector(".slide.is-current", "s => getComputedStyle(s).transitionDuration")
    assert set(transition.replace("s", "").split(", ")) == {"0"}
    page.locator(".overlay-play").click()
    wait_playing(page, 0.1)


def test_embed_hides_the_page_chrome_and_keeps_history(open_page: OpenPage,
                                                       tmp_path: Path) -> None:
    page = open_page("demo/index.html?embed=1")
    expect(page.locator(".player-header")).to_be_hidden()
    expect(page.locator(".hint")).to_be_hidden()
    expect(page.locator(".player")).to_be_visible()
    length = page.evaluate("history.length")
    page.keyboard.press("ArrowRight")
    expect_beat(page, 1)
    assert page.evaluate("history.length") == length  # an iframe must not fill the host's history
    page.screenshot(path=tmp_path / "embed-desktop.png")


def test_player_works_from_a_file_url(open_page: OpenPage, site: Path) -> None:
    page = open_page(url=(site / "demo" / "index.html").as_uri())
    expect_beat(page, 0, hash=False)
    wait_playing(page)
    # Chromium refuses <track src> on file://; the embedded cues give the same captions.
    pause_at(page, 1.0)
    expect(page.locator("[data-role=captions]")).to_have_text("A blue square appears.")
    page.keyboard.press("ArrowRight")
    expect_beat(page, 1)
    page.go_back()
    expect_beat(page, 0, hash=False)
    page.locator(".back-link").click()
    expect(page.locator(".card")).to_have_count(1)


def test_player_is_focusable_with_a_visible_focus_ring(open_page: OpenPage) -> None:
    page = open_page()
    page.keyboard.press("Tab")  # the back link
    page.keyboard.press("Tab")  # the player
    assert page.evaluate("document.activeElement.classList.contains('player')")
    outline = page.eval_on_selector(".player", "p => getComputedStyle(p).outlineStyle + ' ' + "
                                    "getComputedStyle(p).outlineWidth")
    assert outline == "solid 3px"
    page.keyboard.press("ArrowRight")
    expect_beat(page, 1)


def test_storyboard_text_stays_text_in_the_browser(open_page: OpenPage, demo_media: Path,
                                                   tmp_path: Path) -> None:
    media = tmp_path / "media"
    out = media / "evil" / "tiny"
    shutil.copytree(demo_media / "demo" / "tiny", out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(topic="evil", title=HOSTILE, summary=HOSTILE,
                    beats=[dict(b, title=HOSTILE, narration=HOSTILE) for b in manifest["beats"]])
    (out / "manifest.json").write_text(json.dumps(manifest))
    build_site(Project(tmp_path, tmp_path, media, length_rules=False), "tiny")
    page = open_page(url=(media / "site" / "evil" / "index.html").as_uri())
    page.wait_for_function("window.vxPlayer !== undefined")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pause_at(page, 1.0)
    expect(page.locator("[data-role=captions]")).to_have_text(HOSTILE)
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-role=title]")).to_have_text(HOSTILE)
    expect(page.locator("[data-role=live]")).to_have_text(f"Beat 2 of 3: {HOSTILE}")
    expect(page.locator(".topic-title")).to_have_text(HOSTILE)
    assert page.locator("img[src=x]").count() == 0 and page.locator("script:not([src]):not([type])").count() == 0
    page.goto((media / "site" / "index.html").as_uri())
    expect(page.locator(".card-title")).to_have_text(HOSTILE)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
