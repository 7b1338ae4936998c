"""The YouTube upload against googleapiclient's own HttpMockSequence: never the network.

Each test builds the real client from the discovery document bundled with the library (no
request), feeds it canned HTTP responses in order, and asserts on the requests it sent.
"""

from __future__ import annotations

import datetime
import json
import stat
from pathlib import Path

import pytest

pytest.importorskip("googleapiclient")

from googleapiclient.discovery import build
from googleapiclient.http import HttpMockSequence

from explainers.publish import metadata, youtube
from explainers.publish.cli import PRIVACY

INIT = ({"status": "200", "location": "https://upload.test/session?upload_id=1"}, "")
DONE = ({"status": "200"}, json.dumps({"id": "VID", "status": {"privacyStatus": "private"}}))
THUMB_OK = ({"status": "200"}, json.dumps({"items": [{"default": {"url": "https://i.ytimg.com/x"}}]}))
CAPTION_OK = ({"status": "200"}, json.dumps({"id": "CAP"}))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Token refreshes would go to Google: fail the test instead."""
    from google.auth.transport import requests as transport

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("network request attempted")

    monkeypatch.setattr(transport.Request, "__call__", refuse)


def error(status: int, message: str) -> tuple[dict, str]:
    return ({"status": str(status)}, json.dumps({"error": {"code": status, "message": message}}))


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A publish folder with small stand-in files and real metadata."""
    beats, t = [], 0.0
    for i, s in enumerate([12, 14, 20]):
        beats.append({"id": f"b{i}", "title": f"Step {i}", "start": t, "duration": s})
        t += s
    meta = metadata.build({"title": "Raft <consensus>", "summary": "How servers agree.",
                           "tags": ["raft", "distributed systems"], "duration": t, "beats": beats})
    folder = tmp_path / "publish"
    folder.mkdir()
    (folder / "raft.youtube.mp4").write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(4000))
    (folder / "thumbnail.jpg").write_bytes(b"\xff\xd8\xff\xe0JPEGDATA\xff\xd9")
    (folder / "raft.srt").write_text("1\n00:00:00,250 --> 00:00:02,000\nEvery server starts as a follower.\n")
    (folder / "metadata.json").write_text(json.dumps({
        "video": metadata.video_body(meta),
        "files": {"video": "raft.youtube.mp4", "thumbnail": "thumbnail.jpg", "captions": "raft.srt"},
        "captions": {"language": "en", "name": "English"},
    }))
    return folder


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(folder: Path, responses: list, privacy: str = "private") -> tuple:
    http = HttpMockSequence(list(responses))
    sleeps = Sleeps()
    lines: list[str] = []
    record, warnings = youtube.upload_bundle(build("youtube", "v3", http=http), folder,
                                             privacy=privacy, sleep=sleeps, jitter=lambda: 1.0,
                                             progress=lines.append)
    return record, warnings, http.request_sequence, sleeps, lines


