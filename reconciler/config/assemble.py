"""From schema-checked documents to one Config: file merging, defaults, cross-field rules.

The schema sees one file at a time and cannot know that `edition` came from `defaults` or
that a voice is also defined in another file; those rules live here, located all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler import attributes
from reconciler.config.diagnostics import Diagnostic, Location, display_path
from reconciler.config.dsn import dsn_problem
from reconciler.config.history import check_moved, check_removed, moved_entries, removed_entries
from reconciler.config.loader import Document, NodePath
from reconciler.config.model import (
    EDITIONS,
    LOCK_NAME,
    OBJECT_STORE_SCHEMES,
    Config,
    ConfiguredVoices,
    DataKind,
    DataSource,
    Provider,
    StateSettings,
    VoiceSpec,
)
from reconciler.regions import region_problem

SINGLE_SECTIONS = ("provider", "state", "defaults")
DATA_KINDS: tuple[DataKind, ...] = ("package", "dir", "segments")
OBJECT_URL = re.compile(r"(s3|obs)://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\x00-\x1f]+")
DEFAULT_STATE_PATH = "reconciler.state.json"
LONG_ONLY_EDITIONS = tuple(e.name for e in EDITIONS.values() if not e.takes_segments)
SEGMENT_EDITIONS = " and ".join(e.name for e in EDITIONS.values() if e.takes_segments)


@dataclass(frozen=True)
class _Field:
    value: Any
    document: Document
    path: NodePath  # inside the document: ("defaults", "edition") or ("voices", n, "edition")

    def location(self, *sub: str) -> Location:
        return self.document.location((*self.path, *sub))


class _Assembler:
    def __init__(self, root_dir: Path, documents: list[Document]) -> None:
        self.root_dir = root_dir
        self.documents = [d for d in documents if isinstance(d.data, dict)]
        self.diagnostics: list[Diagnostic] = []

    def error(self, location: Location, path: str, message: str) -> None:
        self.diagnostics.append(Diagnostic.at(location, path, message))

    def where(self, location: Location) -> str:
        return f"{display_path(location.file, self.root_dir)}:{location.line}:{location.column}"

    def section(self, name: str) -> _Field | None:
        found = [d for d in self.documents if name in d.data]
        for later in found[1:]:
            first = self.where(found[0].location((name,), key=True))
            message = f"{name} is already defined at {first}; define it in one file only"
            self.error(later.location((name,), key=True), name, message)
        return _Field(found[0].data[name], found[0], (name,)) if found else None

    def voices(self) -> dict[str, _Field]:
        voices: dict[str, _Field] = {}
        for document in self.documents:
            entries = document.data.get("voices")
            for name, raw in entries.items() if isinstance(entries, dict) else ():
                here = document.location(("voices", name), key=True)
                if name in voices:
                    first = self.where(voices[name].document.location(("voices", name), key=True))
                    message = f"voice '{name}' is defined twice: here and at {first}"
                    self.error(here, f"voices.{name}", message)
                    continue
                voices[name] = _Field(raw, document, ("voices", name))
        return voices

    def resolve(self, name: str, voice: _Field, defaults: _Field | None) -> dict[str, _Field]:
        fields: dict[str, _Field] = {}
        if defaults is not None and isinstance(defaults.value, dict):
            for key, value in defaults.value.items():
                fields[key] = _Field(value, defaults.document, (*defaults.path, key))
        for key, value in voice.value.items():
            inherited = fields.get(key)
            if key == "checks" and inherited is not None and isinstance(inherited.value, dict):
                # Thresholds merge key by key: a voice relaxes one check, keeps the rest.
                value = {**inherited.value, **value} if isinstance(value, dict) else value
            fields[key] = _Field(value, voice.document, (*voice.path, key))
        for required in ("edition", "data"):
            if required not in fields:
                message = f"missing required field '{required}' (set it here or under defaults)"
                self.error(voice.document.location(voice.path, key=True), f"voices.{name}", message)
        if "data" in fields:
            self.check_data(name, fields["data"])
        edition, data = fields.get("edition"), fields.get("data")
        if (
            edition is not None
            and data is not None
            and edition.value in LONG_ONLY_EDITIONS
            and isinstance(data.value, dict)
            and "segments" in data.value
            and edition.path[0] != data.path[0]  # same mapping: the schema already said so
        ):
            message = (
                f"segments is only for the {SEGMENT_EDITIONS} editions, and this voice is "
                f"{edition.value} (set at {self.where(edition.location())}): "
                "use data.package or data.dir with one long recording"
            )
            self.error(data.location("segments"), f"voices.{name}.data.segments", message)
        return fields

    def check_data(self, name: str, data: _Field) -> None:
        """What the schema cannot say of one file's `data` mapping: which fields go with an
        object-store URL."""
        if not isinstance(data.value, dict):
            return
        kinds = [kind for kind in DATA_KINDS if isinstance(data.value.get(kind), str)]
        if len(kinds) != 1:
            return  # the schema said so
        kind, declared = kinds[0], data.value[kinds[0]]
        path = f"voices.{name}.data"
        if declared.startswith(OBJECT_STORE_SCHEMES):
            if kind != "package":
                message = (
                    f"{kind} must be a local folder; data in object storage is one zip: "
                    "package: s3://BUCKET/KEY.zip"
                )
                self.error(data.location(kind), f"{path}.{kind}", message)
            elif not OBJECT_URL.fullmatch(declared):
                message = "must be s3://BUCKET/KEY.zip or obs://BUCKET/KEY.zip"
                self.error(data.location(kind), f"{path}.{kind}", message)
            return
        for extra in ("sha256", "endpoint"):
            if extra in data.value:
                message = (
                    f"{extra} is only for a package in object storage (s3:// or obs://); "
                    "local data is digested from its bytes"
                )
                self.error(data.location(extra), f"{path}.{extra}", message)

    def check_voice_names(self, resolved: dict[str, dict[str, _Field]]) -> None:
        owners: dict[str, str] = {}
        for name, fields in resolved.items():
            voice_name = fields.get("voice_name")
            if voice_name is None or not isinstance(voice_name.value, str):
                continue
            other = owners.setdefault(voice_name.value, name)
            if other != name:
                message = (
                    f"voice_name {voice_name.value!r} is also used by voice.{other}; "
                    "MetaStudio jobs are matched by voice_name, so each voice needs its own"
                )
                self.error(voice_name.location(), f"voices.{name}.voice_name", message)


def assemble(
    root_dir: Path, documents: list[Document], files: tuple[Path, ...], *, clean: bool
) -> tuple[Config | None, list[Diagnostic]]:
    """Merge the files' documents; build the Config only if nothing anywhere is wrong."""
    assembler = _Assembler(root_dir, documents)
    sections = {name: assembler.section(name) for name in SINGLE_SECTIONS}
    if sections["provider"] is None and assembler.documents:
        message = "missing required field 'provider' (define it in one of the files)"
        first = assembler.documents[0]
        assembler.error(Location(first.file, 1, 1), "provider", message)
    resolved = {
        name: assembler.resolve(name, voice, sections["defaults"])
        for name, voice in sorted(assembler.voices().items())
        if isinstance(voice.value, dict)
    }
    assembler.check_voice_names(resolved)
    moved, removed = moved_entries(assembler.documents), removed_entries(assembler.documents)
    configured = set(resolved)
    check_moved(moved, configured, assembler.error, assembler.where)
    check_removed(removed, moved, configured, assembler.error, assembler.where)
    provider, state = sections["provider"], sections["state"]
    if provider is not None and isinstance(provider.value, dict):
        _check_provider(assembler, provider)
    if state is not None and isinstance(state.value, dict):
        _check_state(assembler, state)
    if not clean or assembler.diagnostics or provider is None:
        return None, assembler.diagnostics
    state_path = state.value.get("path", DEFAULT_STATE_PATH) if state else DEFAULT_STATE_PATH
    settings = _provider(provider.value)
    config = Config(
        root_dir=root_dir,
        files=files,
        provider=settings,
        state_path=root_dir / state_path,
        voices=ConfiguredVoices(
            {
                name: _voice_spec(root_dir, name, fields, settings.region)
                for name, fields in resolved.items()
            }
        ),
        state=_state_settings(state.value if state else {}),
        moved=tuple(moved),
        removed=tuple(removed),
    )
    return config, []


