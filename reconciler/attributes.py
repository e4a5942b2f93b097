"""The one table of voice attributes and their roles; every other module reads its role here.

An attribute is one key of a voice's desired spec, which the planner compares with the spec the
state recorded. Its entry says where its value comes from, whether MetaStudio receives it (on
create, again on submit, under which field name), what a change does (nothing remote, replace
the job once submitted, replace it always, upload new data), whether a trained model's asset
can take the change in place, where the state keeps it and whether it is personal data.
Like a Pulumi provider schema marking replaceOnChanges per property, the roles are data, not
branches spread through the planner, apply and the state.

Adding an attribute is one entry here, its VoiceSpec field (config/model.py), its JSON Schema
entry, and its tests; tests/test_attributes.py checks that these agree.

Order matters: it is the order of the create body and of the desired spec, so a saved plan and
a state file keep their bytes. Imports nothing: the config, the state and the planner read it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Source(enum.Enum):
    YAML = "yaml"  # written in the configuration, taken as is
    COMPUTED = "computed"  # derived from another setting
    DIGEST = "digest"  # a digest of the files a setting names


class Sent(enum.Enum):
    NEVER = "never"
    CREATE = "create"  # in the create request only
    CREATE_AND_SUBMIT = "create and submit"  # and again in the submit body


class Replace(enum.Enum):
    """What a change does to the job (Pulumi's replaceOnChanges, Terraform's ForceNew)."""

    NEVER = "never"  # the job stays: a change is only recorded
    # The submit body still carries it; after that no job API does, so a change replaces the
    # job, unless the model is trained and the attribute has an ``update_call``.
    ONCE_SUBMITTED = "once submitted"
    ALWAYS = "always"  # picks the create path or upload mode: even an unsubmitted job goes


class Stored(enum.Enum):
    SPEC = "spec"  # in the state record's ``spec``
    FIELD = "field"  # a field of VoiceRecord of its own, not in its ``spec``


class UpdateCall(enum.Enum):
    """How a trained model's attribute changes in place, without a new job: the value is the
    SDK's name of the operation, which plans show."""

    ASSET = "UpdateDigitalAsset"  # PUT /digital-assets/{asset_id}


YAML, COMPUTED, DIGEST = Source.YAML, Source.COMPUTED, Source.DIGEST
CREATE, BOTH = Sent.CREATE, Sent.CREATE_AND_SUBMIT
NEVER, ALWAYS = Replace.NEVER, Replace.ALWAYS
FIELD = Stored.FIELD
ASSET = UpdateCall.ASSET


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str  # its key in desired specs, plans and state specs; its VoiceSpec field or property
    source: Source
    key: str | None = None  # the configuration key it comes from (dotted); None: ``name``
    api: str | None = None  # its field name in the job API's create and submit bodies
    sent: Sent = Sent.NEVER
    replace: Replace = Replace.ONCE_SUBMITTED
    upload: bool = False  # training data: a change needs a new upload
    # Once the model is trained, a change goes to its asset by this call (the job is kept);
    # None: a submitted job cannot take a change (see ``replace``). Before training, ``replace``
    # decides as for any attribute.
    update_call: UpdateCall | None = None
    asset_field: str | None = None  # its name in the asset API, for ``update_call``
    stored: Stored = Stored.SPEC
    always: bool = False  # in the spec even when unset (None or False); otherwise left out
    personal: bool = False  # stored as a fingerprint, never written or shown in clear
    reported: bool = False  # TrainingJobInfo reports it: import records the job's value

    @property
    def config_key(self) -> str:
        return self.key or self.name

    def in_spec(self, value: object) -> bool:
        """Whether a spec holds this attribute with ``value``: an unset one is left out."""
        return self.always or (value is not None and value is not False)

    @property
    def local(self) -> bool:
        """MetaStudio never sees it: a change is recorded, never acted on remotely."""
        remote = self.sent is not Sent.NEVER or self.upload or self.update_call is not None
        return not remote and self.replace is Replace.NEVER


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("edition", YAML, replace=ALWAYS),
    Attribute(
        "voice_name", YAML, api="voice_name", sent=BOTH, update_call=ASSET, asset_field="asset_name"
    ),
    Attribute("sex", YAML, api="sex", sent=BOTH, reported=True),
    Attribute("language", YAML, api="language", sent=BOTH, reported=True),
    Attribute("tag", YAML, api="tag", sent=BOTH, reported=True, asset_field="tags"),
    Attribute(
        "description",
        YAML,
        api="description",
        sent=BOTH,
        update_call=ASSET,
        asset_field="asset_description",
    ),
    Attribute("phone", YAML, api="phone", sent=BOTH, personal=True),
    Attribute("output_language", YAML, api="output_language", sent=BOTH),
    Attribute("custom_text", YAML, api="custom_text", sent=BOTH),
    Attribute(
        "create_type",
        COMPUTED,
        "data",
        api="create_type",
        sent=CREATE,
        replace=ALWAYS,
        reported=True,
    ),
    Attribute("authorization_letter_digest", DIGEST, "authorization_letter", upload=True),
    Attribute("preview_text", YAML, "preview.text", replace=NEVER),
    Attribute("data_digest", DIGEST, "data", upload=True, stored=FIELD, always=True),
    Attribute(
        "prevent_destroy",
        YAML,
        "lifecycle.prevent_destroy",
        replace=NEVER,
        stored=FIELD,
        always=True,
    ),
    Attribute("keep_asset", YAML, "lifecycle.keep_asset", replace=NEVER, stored=FIELD),
)


