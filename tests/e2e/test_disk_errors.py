"""Disk errors outside the state: work dir, zipped data, plan files, previews, emulator dir.

Each is one line naming the path and the reason, exit 1, nothing half-written left behind,
and the state still what it was (or what the finished remote steps made it).
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.speechlike import write_steady_recording
from tests.cli_runs import run_cli, run_limited
from tests.e2e.conftest import Project, config_head
from tests.e2e.status_helpers import apply, operations, train

ONE_DIR_VOICE = (
    config_head(sex_and_language=False)
    + """\
  big:
    edition: premium
    voice_name: Big
    sex: FEMALE
    language: CN
    data: {{dir: data/big}}
"""
)


def error_lines(err: str) -> list[str]:
    assert "unexpected" not in err and "Traceback" not in err, err
    return [line for line in err.splitlines() if line.startswith("Error: ")]


def test_reconciler_dir_being_a_file_stops_apply_before_any_job_is_made(
    project: Project,
) -> None:
    work = project.root / ".reconciler"
    work.write_text("not a directory")
    # The digest and schema caches there are optional: planning still works without them.
    del project.environ["RECONCILER_CACHE_DIR"]
    code, _, err = project.run("plan", "--refresh", "false")
    assert code == 0, err

    code, _, err = project.run("apply", "--auto-approve")
    assert code == 1
    assert error_lines(err) == [
        f"Error: cannot create directory {work / 'tmp'}: Not a directory "
        f"({work} is not a directory)"
    ]
    assert project.jobs() == [] and not project.state_path.exists()
    assert work.read_text() == "not a directory"


def test_a_full_disk_while_zipping_a_folder_leaves_no_package_and_a_valid_state(
    project: Project,
) -> None:
    project.write_config(ONE_DIR_VOICE)
    write_steady_recording(project.root / "data" / "big" / "recording.wav", 40.0)  # 1.3 MB
    code, out, err = run_limited(
        512 * 1024, project.root, "apply", "--auto-approve", environ=project.environ
    )
    assert code == 1, out + err
    assert error_lines(err) == []
    tmp = project.root / ".reconciler" / "tmp"
    failures = [line for line in err.splitlines() if "voice.big" in line]
    assert len(failures) == 1, err
    assert f"cannot write training-data package {tmp}/package-" in failures[0]
    assert failures[0].endswith("/data.zip: File too large")
    assert list(tmp.iterdir()) == []
    # The job was made and recorded before the zip failed; the next apply finishes it.
    (job,) = project.jobs()
    assert project.state()["voices"]["big"]["job_id"] == job["job_id"]
    assert project.state()["voices"]["big"]["phase"] == "created"
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert len(project.jobs()) == 1 and project.state()["voices"]["big"]["phase"] == "submitted"


def test_plan_out_names_the_plan_file_that_cannot_be_written(project: Project) -> None:
    (project.root / "plans").mkdir()
    (project.root / "plans" / "current.json").mkdir()
    code, _, err = project.run("plan", "--refresh", "false", "--out", "plans/current.json")
    assert code == 1
    assert error_lines(err) == [
        f"Error: cannot write plan file {project.root / 'plans' / 'current.json'}: Is a directory"
    ]
    (project.root / "notes").write_text("a file")
    code, _, err = project.run("plan", "--refresh", "false", "--out", "notes/plan.json")
    assert code == 1
    assert error_lines(err) == [
        f"Error: cannot write plan file {project.root / 'notes' / 'plan.json'}: Not a directory "
        f"({project.root / 'notes'} is not a directory)"
    ]
    assert sorted(p.name for p in (project.root / "plans").iterdir()) == ["current.json"]


def test_an_unusable_preview_directory_is_named_before_an_audition_is_paid_for(
    project: Project,
) -> None:
    jobs = apply(project, "alpha")
    train(project, jobs["alpha"])
    (project.root / "out").write_text("a file")
    code, out, err = project.run("preview", "voice.alpha", "--out", "out")
    assert (code, out) == (1, "")
    assert error_lines(err) == [
        f"Error: cannot create directory {project.root / 'out'}: File exists "
        f"({project.root / 'out'} is not a directory)"
    ]
    assert "create_tts_audition" not in operations(project)


def test_a_full_disk_while_downloading_a_preview_leaves_no_partial_file(
    project: Project,
) -> None:
    jobs = apply(project, "alpha")
    train(project, jobs["alpha"])
    before = project.state_path.read_bytes()
    text = "long enough to make a preview bigger than the limit " * 4
    code, out, err = run_limited(
        4096,
        project.root,
        "preview",
        "voice.alpha",
        "--text",
        text,
        "--out",
        "out",
        environ=project.environ,
    )
    assert (code, out) == (1, "")
    assert error_lines(err) == [
        f"Error: cannot write {project.root / 'out' / '0.wav'}: File too large"
    ]
    assert list((project.root / "out").iterdir()) == []
    assert project.state_path.read_bytes() == before


def test_an_emulator_directory_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(
        "version: 1\nprovider: {emulator: .emulator}\nvoices: {}\n"
    )
    (tmp_path / ".emulator").write_text("a file")
    code, _, err = run_cli(tmp_path, "plan")
    assert code == 1
    assert error_lines(err) == [
        f"Error: cannot create directory {tmp_path / '.emulator'}: File exists "
        f"({tmp_path / '.emulator'} is not a directory)"
    ]

    (tmp_path / ".emulator").unlink()
    (tmp_path / ".emulator").mkdir()
    (tmp_path / ".emulator" / "data").write_text("a file")
    code, _, err = run_cli(tmp_path, "plan")
    assert code == 1
    assert error_lines(err) == [
        f"Error: cannot use emulator data directory {tmp_path / '.emulator' / 'data'}: "
        f"File exists ({tmp_path / '.emulator' / 'data'} is not a directory)"
    ]
    assert json.loads((tmp_path / ".emulator" / "local-credentials.json").read_text())["ak"]


def test_status_wait_reports_a_preview_folder_in_the_way_as_that_voices_failure(
    project: Project,
) -> None:
    jobs = apply(project, "alpha")
    train(project, jobs["alpha"])
    previews = project.root / ".reconciler" / "previews"
    previews.parent.mkdir(exist_ok=True)
    previews.write_text("a file")
    code, out, err = project.run("status", "--wait", "--poll-interval", "0.01")
    assert code == 1
    assert "voice.alpha: preview failed: cannot create directory" in out
    folder = previews / "alpha"
    assert error_lines(err) == [
        f"Error: voice.alpha: trained, but its preview failed (cannot create directory "
        f"{folder}: Not a directory ({previews} is not a directory)); "
        "`reconciler status --wait` tries again"
    ]
    assert "create_tts_audition" not in operations(project)


def test_emulator_serve_names_a_data_directory_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file")
    code, out, err = run_cli(
        tmp_path, "emulator", "serve", "--data-dir", str(tmp_path / "data"), "--token", "t=p"
    )
    assert (code, out) == (1, "")
    assert error_lines(err) == [
        f"Error: cannot use data directory {tmp_path / 'data'}: File exists "
        f"({tmp_path / 'data'} is not a directory)"
    ]


def test_a_backup_in_the_way_during_replace_names_the_backup_and_apply_recovers(
    project: Project,
) -> None:
    jobs = apply(project, "alpha")
    backup = project.state_path.with_name(f"{project.state_path.name}.backup")
    backup.unlink(missing_ok=True)
    backup.mkdir()
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.alpha")
    assert code == 1, out + err
    failures = [line for line in err.splitlines() if "voice.alpha" in line]
    assert len(failures) == 1 and "unexpected" not in err, err
    assert f"cannot write the state backup {backup}: Is a directory" in failures[0]
    assert "retrying the same write is safe" not in err
    # The checkpoints before the one that had to fold the journal in (and so write the
    # backup) are stored: the state reads back and records no job that is gone.
    recorded = project.state()["voices"].get("alpha")
    existing = {job["job_id"] for job in project.jobs()}
    assert recorded is None or recorded["job_id"] in {None, *existing}, recorded
    assert jobs["alpha"] not in existing

    backup.rmdir()
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    (job,) = project.jobs()
    assert project.state()["voices"]["alpha"]["job_id"] == job["job_id"] != jobs["alpha"]
