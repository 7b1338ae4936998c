/* Visual Explainers player: one beat per slide, driven by keys, swipes, dots and links.
 *
 * No framework and nothing fetched from the network; works from file:// and over HTTP.
 * The page is usable without this script (every beat as a plain <video>); the script turns it
 * into slides. Captions come from each clip's <track kind="captions"> and are drawn in the
 * frame's empty caption band (below the frame on phones) from the track's active cues. Chromium
 * refuses <track src> on file:// pages, so there the same cues, embedded in the page, go into a
 * script-made text track instead.
 */
(function () {
  "use strict";

  var html = document.documentElement;
  html.classList.remove("no-js");
  html.classList.add("js");
  var EMBED = new URLSearchParams(location.search).get("embed") === "1";
  if (EMBED) html.classList.add("embed");

  var SWIPE_MIN = 40; // px of horizontal travel for a swipe (as reveal.js)
  var TAP_MAX = 10; // px: less than this is a tap (play/pause)
  var ADVANCE_DELAY = 600; // ms on a finished beat before auto-advance moves on

  function stored(key, fallback) {
    try {
      var value = localStorage.getItem(key);
      return value === null ? fallback : value === "1";
    } catch (e) {
      return fallback;
    }
  }

  function store(key, on) {
    try {
      localStorage.setItem(key, on ? "1" : "0");
    } catch (e) {
      /* storage can be off (privacy settings): the choice just is not remembered */
    }
  }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !/^(button|checkbox|radio|range|submit|reset|image|file|color)$/i.test(el.type);
  }

  function Player(root, data) {
    var slides = Array.prototype.slice.call(root.querySelectorAll(".slide"));
    var videos = slides.map(function (s) { return s.querySelector("video"); });
    var dots = Array.prototype.slice.call(root.querySelectorAll(".dot"));
    var ids = data.beats.map(function (b) { return b.id; });
    var n = slides.length;
    var frame = root.querySelector(".frame");
    var box = root.querySelector("[data-role=captions]");
    var endCard = root.querySelector("[data-role=end]");
    var overlay = root.querySelector(".overlay-play");
    var fill = root.querySelector("[data-role=progress]");
    var toggleBtn = root.querySelector("[data-role=toggle]");
    var ccBtn = root.querySelector("[data-role=captions-toggle]");
    var autoBtn = root.querySelector("[data-role=auto-toggle]");
    var fsBtn = root.querySelector("[data-role=fullscreen-toggle]");
    var countEl = root.querySelector("[data-role=count]");
    var titleEl = root.querySelector("[data-role=title]");
    var live = document.querySelector("[data-role=live]");
    var help = document.querySelector("[data-role=help]");
    var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

    var reduced = !!(motionQuery && motionQuery.matches);
    var autoplay = !reduced; // start each clip when its slide is shown
    var auto = stored("vx.auto", !reduced); // move on when a clip ends
    var captionsOn = stored("vx.captions", true);
    var index = -1;
    var state = "paused";
    var tracks = [];
    var advanceTimer = 0;
    var frameRequest = 0;

    function current() { return videos[index]; }

    function setState(next) {
      state = next;
      root.setAttribute("data-state", next);
      var label = next === "playing" ? "Pause" : next === "ended" ? "Replay" : "Play";
      toggleBtn.setAttribute("aria-label", label);
      toggleBtn.title = label + " (Space)";
      overlay.hidden = next !== "paused" || !endCard.hidden;
    }

    function play(video) {
      var promise = video.play();
      if (promise && promise.catch) {
        promise.catch(function () {
          if (video === current()) setState(video.ended ? "ended" : "paused");
        });
      }
    }

    function hideEnd() {
      endCard.hidden = true;
      overlay.hidden = state !== "paused";
    }

    function showEnd() {
      endCard.hidden = false;
      overlay.hidden = true;
    }

    function preload(i) {
      // Only the clip on screen and the next one load (with their posters, the last frames):
      // the next slide then starts at once, and a phone does not fetch the whole explainer.
      [i, i + 1].forEach(function (j) {
        var v = videos[j];
        if (!v) return;
        if (!v.getAttribute("poster") && v.getAttribute("data-poster")) {
          v.setAttribute("poster", v.getAttribute("data-poster"));
        }
        if (v.preload !== "auto") v.preload = "auto";
      });
    }

    function drawProgress() {
      var v = current();
      var total = v.duration || data.beats[index].duration;
      var part = total ? Math.min(1, v.currentTime / total) : 0;
      fill.style.transform = "scaleX(" + part + ")";
      cancelAnimationFrame(frameRequest);
      if (!v.paused && !v.ended) frameRequest = requestAnimationFrame(drawProgress);
    }

    function go(i, opts) {
      opts = opts || {};
      i = Math.max(0, Math.min(n - 1, i));
      clearTimeout(advanceTimer);
      hideEnd();
      if (i === index) return;
      var previous = index;
      index = i;
      if (previous >= 0) videos[previous].pause();
      slides.forEach(function (slide, j) { slide.classList.toggle("is-current", j === i); });
      dots.forEach(function (dot, j) {
        if (j === i) dot.setAttribute("aria-current", "step");
        else dot.removeAttribute("aria-current");
        dot.classList.toggle("is-seen", j < i);
      });
      var beat = data.beats[i];
      countEl.textContent = i + 1 + " / " + n;
      titleEl.textContent = beat.title;
      live.textContent = "Beat " + (i + 1) + " of " + n + ": " + beat.title;
      document.title = beat.title + " (" + (i + 1) + "/" + n + ") · " + data.title;
      if (opts.history !== false) {
        var hash = "#" + encodeURIComponent(beat.id);
        if (location.hash !== hash) {
          // Inside an iframe pushState would fill the embedding page's history: replace there.
          var method = EMBED || opts.replace ? "replaceState" : "pushState";
          try { history[method]({ beat: beat.id }, "", hash); } catch (e) { /* sandboxed */ }
        }
      }
      preload(i);
      updateTracks();
      var v = current();
      if (v.readyState > 0 && v.currentTime !== 0) v.currentTime = 0;
      setState(autoplay ? "playing" : "paused"); // no flash of the play button while it starts
      if (autoplay) play(v);
      drawProgress();
    }

    function next() { go(index + 1); }
    function prev() { go(index - 1); }

    function togglePlay() {
      var v = current();
      clearTimeout(advanceTimer);
      hideEnd();
      if (v.ended) {
        v.currentTime = 0;
        play(v);
      } else if (v.paused) {
        play(v);
      } else {
        v.pause();
      }
    }

    function restart() {
      if (index === 0) {
        hideEnd();
        videos[0].currentTime = 0;
        play(videos[0]);
      } else {
        go(0);
        if (!autoplay) play(current());
      }
    }

    /* ---- captions ---- */

    function makeTracks() {
      var fileMode = location.protocol === "file:";
      tracks = videos.map(function (v, i) {
        var element = v.querySelector("track");
        var track;
        if (!fileMode && element && element.track) {
          track = element.track;
        } else {
          track = v.addTextTrack("captions", "English", "en");
          data.beats[i].cues.forEach(function (c) {
            try { track.addCue(new VTTCue(c[0], c[1], c[2])); } catch (e) { /* no VTTCue */ }
          });
        }
        track.mode = "disabled";
        track.addEventListener("cuechange", function () { if (i === index) drawCues(); });
        return track;
      });
    }

    function updateTracks() {
      tracks.forEach(function (t, j) {
        // Current and next load their cues; the others stay off.
        t.mode = captionsOn && (j === index || j === index + 1) ? "hidden" : "disabled";
      });
      box.hidden = !captionsOn;
      drawCues();
    }

    function drawCues() {
      box.textContent = "";
      var track = tracks[index];
      if (!captionsOn || !track || !track.activeCues) return;
      for (var k = 0; k < track.activeCues.length; k++) {
        if (k) box.appendChild(document.createTextNode("\n"));
        // getCueAsHTML parses WebVTT cue text into inert nodes: text is never markup here.
        box.appendChild(track.activeCues[k].getCueAsHTML());
      }
    }

    function setCaptions(on) {
      captionsOn = on;
      store("vx.captions", on);
      ccBtn.setAttribute("aria-pressed", String(on));
      updateTracks();
    }

    function setAuto(on) {
      auto = on;
      store("vx.auto", on);
      autoBtn.setAttribute("aria-pressed", String(on));
      if (!on) clearTimeout(advanceTimer);
    }

    /* ---- full screen and help ---- */

    function fullscreenElement() {
      return document.fullscreenElement || document.webkitFullscreenElement || null;
    }

    function toggleFullscreen() {
      if (fullscreenElement()) {
        var exit = document.exitFullscreen || document.webkitExitFullscreen;
        if (exit) exit.call(document);
        return;
      }
      var request = root.requestFullscreen || root.webkitRequestFullscreen;
      if (request) {
        var promise = request.call(root);
        if (promise && promise.catch) promise.catch(function () { /* not allowed here */ });
      } else if (current().webkitEnterFullscreen) {
        current().webkitEnterFullscreen(); // iPhone: only the video itself can go full screen
      }
    }

    function onFullscreenChange() {
      fsBtn.setAttribute("aria-label", fullscreenElement() ? "Exit full screen" : "Full screen");
    }

    function toggleHelp() {
      if (!help) return;
      if (help.open) help.close();
      else if (help.showModal) help.showModal();
      else help.setAttribute("open", "");
    }

    /* ---- input ---- */

    function onKey(e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target)) return;
      if (help && help.open) {
        if (e.key === "?") {
          e.preventDefault();
          help.close();
        }
        return; // Escape and Tab belong to the dialog
      }
      switch (e.key) {
        case "ArrowRight": case "ArrowDown": case "PageDown": next(); break;
        case "ArrowLeft": case "ArrowUp": case "PageUp": prev(); break;
        case " ": case "Spacebar": togglePlay(); break;
        case "Home": go(0); break;
        case "End": go(n - 1); break;
        case "f": case "F": toggleFullscreen(); break;
        case "c": case "C": setCaptions(!captionsOn); break;
        case "a": case "A": setAuto(!auto); break;
        case "?": toggleHelp(); break;
        default:
          if (!/^[1-9]$/.test(e.key)) return;
          if (Number(e.key) <= n) go(Number(e.key) - 1);
      }
      e.preventDefault();
    }

    function onClick(e) {
      var target = e.target.closest ? e.target.closest("[data-action]") : null;
      if (!target || !root.contains(target)) return;
      switch (target.getAttribute("data-action")) {
        case "prev": prev(); break;
        case "next": next(); break;
        case "toggle": togglePlay(); break;
        case "go": go(Number(target.getAttribute("data-index"))); break;
        case "captions": setCaptions(!captionsOn); break;
        case "auto": setAuto(!auto); break;
        case "fullscreen": toggleFullscreen(); break;
        case "help": toggleHelp(); break;
        case "restart": restart(); break;
      }
    }

    var press = null;

    function onPointerDown(e) {
      if (!e.isPrimary || (e.pointerType === "mouse" && e.button !== 0)) return;
      if (e.target.closest && e.target.closest("button, a, .end-card")) return;
      press = { x: e.clientX, y: e.clientY, id: e.pointerId };
      try { frame.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
    }

    function onPointerUp(e) {
      if (!press || e.pointerId !== press.id) return;
      var dx = e.clientX - press.x;
      var dy = e.clientY - press.y;
      press = null;
      if (Math.abs(dx) >= SWIPE_MIN && Math.abs(dx) > Math.abs(dy)) {
        if (dx < 0) next();
        else prev();
      } else if (Math.abs(dx) < TAP_MAX && Math.abs(dy) < TAP_MAX) {
        togglePlay();
      }
    }

    function indexFromHash() {
      var id;
      try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return 0; }
      return Math.max(0, ids.indexOf(id));
    }

    function onHistory() { go(indexFromHash(), { history: false }); }

    /* ---- wiring ---- */

    videos.forEach(function (v, i) {
      v.removeAttribute("controls");
      v.muted = true;
      v.addEventListener("playing", function () { if (i === index) { setState("playing"); drawProgress(); } });
      v.addEventListener("pause", function () { if (i === index && !v.ended) setState("paused"); });
      v.addEventListener("seeked", function () { if (i === index) drawProgress(); });
      v.addEventListener("ended", function () {
        if (i !== index) return;
        setState("ended");
        drawProgress();
        if (i === n - 1) showEnd();
        else if (auto) advanceTimer = setTimeout(function () { if (i === index && v.ended) next(); }, ADVANCE_DELAY);
      });
    });
    makeTracks();
    ccBtn.setAttribute("aria-pressed", String(captionsOn));
    autoBtn.setAttribute("aria-pressed", String(auto));
    document.addEventListener("keydown", onKey);
    root.addEventListener("click", onClick);
    frame.addEventListener("pointerdown", onPointerDown);
    frame.addEventListener("pointerup", onPointerUp);
    frame.addEventListener("pointercancel", function () { press = null; });
    window.addEventListener("popstate", onHistory);
    window.addEventListener("hashchange", onHistory);
    document.addEventListener("fullscreenchange", onFullscreenChange);
    document.addEventListener("webkitfullscreenchange", onFullscreenChange);
    if (motionQuery && motionQuery.addEventListener) {
      motionQuery.addEventListener("change", function (e) { autoplay = !e.matches; });
    }
    go(indexFromHash(), { history: false });

    return {
      get index() { return index; },
      get state() { return state; },
      go: go,
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector(".player");
    var source = document.getElementById("vx-data");
    if (root && source) window.vxPlayer = Player(root, JSON.parse(source.textContent));
  });
})();