def _names(entries: Iterable[Attribute]) -> frozenset[str]:
    return frozenset(a.name for a in entries)


@dataclass(frozen=True)
class Table:
    """The entries, and each role's attributes worked out once: the planner asks per voice.

    Readers look up ``attributes.TABLE`` when they run, not when they are imported, so that a
    test can swap in a table with one role changed and see what follows from it.
    """

    entries: tuple[Attribute, ...]
    by_name: dict[str, Attribute] = field(init=False, repr=False)
    create: tuple[Attribute, ...] = field(init=False, repr=False)  # the create body, in order
    submit_fields: frozenset[str] = field(init=False, repr=False)  # API names
    local: frozenset[str] = field(init=False, repr=False)
    job_shape: frozenset[str] = field(init=False, repr=False)  # Replace.ALWAYS
    training_data: frozenset[str] = field(init=False, repr=False)
    updatable: frozenset[str] = field(init=False, repr=False)  # have an update_call
    own_fields: tuple[Attribute, ...] = field(init=False, repr=False)  # Stored.FIELD
    local_in_spec: tuple[str, ...] = field(init=False, repr=False)
    local_own_fields: tuple[str, ...] = field(init=False, repr=False)
    from_yaml: tuple[Attribute, ...] = field(init=False, repr=False)
    reported: tuple[Attribute, ...] = field(init=False, repr=False)
    personal: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            _check(entry)
        es = self.entries
        roles = {
            "by_name": {a.name: a for a in es},
            "create": tuple(a for a in es if a.sent is not Sent.NEVER),
            "submit_fields": frozenset(a.api for a in es if a.sent is BOTH and a.api),
            "local": _names(a for a in es if a.local),
            "job_shape": _names(a for a in es if a.replace is ALWAYS),
            "training_data": _names(a for a in es if a.upload),
            "updatable": _names(a for a in es if a.update_call is not None),
            "own_fields": tuple(a for a in es if a.stored is FIELD),
            "local_in_spec": tuple(a.name for a in es if a.local and a.stored is Stored.SPEC),
            "local_own_fields": tuple(a.name for a in es if a.local and a.stored is FIELD),
            "from_yaml": tuple(a for a in es if a.source is YAML),
            "reported": tuple(a for a in es if a.reported),
            "personal": _names(a for a in es if a.personal),
        }
        if len(roles["by_name"]) != len(es):
            raise ValueError("attribute names must be unique")
        for name, value in roles.items():
            object.__setattr__(self, name, value)


def _check(a: Attribute) -> None:
    """Roles that contradict each other are refused when the table is built."""
    needs = []
    if (a.sent is not Sent.NEVER) != (a.api is not None):
        needs.append("an API field name exactly when it is sent")
    if a.source is not YAML and a.key is None:
        needs.append("the key of the setting it is computed from")
    if a.update_call is not None and a.replace is ALWAYS:
        needs.append("a replace rule other than ALWAYS, as it is updated in place")
    if a.update_call is not None and a.asset_field is None:
        needs.append("the asset field its update_call sets")
    if a.personal and a.stored is not Stored.SPEC:
        needs.append("to be stored in the spec, where it is fingerprinted")
    if needs:
        raise ValueError(f"attribute {a.name} needs {'; '.join(needs)}")


TABLE = Table(ATTRIBUTES)