_BACKEND_FIELDS = {
    "local": ("path",),
    "s3": ("bucket", "key", "endpoint", "region"),
    "postgres": ("dsn", "name"),
}


def _check_state(assembler: _Assembler, state: _Field) -> None:
    backend = state.value.get("backend", "local")
    owner = {name: kind for kind, names in _BACKEND_FIELDS.items() for name in names}
    for name in state.value:
        kind = owner.get(name)
        if kind is not None and kind != backend and backend in _BACKEND_FIELDS:
            message = f"{name} is only for backend: {kind}, and this state uses backend: {backend}"
            assembler.error(state.location(name), f"state.{name}", message)
    _check_dsn(assembler, state)


def _check_provider(assembler: _Assembler, provider: _Field) -> None:
    """What the schema cannot say well: the emulator stands alone, iam_endpoint serves the
    region's lookup, and a region alone must be one MetaStudio serves."""
    raw = provider.value
    if "emulator" in raw:
        others = [name for name in ("region", "endpoint", "iam_endpoint") if name in raw]
        if others:
            message = (
                f"emulator and {' and '.join(others)} are mutually exclusive: "
                "the emulator runs in-process"
            )
            assembler.error(provider.location(others[0]), f"provider.{others[0]}", message)
        return
    if "iam_endpoint" in raw and "region" not in raw:
        message = "iam_endpoint needs region: it is where the region's project is looked up"
        assembler.error(provider.location("iam_endpoint"), "provider.iam_endpoint", message)
    region = raw.get("region")
    if isinstance(region, str) and "endpoint" not in raw:
        problem = region_problem(region)
        if problem is not None:
            assembler.error(provider.location("region"), "provider.region", problem)


