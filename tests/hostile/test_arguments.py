"""Options anywhere on the command line, numbers range-checked, identifiers checked before use."""

from __future__ import annotations

import json

import pytest

from reconciler.config import Config
from reconciler.embedded import embedded_clients
from reconciler.metastudio import MetaStudioError
from reconciler.operations.clients import ClientFactory, emulator_dir
from reconciler.operations.workspace import Workspace
from tests.hostile.conftest import Project, assert_clean_error


def test_options_may_come_between_positionals_and_the_path_last(applied: Project) -> None:
    # Run from elsewhere, so that the trailing PATH is what finds the project.
    elsewhere = applied.root.parent
    path = str(applied.root)
    shown = applied.run("state", "show", "voice.a", "--format", "json", path, cwd=elsewhere)
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["address"] == "voice.a"

    plan = applied.run("plan", "--refresh=false", path, "--no-color", cwd=elsewhere)
    assert plan.code == 0 and "No changes" in plan.out, plan.err

    job = applied.state()["voices"]["a"]["job_id"]
    imported = applied.run("import", "voice.a", job, "--lock-timeout", "1", path, cwd=elsewhere)
    assert_clean_error(imported, f"voice.a already records job {job}: nothing to import")

    preview = applied.run("preview", "voice.a", "--out", "pv", path, cwd=elsewhere)
    assert_clean_error(preview, "--text is required")

    removed = applied.run("state", "rm", "voice.a", "--lock-timeout", "1", path, cwd=elsewhere)
    assert removed.code == 0, removed.err
    assert "voice.a" not in applied.state()["voices"] and "b" in applied.state()["voices"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("plan", "--lock-timeout", "nan"), "argument --lock-timeout: expected a finite number"),
        (("plan", "--lock-timeout", "inf"), "argument --lock-timeout: expected a finite number"),
        (("plan", "--lock-timeout", "-1"), "argument --lock-timeout: must be at least 0"),
        (("plan", "--lock-timeout", "1e300"), "argument --lock-timeout: must be at most"),
        (("plan", "--lock-timeout", "soon"), "argument --lock-timeout: expected a number"),
        (("status", "--wait", "--timeout", "nan"), "argument --timeout: expected a finite"),
        (("status", "--wait", "--poll-interval", "0"), "argument --poll-interval: must be more"),
        (("apply", "--parallelism", "-3"), "argument --parallelism: must be from 1 to 64"),
        (("apply", "--parallelism", "0"), "argument --parallelism: must be from 1 to 64"),
        (("apply", "--parallelism", "9" * 5000), "argument --parallelism: expected a whole"),
        (("destroy", "--parallelism", "1.5"), "argument --parallelism: expected a whole number"),
        (("apply", "--wait", "--timeout=-inf"), "argument --timeout: expected a"),
        (("apply", "--wait", "--wait-timeout=-inf"), "argument --wait-timeout: expected a"),
        (("apply", "--wait", "--poll-interval", "nan"), "argument --poll-interval: expected a"),
        (("preview", "voice.b", "--out", "o", "--speed", "10"), "argument --speed: must be from"),
        (("preview", "voice.b", "--out", "o", "--timeout", "nan"), "argument --timeout"),
        (("state", "rm", "voice.a", "--lock-timeout", "nan"), "argument --lock-timeout"),
        (("import", "voice.a", "j", "--lock-timeout", "inf"), "argument --lock-timeout"),
        (("validate", "--sample-rates", "-16000"), "argument --sample-rates: expected numbers"),
        (("emulator", "serve", "--data-dir", "d", "--port", "99999"), "argument --port: must be"),
        (("emulator", "serve", "--data-dir", "d", "--port", "-1"), "argument --port: must be"),
        (("emulator", "serve", "--data-dir", "d", "--url-ttl", "nan"), "argument --url-ttl"),
        (("emulator", "serve", "--data-dir", "d", "--tts-delay", "-1"), "argument --tts-delay"),
        (("emulator", "serve", "--data-dir", "d", "--fault-seed", "x"), "argument --fault-seed"),
    ],
)
def test_numeric_options_refuse_values_that_would_crash_or_hang(
    project: Project, argv: tuple[str, ...], fragment: str
) -> None:
    run = project.run(*argv)
    assert_clean_error(run, fragment)
    assert not project.state_path.exists()  # refused before anything ran


