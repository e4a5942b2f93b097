"""The workspace turns provider settings into a client: endpoint, credentials, rate limits."""

from __future__ import annotations

from pathlib import Path

from reconciler.operations.clients import cloud_clients
from reconciler.operations.workspace import Workspace

CONFIG = """\
version: 1
provider:
  endpoint: http://127.0.0.1:9
  project_id: p1
  app_user_id: team-a
  rate_limits: {create: 0.5, query: 0}
voices: {}
"""


def test_provider_settings_reach_the_client(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(CONFIG)
    env = {"HUAWEICLOUD_SDK_AK": "ak", "HUAWEICLOUD_SDK_SK": "sk"}
    workspace = Workspace.load(tmp_path, env, lambda c: cloud_clients(c, env, tmp_path))
    with workspace.client() as client:
        transport = client.transport
        assert transport.endpoint == "http://127.0.0.1:9"
        assert transport.credentials.project_id == "p1"
        assert transport.app_user_id == "team-a"
        buckets = transport.limits.buckets
        assert (buckets["create"].rate, buckets["query"].rate, buckets["upload_url"].rate) == (
            0.5,
            0.0,
            1.0,
        )


def test_published_limits_by_default(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(
        CONFIG.replace("  rate_limits: {create: 0.5, query: 0}\n", "")
    )
    env = {"HUAWEICLOUD_SDK_AK": "a", "HUAWEICLOUD_SDK_SK": "s"}
    workspace = Workspace.load(tmp_path, env, lambda c: cloud_clients(c, env, tmp_path))
    with workspace.client() as client:
        rates = {name: b.rate for name, b in client.transport.limits.buckets.items()}
    assert rates == {"create": 1.0, "upload_url": 1.0, "query": 20.0}
