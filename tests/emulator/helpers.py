"""Signed requests with plain ``requests`` + reconciler.signing, and training-data builders."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler import signing, speechlike
from reconciler.wav import wav_header

AK = "TESTAK0000000000001"
SK = "test-secret-key-0123456789abcdef"
PROJECT = "0f0e0d0c0b0a09080706050403020100"
OTHER_PROJECT = "11111111111111111111111111111111"
TOKEN = "test-token-123"
OTHER_TOKEN = "test-token-other-project"
USER = "voice-training-manage/user"


@dataclass
class Api:
    """A MetaStudio caller signing exactly as the SDK does; knobs exist to break it."""

    base_url: str
    ak: str = AK
    sk: str = SK
    project: str = PROJECT
    session: requests.Session = field(default_factory=requests.Session)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        raw_body: bytes | None = None,
        headers: dict[str, str] | None = None,
        project: str | None = None,
        sign: bool = True,
        now: datetime | None = None,
        sk: str | None = None,
        timeout: float = 10,
    ) -> requests.Response:
        project = project or self.project
        wire_path = f"/v1/{project}/{path}"
        pairs = query or []
        data = raw_body if raw_body is not None else b""
        if body is not None:
            data = json.dumps(body).encode("utf-8")
        sent = {"Content-Type": "application/json", "X-Project-Id": project, **(headers or {})}
        if sign:
            host = urlsplit(self.base_url).netloc
            signing.sign(method, wire_path, pairs, sent, data, self.ak, sk or self.sk, host, now)
        query_string = signing.canonical_query(pairs)
        url = self.base_url + wire_path + (f"?{query_string}" if query_string else "")
        return self.session.request(method, url, data=data, headers=sent, timeout=timeout)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def create(self, edition: str = "basic", **fields: Any) -> dict[str, Any]:
        body = {"voice_name": "demo-voice", "sex": "FEMALE", "language": "CN", **fields}
        result: dict[str, Any] = self.ok("POST", f"{USER}/{edition}-jobs", body=body)
        return result

    def show(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.ok("GET", f"{USER}/jobs/{job_id}")
        return result

    def submit(self, job_id: str, body: Any = None) -> requests.Response:
        return self.call("POST", f"{USER}/jobs/{job_id}", body=body)

    def confirm(self, job_id: str, index: int) -> requests.Response:
        query = [("job_id", job_id), ("index", str(index))]
        return self.call("POST", f"{USER}/training-segment", query=query)


def put(url: str, data: bytes, content_type: str | None, **headers: str) -> requests.Response:
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    return requests.put(url, data=data, headers=sent, timeout=10)


def wav(seconds: float = 1.0, *, channels: int = 1, rate: int = speechlike.RATE) -> bytes:
    """A clean speech-like sentence; in any other format, silence (the format fails first)."""
    if channels == 1 and rate == speechlike.RATE:
        return speechlike.sentence_wav(seconds)
    data_bytes = int(seconds * rate) * channels * 2
    return wav_header(data_bytes, sample_rate=rate, channels=channels) + bytes(data_bytes)


def silence(seconds: float = 1.0) -> bytes:
    """A WAV in the right format holding nothing but digital silence."""
    data_bytes = int(seconds * speechlike.RATE) * 2
    return wav_header(data_bytes, sample_rate=speechlike.RATE) + bytes(data_bytes)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sentence_members(count: int, seconds: float = 0.5, *, language: str = "CN") -> dict[str, bytes]:
    members = {}
    for i in range(count):
        members[f"{i}.wav"] = wav(seconds)
        members[f"{i}.txt"] = speechlike.transcript(i, language).encode()
    return members


def sentence_zip(count: int, **overrides: bytes) -> bytes:
    """``overrides`` replace members by name with dots as underscores: ``_3_wav=...``."""
    members = sentence_members(count)
    for key, data in overrides.items():
        members[key.lstrip("_").replace("_", ".")] = data
    return zip_bytes(members)


def long_zip(sentences: int = 4) -> bytes:
    """One long take of ``sentences`` 6 s sentences with pauses between (about 30 s)."""
    return zip_bytes({"VoiceClone.wav": speechlike.long_take_wav(sentences)})
