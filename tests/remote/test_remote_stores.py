"""What only the remote stores do: constant-cost checkpoints, the conditional-write probe,
store faults during writes, and a session whose lock the server drops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.state import State, StateError
from tests.cli_runs import run_cli
from tests.remote.conftest import moto_bodies, moto_keys, pg_backend, s3_backend
from tests.remote.servers import PostgresServer, Proxy, TcpProxy
from tests.state.helpers import record


def _big(state: State, voices: int) -> State:
    for index in range(voices):
        state = state.with_voice(record(f"voice-{index:04d}", spec={"text": "x" * 200}))
    return state


def _checkpoint_cost_s3(proxy: Proxy, bucket: str, voices: int) -> tuple[int, int]:
    backend = s3_backend(proxy.url, bucket, key=f"cost-{voices}.json")
    state = backend.write(_big(backend.read(), voices))
    costs = []
    for step in range(3):
        before_bytes, before_calls = sum(n for _, _, n in proxy.sent), len(proxy.sent)
        changed = state.with_voice(record("voice-0001", phase="uploaded", job_id=f"j{step}"))
        state = backend.checkpoint(changed, ["voice-0001"])
        costs.append(
            (sum(n for _, _, n in proxy.sent) - before_bytes, len(proxy.sent) - before_calls)
        )
    assert len(set(costs)) == 1, costs  # every checkpoint costs the same
    return costs[0]


def test_s3_checkpoint_cost_does_not_grow_with_the_state(proxy: Proxy, bucket: str) -> None:
    small = _checkpoint_cost_s3(proxy, bucket, 10)
    large = _checkpoint_cost_s3(proxy, bucket, 400)
    assert small == large
    assert small[0] < 1000 and small[1] == 2  # one journal PUT, one HEAD


def _checkpoint_cost_pg(tcp: TcpProxy, server: PostgresServer, voices: int) -> int:
    dsn = server.dsn.replace(f"port={server.port}", f"port={tcp.port}")
    from reconciler.state.backends.postgres import PostgresStateBackend

    backend = PostgresStateBackend(dsn, f"cost-{voices}")
    state = backend.write(_big(backend.read(), voices))
    costs = []
    for step in range(3):
        before = tcp.sent
        changed = state.with_voice(record("voice-0001", phase="uploaded", job_id=f"j{step}"))
        state = backend.checkpoint(changed, ["voice-0001"])
        costs.append(tcp.sent - before)
    return max(costs)


def test_postgres_checkpoint_cost_does_not_grow_with_the_state(postgres: PostgresServer) -> None:
    tcp = TcpProxy(postgres.port)
    try:
        small = _checkpoint_cost_pg(tcp, postgres, 10)
        large = _checkpoint_cost_pg(tcp, postgres, 400)
    finally:
        tcp.stop()
    # The names differ in length ("cost-10" / "cost-400"): a few bytes, not 400 records.
    assert abs(large - small) < 64, (small, large)
    assert large < 2000


def test_a_store_that_ignores_conditional_writes_is_refused(proxy: Proxy, bucket: str) -> None:
    proxy.strip_conditions = True
    backend = s3_backend(proxy.url, bucket, key="ignored/r.json")
    with pytest.raises(StateError) as caught, backend.lock("apply", 0):
        pass
    assert "ignores conditional writes" in str(caught.value)
    assert "postgres" in (caught.value.hint or "")
    assert moto_keys(bucket) == []  # nothing created: no lock, no state, no probe left


@pytest.mark.parametrize("fault", ["500", "reset", "reset-after"])
@pytest.mark.parametrize("target", ["journal", "snapshot"])
def test_s3_write_faults_are_retried_and_resolved_by_reading_back(
    proxy: Proxy, bucket: str, fault: str, target: str
) -> None:
    key = f"faults-{fault}-{target}.json"
    backend = s3_backend(proxy.url, bucket, key=key)
    state = backend.write(backend.read().with_voice(record("alpha")))
    hits: list[str] = []

    def once(method: str, path: str) -> str | None:
        # journal: a checkpoint's conditional create; snapshot: a whole write's If-Match PUT.
        hit = ".journal/" in path if target == "journal" else path.endswith("/" + key)
        if method == "PUT" and hit and not hits:
            hits.append(path)
            return fault
        return None

    proxy.fault = once
    first = len(proxy.sent)
    if target == "journal":
        stored = backend.checkpoint(state.with_voice(record("beta")), ["beta"])
    else:
        stored = backend.write(state.with_voice(record("beta")))
    proxy.fault = None
    assert hits and stored.serial == state.serial + 1
    assert s3_backend(proxy.url, bucket, key=key).read().to_dict() == stored.to_dict()
    puts = [p for m, p, _ in proxy.sent[first:] if m == "PUT" and p == hits[0]]
    # Sent again only when the first attempt did not land ("reset-after" did: read back).
    assert len(puts) == (1 if fault == "reset-after" else 2)


def test_postgres_write_survives_a_connection_reset(postgres: PostgresServer) -> None:
    tcp = TcpProxy(postgres.port)
    try:
        dsn = postgres.dsn.replace(f"port={postgres.port}", f"port={tcp.port}")
        from reconciler.state.backends.postgres import PostgresStateBackend

        backend = PostgresStateBackend(dsn, "faults")
        state = backend.write(backend.read().with_voice(record("alpha")))
        tcp.cut()  # the next statement meets a dead connection
        stored = backend.checkpoint(state.with_voice(record("beta")), ["beta"])
        assert pg_backend(postgres, "faults").read().to_dict() == stored.to_dict()
    finally:
        tcp.stop()


def test_a_wrong_database_password_is_one_line_without_the_password(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", "wrong-secret-value")
    section = f"state: {{backend: postgres, dsn: '{postgres.dsn}'}}"
    text = f"version: 1\nprovider: {{emulator: {tmp_path / 'emu'}}}\n{section}\nvoices: {{}}\n"
    (tmp_path / "voices.yaml").write_text(text)
    code, out, err = run_cli(tmp_path, "state", "pull")
    assert code == 1 and "authentication failed" in err, err
    assert "wrong-secret-value" not in out + err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # the error and its hint


def test_postgres_commit_with_a_lost_reply_is_read_back_not_repeated(
    postgres: PostgresServer,
) -> None:
    tcp = TcpProxy(postgres.port)
    try:
        dsn = postgres.dsn.replace(f"port={postgres.port}", f"port={tcp.port}")
        from reconciler.state.backends.postgres import PostgresStateBackend

        backend = PostgresStateBackend(dsn, "lost-reply")
        state = backend.write(backend.read().with_voice(record("alpha")))
        tcp.lose_reply_to = b"COMMIT"
        stored = backend.checkpoint(state.with_voice(record("beta")), ["beta"])
        assert tcp.lose_reply_to is None  # the fault did happen
        assert stored.serial == state.serial + 1
        seen = pg_backend(postgres, "lost-reply").read()
        assert seen.to_dict() == stored.to_dict()  # once, not twice (that would be serial + 2)
    finally:
        tcp.stop()


def test_s3_keeps_the_previous_snapshot_as_a_backup_object(proxy: Proxy, bucket: str) -> None:
    backend = s3_backend(proxy.url, bucket, key="kept.json")
    first = backend.write(backend.read().with_voice(record("alpha")))
    backend.write(first.with_voice(record("beta")))
    bodies = dict(zip(moto_keys(bucket), moto_bodies(bucket), strict=True))
    assert State.from_dict(json.loads(bodies["kept.json.backup"])).to_dict() == first.to_dict()
    assert not [key for key in bodies if ".journal/" in key or ".probe/" in key]


def test_postgres_keeps_previous_versions_in_the_history_table(postgres: PostgresServer) -> None:
    import psycopg

    backend = pg_backend(postgres, "kept")
    first = backend.write(backend.read().with_voice(record("alpha")))
    second = backend.write(first.with_voice(record("beta")))
    backend.write(second.without_voice("alpha"))
    with psycopg.connect(postgres.dsn) as conn:
        rows = conn.execute(
            "SELECT serial, data FROM reconciler_history WHERE name = 'kept' ORDER BY serial"
        ).fetchall()
        version = conn.execute("SELECT version FROM reconciler_schema").fetchall()
    assert [row[0] for row in rows] == [1, 2] and version == [(1,)]
    assert State.from_dict(json.loads(rows[1][1])).to_dict() == second.to_dict()


def test_s3_a_writer_that_slept_through_a_compaction_is_refused(proxy: Proxy, bucket: str) -> None:
    stale, other = (s3_backend(proxy.url, bucket, key="slept.json") for _ in range(2))
    base = stale.write(stale.read().with_voice(record("alpha")))
    with other.lock("apply", 0):  # e.g. after a force-unlock of the stale run
        other.checkpoint(other.read().with_voice(record("beta")), ["beta"])
    # Its release folded serial 2 into the snapshot and deleted the journal entry, so the
    # stale run's create of that serial succeeds; the snapshot's ETag gives it away.
    with pytest.raises(StateError, match="compacted by another run"):
        stale.checkpoint(base.with_voice(record("gamma")), ["gamma"])
    seen = s3_backend(proxy.url, bucket, key="slept.json").read()
    assert seen.serial == 2 and sorted(seen.voices) == ["alpha", "beta"]
    assert any(".journal/" in key for key in moto_keys(bucket))  # its leftover, ignored
    with other.lock("plan", 0):
        other.read()
    assert not any(".journal/" in key for key in moto_keys(bucket))  # and cleaned up


def _journal_of_three(url: str, bucket: str, key: str) -> State:
    backend = s3_backend(url, bucket, key=key)
    # The snapshot at serial 1, then one journal entry per checkpoint.
    state: State = backend.write(backend.read().with_voice(record("alpha")))
    for name in ("beta", "gamma", "delta"):  # entries 2, 3 and 4
        state = backend.checkpoint(state.with_voice(record(name)), [name])
    return state


@pytest.mark.parametrize("lost", [2, 3])
def test_s3_a_lost_journal_entry_is_reported_as_damage_not_as_a_race(
    moto_url: str, bucket: str, lost: int
) -> None:
    import boto3

    _journal_of_three(moto_url, bucket, "lost.json")
    client = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    client.delete_object(Bucket=bucket, Key=f"lost.json.journal/{lost:012d}")
    with pytest.raises(StateError) as caught:
        s3_backend(moto_url, bucket, key="lost.json").read()
    error = caught.value
    assert "damaged" in error.message and f"lost.json.journal/{lost:012d}" in error.message
    assert "in a moment" not in str(error) and "rerunning will not help" in (error.hint or "")
    assert "lost.json.journal/" in (error.hint or "") and "import" in (error.hint or "")


def test_s3_a_compaction_between_the_reads_of_a_reader_is_read_again(
    proxy: Proxy, moto_url: str, bucket: str
) -> None:
    written = _journal_of_three(proxy.url, bucket, "busy.json")
    compacted: list[str] = []

    def compact_once(method: str, path: str) -> str | None:
        # After the reader got the snapshot and before it lists the journal, another run
        # folds the journal in and deletes it: the reader sees entries missing, once.
        if method == "GET" and "list-type=2" in path and "busy.json" in path and not compacted:
            compacted.append(path)
            other = s3_backend(moto_url, bucket, key="busy.json")
            with other.lock("plan", 0):
                other.read()
        return None

    proxy.fault = compact_once
    seen = s3_backend(proxy.url, bucket, key="busy.json").read()
    assert compacted and seen.to_dict() == written.to_dict()
    assert not [key for key in moto_keys(bucket) if ".journal/" in key]  # it did fold