def test_a_negative_seconds_per_state_still_means_manual_jobs(project: Project) -> None:
    # The emulator documents negative as "jobs only move when told"; only the lack of
    # credentials stops this run, after the number was accepted.
    run = project.run("emulator", "serve", "--data-dir", "d", "--seconds-per-state", "-1")
    assert_clean_error(run, "no credentials")


@pytest.mark.parametrize("job_id", ["", "..", ".", "a/b", "../../jobs", "a b", "x" * 200, "é"])
def test_malformed_job_ids_are_refused_before_any_request(project: Project, job_id: str) -> None:
    run = project.run("import", "voice.a", job_id)
    assert_clean_error(run, "argument JOB_ID:", "is not a job ID")
    assert "Using the local MetaStudio emulator" not in run.err  # nothing was loaded or asked
    assert not project.state_path.exists()


def test_dot_segment_job_ids_reach_the_server_as_one_encoded_segment(applied: Project) -> None:
    # A state file or a caller may still hold "..": the request must name that job, not
    # resolve to the jobs list one level up.
    def embedded(config: Config) -> ClientFactory:
        folder = emulator_dir(config)
        assert folder is not None
        return embedded_clients(folder)

    workspace = Workspace.load(applied.root, applied.environ, embedded)
    with workspace.client() as client:
        for job_id in ("..", "."):
            with pytest.raises(MetaStudioError) as caught:
                client.show_job(job_id)
            assert caught.value.status in (400, 404), caught.value


@pytest.mark.parametrize("out", ["/", ".", "..", "", "plans/"])
def test_plan_out_must_name_a_file(applied: Project, out: str) -> None:
    # Found by test_fuzz: `plan --out /` crashed with "unexpected ValueError" after planning.
    run = applied.run("plan", "--out", out)
    if out == "plans/":  # a trailing slash still names the file "plans"
        assert run.code == 0 and (applied.root / "plans").is_file(), run.err
        return
    assert_clean_error(run, "argument --out:", "does not name a file")


def test_preview_out_must_be_a_folder(applied: Project) -> None:
    assert_clean_error(applied.run("preview", "voice.b", "--out", ""), "argument --out")


@pytest.mark.parametrize("word", ["voice.\x1b[31mred", "voice.a\x0bb", "voice.\x85x", "\u2028"])
def test_control_characters_in_arguments_are_escaped_in_errors(applied: Project, word: str) -> None:
    # A terminal would act on them: move the cursor, change colours, or split the line.
    run = applied.run("state", "show", word)
    assert_clean_error(run, "is not a voice in the state")
    assert run.err.count("\n") == 1 and "\x1b" not in run.err and "\x0b" not in run.err
    assert not any(char in run.err for char in "\x85\u2028"), run.err


def test_validate_escapes_control_characters_in_its_diagnostics(project: Project) -> None:
    # Found by test_fuzz: validate printed a missing path "\x1f" and a YAML key "\x0b" raw.
    missing = project.run("validate", "\x1f")
    assert missing.code == 1 and "\\x1f: no such file or directory" in missing.err, missing.err
    (project.root / "voices.yaml").write_text('{"\\u000b": 1}', encoding="utf-8")
    key = project.run("validate")
    assert key.code == 1 and "unknown field '\\x0b'" in key.err, key.err
    assert "\x0b" not in key.err and "\x1f" not in missing.err


def test_preview_into_a_file_is_refused_before_the_audition(applied: Project) -> None:
    # Found by test_fuzz: `--out voices.yaml` ended in "unexpected FileExistsError".
    run = applied.run("preview", "voice.b", "--out", "voices.yaml")
    assert_clean_error(run, f"cannot create directory {applied.root / 'voices.yaml'}")


@pytest.mark.parametrize(
    "argv",
    [
        ("state", "show", ""),
        ("state", "rm", ""),
        ("import", "", "job-1"),
        ("preview", "", "--out", "o"),
        ("plan", "--target", ""),
        ("plan", "--replace", ""),
        ("destroy", "--target=", "--auto-approve"),
    ],
)
def test_an_empty_address_is_a_clear_error(applied: Project, argv: tuple[str, ...]) -> None:
    before = applied.state_path.read_bytes()
    run = applied.run(*argv)
    assert_clean_error(run)
    assert "empty address" in run.err or "expected voice.NAME, got ''" in run.err, run.err
    assert applied.state_path.read_bytes() == before
