"""Upload a published bundle with the YouTube Data API v3 (optional extra: pip install '.[youtube]').

- OAuth: the installed-app flow with the user's own client secrets file. The token is kept in
  the user's config directory (`click.get_app_dir`), mode 0600 in a 0700 folder, and is never
  printed or logged.
- Scope: `youtube.force-ssl` only. It covers videos.insert and thumbnails.set too, while
  `youtube.upload` alone cannot insert captions (captions.insert accepts force-ssl or
  youtubepartner).
- videos.insert is resumable, retried with exponential backoff and jitter on 500/502/503/504
  and on dropped connections, as in youtube/api-samples' upload_video.py.
- thumbnails.set and captions.insert follow. Their failure (unverified channel: no custom
  thumbnails) is reported and recorded, not fatal: the video is already up, and a rerun of
  `--upload` retries only what is missing (publish/upload.json remembers the video id for this
  master, so a rerun never uploads the same video twice).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from explainers import media

APP = "visual-explainers"
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)
TOKEN_ENV = "EXPLAINERS_YOUTUBE_TOKEN"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_RETRIES = 8
MAX_BACKOFF = 64.0
RECORD = "upload.json"
PRIVACY = ("private", "unlisted", "public")

Progress = Callable[[str], None]


class UploadError(Exception):
    """The upload failed for a reason a retry will not fix (exit code 1)."""


class MissingExtra(UploadError):
    """google-api-python-client / google-auth-oauthlib are not installed."""


class NoClientSecrets(UploadError):
    """No OAuth client secrets file to start the consent with (bad input, exit code 2)."""


def require_extra() -> None:
    """Fail with the install command when the optional `[youtube]` extra is missing."""
    try:
        import google_auth_oauthlib.flow  # noqa: F401
        import googleapiclient.discovery  # noqa: F401
    except ImportError:
        raise MissingExtra("uploading needs the youtube extra: "
                           ".venv/bin/pip install -e '.[youtube]'") from None


def config_dir() -> Path:
    """The user's config directory for this app (~/.config/visual-explainers on Linux)."""
    return Path(click.get_app_dir(APP))


def token_path() -> Path:
    """Where the OAuth token is kept (EXPLAINERS_YOUTUBE_TOKEN overrides)."""
    return Path(os.environ.get(TOKEN_ENV) or config_dir() / "youtube-token.json")


def default_client_secrets() -> Path:
    """A client secrets file the user put in the config directory, if any."""
    return config_dir() / "client_secret.json"


def write_private(path: Path, text: str) -> None:
    """Write a secret: folder 0700, file 0600 from the moment it exists, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_token(path: Path) -> Any | None:
    """Stored credentials with our scopes, refreshed if expired; None when a new consent is needed."""
    from google.auth.exceptions import GoogleAuthError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        granted = data.get("scopes") or []
        # the scopes stored with the token are what was granted (an upload-only token cannot
        # insert captions): check them before the library replaces them with the requested ones
        if not set(SCOPES) <= set(granted):
            return None
        creds = Credentials.from_authorized_user_info(data, granted)
    except (ValueError, OSError, AttributeError):
        return None
    if creds.valid:
        return creds
    if creds.refresh_token:
        try:
            creds.refresh(Request())
        except GoogleAuthError:
            return None  # revoked or expired for good: ask again (the message never shows the token)
        write_private(path, creds.to_json())
        return creds
    return None


def authorize(client_secrets: Path | None, token: Path | None = None, *,
              progress: Progress = lambda line: None) -> Any:
    """Credentials from the stored token, or from the installed-app consent in the browser."""
    require_extra()
    from google_auth_oauthlib.flow import InstalledAppFlow

    token = token or token_path()
    creds = load_token(token)
    if creds is not None:
        return creds
    if client_secrets is None or not client_secrets.is_file():
        shown = client_secrets or default_client_secrets()
        raise NoClientSecrets(
            f"error: no OAuth client secrets at {shown}; create an OAuth client of type "
            "'Desktop app' in Google Cloud Console (YouTube Data API v3 enabled), download its "
            "JSON and pass it with --client-secrets PATH")
    flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), list(SCOPES))
    progress("opening the browser for YouTube consent (a URL is printed if none opens)")
    creds = flow.run_local_server(port=0, open_browser=True,
                                  authorization_prompt_message="Authorize the upload at: {url}",
                                  success_message="Authorized; you can close this tab.")
    write_private(token, creds.to_json())
    progress(f"token saved to {token} (mode 0600)")
    return creds


def service(credentials: Any) -> Any:
    """The YouTube client; discovery comes from the copy inside the library (no request)."""
    require_extra()
    from googleapiclient.discovery import build

    return build("youtube", "v3", credentials=credentials, cache_discovery=False)


def _status(exc: Exception) -> int | None:
    resp = getattr(exc, "resp", None)
    try:
        return int(getattr(resp, "status", 0)) or None
    except (TypeError, ValueError):
        return None


def _reason(exc: Exception) -> str:
    """The API's own one-line reason from an HttpError (never the request, which holds the token)."""
    content = getattr(exc, "content", b"") or b""
    try:
        data = json.loads(content.decode("utf-8", errors="replace"))
        return str(data["error"]["message"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"HTTP {_status(exc)}"


def resumable_upload(request: Any, *, sleep: Callable[[float], None] = time.sleep,
                     jitter: Callable[[], float] = random.random, max_retries: int = MAX_RETRIES,
                     progress: Progress = lambda line: None) -> dict:
    """Drive a resumable MediaUpload request to the end, retrying 5xx and dropped connections."""
    import httplib2
    from googleapiclient.errors import HttpError

    retryable = (httplib2.HttpLib2Error, ConnectionError, TimeoutError)
    retry = 0
    response = None
    while response is None:
        try:
            status, response = request.next_chunk()
            if status is not None:
                progress(f"uploaded {status.progress():.0%}")
            continue
        except HttpError as exc:
            if _status(exc) not in RETRY_STATUSES:
                raise UploadError(f"upload refused: {_reason(exc)}") from None
            error = f"HTTP {_status(exc)}"
        except retryable as exc:
            error = type(exc).__name__
        retry += 1
        if retry > max_retries:
            raise UploadError(f"upload failed after {max_retries} retries ({error})")
        delay = min(MAX_BACKOFF, 2.0**retry) * (0.5 + jitter() / 2)
        progress(f"{error}; retry {retry}/{max_retries} in {delay:.1f} s")
        sleep(delay)
    if not isinstance(response, dict) or "id" not in response:
        raise UploadError(f"upload finished without a video id: {str(response)[:200]}")
    return response


@dataclass
class Record:
    """publish/upload.json: what is on YouTube for which master."""

    video_id: str
    master_sha256: str
    privacy: str
    thumbnail: bool = False
    captions: bool = False

    @property
    def url(self) -> str:
        return f"https://youtu.be/{self.video_id}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_record(folder: Path) -> Record | None:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        return Record(**{k: data[k] for k in ("video_id", "master_sha256", "privacy", "thumbnail",
                                              "captions")})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(folder: Path, record: Record) -> None:
    media.write_json_atomic(folder / RECORD, {**record.__dict__, "url": record.url})