def _check_dsn(assembler: _Assembler, state: _Field) -> None:
    dsn = state.value.get("dsn")
    problem = dsn_problem(dsn) if isinstance(dsn, str) else None
    if problem is not None:  # refused here, the config is never cached nor used
        assembler.error(state.location("dsn"), "state.dsn", problem)


def _state_settings(raw: dict[str, Any]) -> StateSettings:
    defaults = StateSettings()
    return StateSettings(
        backend=raw.get("backend", defaults.backend),
        bucket=raw.get("bucket"),
        key=raw.get("key", defaults.key),
        endpoint=raw.get("endpoint"),
        region=raw.get("region"),
        dsn=raw.get("dsn"),
        name=raw.get("name", defaults.name),
    )


def _provider(raw: dict[str, Any]) -> Provider:
    known = ("region", "endpoint", "project_id", "app_user_id")
    extra = {key: value for key, value in raw.items() if key not in known}
    return Provider(
        region=raw.get("region"),
        endpoint=raw.get("endpoint"),
        project_id=raw.get("project_id"),
        app_user_id=raw.get("app_user_id"),
        extra=extra,
    )


def _data_source(root_dir: Path, data: dict[str, Any], region: str | None) -> DataSource:
    kind = next(kind for kind in DATA_KINDS if kind in data)
    declared = data[kind]
    if not declared.startswith(OBJECT_STORE_SCHEMES):
        return DataSource(kind, root_dir / declared, declared)
    sha256 = data["sha256"].lower() if "sha256" in data else None
    lock = root_dir / LOCK_NAME if sha256 is None else None
    return DataSource(kind, Path(declared), declared, sha256, data.get("endpoint"), region, lock)


def _voice_spec(
    root_dir: Path, name: str, fields: dict[str, _Field], region: str | None
) -> VoiceSpec:
    values = {key: f.value for key, f in fields.items()}
    locations = {key: f.location() for key, f in fields.items()}
    for parent in ("data", "lifecycle", "preview"):
        for key in values.get(parent, {}):
            locations[f"{parent}.{key}"] = fields[parent].location(key)
    letter = values.get("authorization_letter")
    voice = fields["voice_name"]
    # The attributes taken as written, each from the key the attribute table names; one not
    # written keeps VoiceSpec's default.
    settings = {a.name: _setting(values, a.config_key) for a in attributes.TABLE.from_yaml}
    return VoiceSpec(
        name=name,
        **{key: value for key, value in settings.items() if value is not None},
        data=_data_source(root_dir, values["data"], region),
        authorization_letter=root_dir / letter if letter is not None else None,
        checks=values.get("checks", {}),
        source=voice.document.location(voice.path[:2], key=True),
        field_locations=locations,
    )


def _setting(values: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted key such as "lifecycle.keep_asset"; None when it is not written."""
    value: Any = values
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value
