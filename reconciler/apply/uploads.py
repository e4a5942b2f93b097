"""Putting one voice's training data where MetaStudio's upload URLs point.

PACKAGE: one zip (a ``dir`` is zipped deterministically first, into a temporary file, so
the upload streams from disk; a zip in object storage streams from its store). SEGMENT:
sentence i's wav and txt, then the confirm call for index i, sentences in parallel. The
authorization letter goes last. URLs refused by the object store (expired, say) are
replaced once through uploading-address-url. Git LFS content is fetched before the change's
first step (data_ready.py), so the files here hold their content.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apply.events import Reporter
from reconciler.config import VoiceSpec
from reconciler.data import build_package
from reconciler.data.remote import RemoteObjects, sha256_field
from reconciler.errors import ReconcilerError
from reconciler.fsutil import file_error, file_errors
from reconciler.metastudio import MetaStudioClient, SignedUrl, UploadUrls

_SENTENCE = re.compile(r"^(\d+)\.wav$")


class Interrupted(ReconcilerError):
    """Stopped between two steps on request (Ctrl-C, SIGTERM); all done so far is recorded."""


@dataclass
class UploadJob:
    client: MetaStudioClient
    voice: VoiceSpec
    job_id: str
    urls: UploadUrls
    reporter: Reporter
    work_dir: Path
    package_prefix: str
    stop: threading.Event
    segment_parallelism: int = 8
    skip_confirmed: bool = False  # resuming the same data: confirmed sentences stay done
    remote: RemoteObjects = field(default_factory=RemoteObjects)

    def run(self) -> None:
        if self.voice.data.remote:
            self._remote_package()
        else:
            self._local()
        self._letter()

    def _local(self) -> None:
        if self.voice.data.kind == "segments":
            self._segments()
        elif self.voice.data.kind == "dir":
            with file_errors("create a temporary directory in", self.work_dir):
                scratch = tempfile.TemporaryDirectory(
                    dir=self.work_dir, prefix=self.package_prefix, ignore_cleanup_errors=True
                )
            # Leaving the block removes the half-written zip whatever went wrong; a failed
            # removal must not hide why the upload stopped.
            with scratch as tmp:
                package = Path(tmp) / "data.zip"
                self._zip(package)
                self._package(package)
        else:
            self._package(self.voice.data.path)

    def _zip(self, package: Path) -> None:
        try:
            with package.open("wb") as out:
                build_package(self.voice.data.path, out)
        except OSError as error:
            # Opening a data file names it; a failed write to the zip names nothing.
            if error.filename is not None and Path(error.filename) != package:
                raise file_error("read training data", Path(error.filename), error) from error
            raise file_error("write training-data package", package, error) from error

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Interrupted(f"{self.voice.address}: stopped before the upload finished")

    def _put(
        self, url: SignedUrl, path: Path, kind: str, label: str, refresh: Callable[[], SignedUrl]
    ) -> None:
        self._check_stop()
        address = self.voice.address
        self.reporter.upload_started(address, label, path.stat().st_size)
        self.client.upload(
            url,
            path,
            kind,
            progress=lambda n: self.reporter.upload_progress(address, label, n),
            refresh=refresh,
        )
        self.reporter.upload_finished(address, label)

    def _fresh(self) -> UploadUrls:
        return self.client.get_upload_urls(self.job_id)

    def _package(self, path: Path) -> None:
        if self.urls.package is None:
            raise ReconcilerError(f"{self.voice.address}: MetaStudio gave no package upload URL")

        def refresh() -> SignedUrl:
            return _need(self._fresh().package, self.voice.address, "package")

        self._put(self.urls.package, path, "package", "training data", refresh)

    def _remote_package(self) -> None:
        """Stream the object from its store to MetaStudio's URL, checked on the way: each
        attempt is a new GET, and a wrong digest cuts the PUT short (data/remote.py)."""
        if self.urls.package is None:
            raise ReconcilerError(f"{self.voice.address}: MetaStudio gave no package upload URL")
        self._check_stop()
        source, address, label = self.voice.data, self.voice.address, "training data"
        size = self.remote.size(source)
        where = self.voice.location_of(sha256_field(source))

        def refresh() -> SignedUrl:
            return _need(self._fresh().package, address, "package")

        self.reporter.upload_started(address, label, size)
        self.client.upload_stream(
            self.urls.package,
            lambda: self.remote.checked(source, size, where),
            size,
            "package",
            progress=lambda n: self.reporter.upload_progress(address, label, n),
            refresh=refresh,
        )
        self.reporter.upload_finished(address, label)

    def _letter(self) -> None:
        letter = self.voice.authorization_letter
        if letter is None:
            return
        url = _need(self.urls.authorization_letter, self.voice.address, "authorization letter")

        def refresh() -> SignedUrl:
            fresh = self._fresh().authorization_letter
            return _need(fresh, self.voice.address, "authorization letter")

        self._put(url, letter, "letter", "authorization letter", refresh)

    def _segments(self) -> None:
        indexes = sentence_indexes(self.voice.data.path)
        if len(self.urls.audio) < len(indexes) or len(self.urls.text) < len(indexes):
            raise ReconcilerError(
                f"{self.voice.address}: MetaStudio offered {len(self.urls.audio)} sentence upload "
                f"URLs for {len(indexes)} sentences"
            )
        done = (
            set(self.client.get_confirmed_segments(self.job_id)) if self.skip_confirmed else set()
        )
        todo = [i for i in indexes if i not in done]
        with ThreadPoolExecutor(max_workers=self.segment_parallelism) as pool:
            # list() re-raises the first failure; the remaining sentences still finish
            list(pool.map(self._sentence, todo))

    def _sentence(self, index: int) -> None:
        folder = self.voice.data.path

        def fresh(kind: str) -> Callable[[], SignedUrl]:
            def refresh() -> SignedUrl:
                urls = self._fresh()
                return (urls.audio if kind == "audio" else urls.text)[index]

            return refresh

        self._put(
            self.urls.audio[index],
            folder / f"{index}.wav",
            "audio",
            f"sentence {index} audio",
            fresh("audio"),
        )
        self._put(
            self.urls.text[index],
            folder / f"{index}.txt",
            "text",
            f"sentence {index} text",
            fresh("text"),
        )
        result = self.client.confirm_segment(self.job_id, index)
        if not result.confirm_result:
            hits = ", ".join(str(i) for i in result.unmatched_index_hit) or "none given"
            raise ReconcilerError(
                f"{self.voice.address}: MetaStudio did not accept sentence {index} "
                f"(unmatched text indexes: {hits}); check that {index}.txt matches {index}.wav"
            )


def sentence_indexes(folder: Path) -> list[int]:
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _SENTENCE.match(p.name)))


def _need(url: SignedUrl | None, address: str, what: str) -> SignedUrl:
    if url is None:
        raise ReconcilerError(f"{address}: MetaStudio gave no upload URL for the {what}")
    return url