def upload_bundle(youtube: Any, folder: Path, *, privacy: str = "private",
                  sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random,
                  progress: Progress = lambda line: None) -> tuple[Record, list[str]]:
    """Upload the master with its metadata, then set the thumbnail and insert the captions.

    Returns the record and warnings. A master already uploaded (same bytes, per upload.json)
    is not sent again; only a missing thumbnail or caption track is.
    """
    from googleapiclient.errors import HttpError
    from googleapiclient.http import MediaFileUpload

    if privacy not in PRIVACY:
        raise UploadError(f"privacy must be one of {', '.join(PRIVACY)}")
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    files = meta["files"]
    video = folder / files["video"]
    digest = sha256(video)
    warnings: list[str] = []
    record = read_record(folder)
    if record is not None and record.master_sha256 == digest:
        progress(f"{video.name} is already on YouTube: {record.url}")
        if record.privacy != privacy:
            warnings.append(f"privacy stays {record.privacy}; change it in YouTube Studio")
    else:
        body = json.loads(json.dumps(meta["video"]))
        body["status"]["privacyStatus"] = privacy
        progress(f"uploading {video.name} ({video.stat().st_size / 1e6:.1f} MB, {privacy})")
        request = youtube.videos().insert(
            part="snippet,status", body=body, notifySubscribers=privacy == "public",
            media_body=MediaFileUpload(str(video), mimetype="video/mp4", chunksize=-1,
                                       resumable=True))
        response = resumable_upload(request, sleep=sleep, jitter=jitter, progress=progress)
        uploaded_status = response.get("status", {}).get("privacyStatus")
        record = Record(response["id"], digest, uploaded_status or privacy)
        write_record(folder, record)
        progress(f"uploaded: {record.url}")
        if uploaded_status and uploaded_status != privacy:
            warnings.append(f"YouTube set the video {uploaded_status}: uploads from unverified API "
                            "projects stay private until the project passes Google's audit")

    if not record.thumbnail:
        try:
            youtube.thumbnails().set(
                videoId=record.video_id,
                media_body=MediaFileUpload(str(folder / files["thumbnail"]), mimetype="image/jpeg"),
            ).execute(num_retries=3)
            record.thumbnail = True
            progress("thumbnail set")
        except HttpError as exc:
            warnings.append(f"thumbnail not set ({_reason(exc)}); custom thumbnails need a "
                            "verified channel; rerun with --upload to retry")
    if not record.captions:
        try:
            youtube.captions().insert(
                part="snippet",
                body={"snippet": {"videoId": record.video_id, "language": meta["captions"]["language"],
                                  "name": meta["captions"]["name"], "isDraft": False}},
                media_body=MediaFileUpload(str(folder / files["captions"]),
                                           mimetype="application/octet-stream"),
            ).execute(num_retries=3)
            record.captions = True
            progress("captions inserted")
        except HttpError as exc:
            warnings.append(f"captions not inserted ({_reason(exc)}); rerun with --upload to retry")
    write_record(folder, record)
    return record, warnings