def test_upload_sends_metadata_thumbnail_and_captions(bundle: Path) -> None:
    record, warnings, sent, sleeps, _ = run(bundle, [INIT, DONE, THUMB_OK, CAPTION_OK])
    assert warnings == [] and sleeps == []
    assert (record.video_id, record.thumbnail, record.captions) == ("VID", True, True)

    uri, method, body, headers = sent[0]  # videos.insert, resumable session start
    assert method == "POST" and "/upload/youtube/v3/videos" in uri
    assert "uploadType=resumable" in uri and "part=snippet%2Cstatus" in uri
    assert "notifySubscribers=false" in uri
    sent_body = json.loads(body)
    assert sent_body == {
        "snippet": {"title": "Raft ‹consensus›", "description": sent_body["snippet"]["description"],
                    "tags": ["raft", "distributed systems"], "categoryId": "27",
                    "defaultLanguage": "en", "defaultAudioLanguage": "en"},
        "status": {"privacyStatus": "private", "selfDeclaredMadeForKids": False, "embeddable": True},
    }
    assert "0:00 Step 0\n0:12 Step 1\n0:26 Step 2" in sent_body["snippet"]["description"]
    assert headers["X-Upload-Content-Type"] == "video/mp4"

    uri, method, body, _ = sent[1]  # the bytes, in one chunk, to the session URL
    assert (uri, method) == ("https://upload.test/session?upload_id=1", "PUT")
    assert body.name == str(bundle / "raft.youtube.mp4")  # the file itself, streamed

    uri, method, body, headers = sent[2]  # thumbnails.set
    assert method == "POST" and "/upload/youtube/v3/thumbnails/set" in uri and "videoId=VID" in uri
    assert headers["content-type"] == "image/jpeg" and body == b"\xff\xd8\xff\xe0JPEGDATA\xff\xd9"

    uri, method, body, headers = sent[3]  # captions.insert: multipart snippet + SRT
    assert method == "POST" and "/upload/youtube/v3/captions" in uri and "part=snippet" in uri
    assert headers["content-type"].startswith("multipart/related")
    text = body.decode() if isinstance(body, bytes) else body
    snippet = json.loads(text[text.index("{"): text.index("}}") + 2])
    assert snippet == {"snippet": {"videoId": "VID", "language": "en", "name": "English",
                                   "isDraft": False}}
    assert "00:00:00,250 --> 00:00:02,000\nEvery server starts as a follower." in text

    saved = json.loads((bundle / "upload.json").read_text())
    assert saved["video_id"] == "VID" and saved["url"] == "https://youtu.be/VID"
    assert saved["master_sha256"] == youtube.sha256(bundle / "raft.youtube.mp4")


def test_5xx_is_retried_with_backoff(bundle: Path) -> None:
    status_query = ({"status": "308"}, "")  # nothing received yet: start the bytes again
    responses = [INIT, error(503, "Backend Error"), status_query, error(500, "oops"), status_query,
                 DONE, THUMB_OK, CAPTION_OK]
    record, warnings, sent, sleeps, lines = run(bundle, responses)
    assert record.video_id == "VID" and warnings == []
    assert sleeps == [2.0, 4.0]  # exponential (jitter pinned to its maximum)
    assert [m for _, m, _, _ in sent[:6]] == ["POST", "PUT", "PUT", "PUT", "PUT", "PUT"]
    assert sent[2][3]["Content-Range"] == f"bytes */{(bundle / 'raft.youtube.mp4').stat().st_size}"
    assert any("HTTP 503; retry 1/" in line for line in lines)


def test_4xx_is_not_retried(bundle: Path) -> None:
    with pytest.raises(youtube.UploadError, match="upload refused: The request metadata is invalid"):
        run(bundle, [INIT, error(400, "The request metadata is invalid")])
    assert not (bundle / "upload.json").exists()


def test_gives_up_after_max_retries(bundle: Path) -> None:
    http = HttpMockSequence([INIT] + [error(502, "bad gateway"), ({"status": "308"}, "")] * 3)
    request = build("youtube", "v3", http=http).videos().insert(
        part="snippet", body={}, media_body=youtube_media(bundle))
    sleeps = Sleeps()
    with pytest.raises(youtube.UploadError, match="after 2 retries"):
        youtube.resumable_upload(request, sleep=sleeps, jitter=lambda: 0.0, max_retries=2)
    assert sleeps == [1.0, 2.0]


def youtube_media(bundle: Path) -> object:
    from googleapiclient.http import MediaFileUpload

    return MediaFileUpload(str(bundle / "raft.youtube.mp4"), mimetype="video/mp4", chunksize=-1,
                           resumable=True)


def test_thumbnail_refusal_is_a_warning_and_a_rerun_finishes_the_job(bundle: Path) -> None:
    record, warnings, _, _, _ = run(
        bundle, [INIT, DONE, error(403, "The authenticated user doesnt have permissions to upload "
                                        "and set custom video thumbnails."), CAPTION_OK])
    assert (record.thumbnail, record.captions) == (False, True)
    assert len(warnings) == 1 and "thumbnail not set" in warnings[0] and "verified" in warnings[0]

    # Rerun: the same master is not uploaded again; only the thumbnail is sent.
    record, warnings, sent, _, lines = run(bundle, [THUMB_OK])
    assert record.thumbnail and record.video_id == "VID" and warnings == []
    assert len(sent) == 1 and "/thumbnails/set" in sent[0][0]
    assert any("already on YouTube: https://youtu.be/VID" in line for line in lines)

    # Nothing left to do: no request at all.
    _, _, sent, _, _ = run(bundle, [])
    assert sent == []


