"""The desired state as frozen values: what the planner compares and apply sends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from reconciler import attributes
from reconciler.addresses import address_of
from reconciler.config.diagnostics import Location
from reconciler.jobtypes import CREATE_PATHS

DataKind = Literal["package", "dir", "segments"]


@dataclass(frozen=True)
class Edition:
    name: str
    job_type: str
    sentence_count: int | None  # None: one long recording only

    @property
    def takes_segments(self) -> bool:
        return self.sentence_count is not None

    @property
    def create_path_segment(self) -> str:
        return CREATE_PATHS[self.job_type]


# "advance" in the API means Premium and "middle" means Advanced (API doc section 0).
EDITIONS: dict[str, Edition] = {
    e.name: e
    for e in (
        Edition("basic", "BASIC", 20),
        Edition("advanced", "MIDDLE", 100),
        Edition("premium", "ADVANCE", None),
        Edition("third-party", "THIRD_PARTY", None),
    )
}


OBJECT_STORE_SCHEMES = ("s3://", "obs://")
LOCK_NAME = "reconciler.lock"  # beside the YAML (data/lock.py reads and writes it)


@dataclass(frozen=True, slots=True)
class DataSource:
    kind: DataKind
    path: Path  # absolute; for object-store data, not a file (see ``remote``)
    declared: str  # as written in the YAML, for messages and plans
    # Object-store data only: the zip's declared sha256 (lowercase hex), the store's endpoint
    # as written, and the provider's region (an obs:// URL's default endpoint and signing).
    sha256: str | None = None
    endpoint: str | None = None
    region: str | None = None
    # Object-store data whose YAML gives no sha256: the reconciler.lock that holds it
    # (data/lock.py ``object_sha256``), read when the sha256 is needed, never cached with
    # the configuration (the lock changes without the YAML).
    lock: Path | None = None

    @property
    def remote(self) -> bool:
        """A zip in object storage (s3:// or obs://), never read by plan."""
        return self.declared.startswith(OBJECT_STORE_SCHEMES)


@dataclass(frozen=True)
class Provider:
    region: str | None = None
    endpoint: str | None = None
    project_id: str | None = None
    app_user_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # emulator, token_env, later keys


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    """One voice as desired. Equality ignores where it was written: moving it is no change.

    What each attribute is for (sent, compared, recorded) is in reconciler/attributes.py.
    """

    name: str
    edition: str
    voice_name: str
    data: DataSource
    sex: str | None = None
    language: str | None = None
    tag: str | None = None
    description: str | None = None
    phone: str | None = field(default=None, repr=False)  # personal data: keep out of logs
    output_language: str | None = None
    custom_text: str | None = None
    authorization_letter: Path | None = None
    prevent_destroy: bool = False
    keep_asset: bool = False  # destroy/replace leave the trained model in the asset library
    preview_text: str | None = None
    # Training-data check thresholds (YAML `checks`): local only, so no change to plan.
    checks: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: Location = field(default=Location(Path()), compare=False)
    # Where each field's value is written (maybe under `defaults`), keyed like "data.dir".
    field_locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)

    @property
    def address(self) -> str:
        return address_of(self.name)

    @property
    def job_type(self) -> str:
        return EDITIONS[self.edition].job_type

    @property
    def create_path_segment(self) -> str:
        return EDITIONS[self.edition].create_path_segment

    @property
    def create_type(self) -> str:
        return "SEGMENT" if self.data.kind == "segments" else "PACKAGE"

    def location_of(self, field_name: str) -> Location:
        return self.field_locations.get(field_name, self.source)

    def api_fields(self) -> dict[str, str]:
        """The create-request body fields (the attribute table's, in its order), None values
        left out."""
        body = {a.api: getattr(self, a.name) for a in attributes.TABLE.create if a.api}
        return {key: value for key, value in body.items() if value is not None}


class VoiceData(NamedTuple):
    """What a voice's digests are made of: enough to tell whether its data changed."""

    name: str
    data: DataSource
    authorization_letter: Path | None


class ConfiguredVoices(Mapping[str, VoiceSpec]):
    """The configured voices by name, read-only, in the configuration's (name) order.

    A cache hit subclasses it to build each spec only when asked for: an apply touching 30
    voices of 100,000 should not pay for the others.
    """

    __slots__ = ("_specs",)

    def __init__(self, specs: Mapping[str, VoiceSpec]) -> None:
        self._specs = dict(specs)

    def __getitem__(self, name: str) -> VoiceSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} voices)"

    def data_index(self) -> Sequence[VoiceData]:
        """Each voice's data and letter, in order, without building the voices' specs."""
        return [VoiceData(n, v.data, v.authorization_letter) for n, v in self._specs.items()]

    def built(self) -> int:
        """How many VoiceSpecs exist as objects: what a cache hit has paid for so far."""
        return len(self._specs)


StateBackendKind = Literal["local", "s3", "postgres"]


@dataclass(frozen=True)
class StateSettings:
    """Where the state lives (the `state` section). Credentials are never here: S3 takes the
    standard AWS chain, PostgreSQL libpq's (PGPASSWORD, ~/.pgpass, PG* variables)."""

    backend: StateBackendKind = "local"
    bucket: str | None = None
    key: str = "reconciler.state.json"
    endpoint: str | None = None
    region: str | None = None
    dsn: str | None = None
    name: str = "default"


@dataclass(frozen=True)
class MovedEntry:
    """One `moved` entry: the voice at address ``source`` is now at ``target``."""

    source: str  # an address, as written: voice.NAME
    target: str
    path: str  # where in its file, for messages: "moved[0]"
    source_at: Location
    target_at: Location


@dataclass(frozen=True)
class RemovedEntry:
    """One `removed` entry: forget the voice at ``source`` (or delete it, ``destroy``)."""

    source: str
    destroy: bool
    path: str  # "removed[0]"
    source_at: Location


@dataclass(frozen=True)
class Config:
    root_dir: Path
    files: tuple[Path, ...]
    provider: Provider
    state_path: Path  # the local backend's file (also where local-only notes go)
    voices: ConfiguredVoices
    state: StateSettings = field(default_factory=StateSettings)
    moved: tuple[MovedEntry, ...] = ()
    removed: tuple[RemovedEntry, ...] = ()