def test_forced_private_is_reported(bundle: Path) -> None:
    record, warnings, sent, _, _ = run(bundle, [INIT, DONE, THUMB_OK, CAPTION_OK], privacy="public")
    assert json.loads(sent[0][2])["status"]["privacyStatus"] == "public"
    assert "notifySubscribers=true" in sent[0][0]
    assert record.privacy == "private"  # what YouTube actually set
    assert any("unverified API projects stay private" in w for w in warnings)


def test_token_is_private(tmp_path: Path) -> None:
    token = tmp_path / "cfg" / "visual-explainers" / "youtube-token.json"
    youtube.write_private(token, '{"token": "x"}')
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert stat.S_IMODE(token.parent.stat().st_mode) == 0o700
    youtube.write_private(token, '{"token": "y"}')  # replaced, still private
    assert stat.S_IMODE(token.stat().st_mode) == 0o600 and "y" in token.read_text()
    assert [p.name for p in token.parent.iterdir()] == ["youtube-token.json"]


def test_token_lives_in_the_user_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(youtube.TOKEN_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = youtube.token_path()
    assert path.name == "youtube-token.json" and "visual-explainers" in path.parts
    assert str(path).startswith(str(tmp_path))


def test_consent_flow_stores_the_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stored token: the installed-app flow runs with the force-ssl scope; its token is saved 0600."""
    from google.oauth2.credentials import Credentials
    from google_auth_oauthlib import flow as oauth_flow

    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "SECRET-CLIENT",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"]}}))
    asked = {}

    def fake_run_local_server(self: object, **kwargs: object) -> Credentials:
        asked["scopes"] = self.oauth2session.scope
        asked["kwargs"] = kwargs
        return Credentials("ya29.SECRET-ACCESS", refresh_token="1//SECRET-REFRESH",
                           token_uri="https://oauth2.googleapis.com/token",
                           client_id="cid.apps.googleusercontent.com", client_secret="SECRET-CLIENT",
                           scopes=list(youtube.SCOPES), expiry=datetime.datetime(2999, 1, 1))

    monkeypatch.setattr(oauth_flow.InstalledAppFlow, "run_local_server", fake_run_local_server)
    token = tmp_path / "cfg" / "youtube-token.json"
    lines: list[str] = []
    creds = youtube.authorize(secrets, token, progress=lines.append)
    assert creds.refresh_token == "1//SECRET-REFRESH"
    assert asked["scopes"] == ["https://www.googleapis.com/auth/youtube.force-ssl"]
    assert asked["kwargs"]["port"] == 0
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "1//SECRET-REFRESH"
    assert not any("SECRET" in line for line in lines)

    # Next time the stored token is used (it is valid: no flow, no request)
    monkeypatch.setattr(oauth_flow.InstalledAppFlow, "run_local_server",
                        lambda *a, **k: pytest.fail("consent asked again"))
    again = youtube.authorize(secrets, token)
    assert (again.token, again.refresh_token) == ("ya29.SECRET-ACCESS", "1//SECRET-REFRESH")


def test_token_with_narrower_scope_asks_again(tmp_path: Path) -> None:
    token = tmp_path / "t.json"
    youtube.write_private(token, json.dumps({
        "token": "a", "refresh_token": "r", "client_id": "c", "client_secret": "s",
        "scopes": ["https://www.googleapis.com/auth/youtube.upload"],
        "expiry": "2999-01-01T00:00:00Z"}))
    assert youtube.load_token(token) is None  # youtube.upload cannot insert captions


def test_missing_client_secrets_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(youtube.NoClientSecrets, match="--client-secrets"):
        youtube.authorize(tmp_path / "nope.json", tmp_path / "token.json")


def test_privacy_choices_agree() -> None:
    assert PRIVACY == youtube.PRIVACY
