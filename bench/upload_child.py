"""``python -m bench.upload_child URL PATH``: one client upload, measured in its own process.

Prints one JSON line: bytes sent, seconds inside ``MetaStudioClient.upload``, and the peak
resident set (VmHWM) before and after it, so the benchmark sees the client's memory alone.
The presigned URL is never printed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import AK, PROJECT, SK, vm_hwm_bytes


def main(argv: list[str]) -> int:
    url, path = argv[0], Path(argv[1])
    kind = argv[2] if len(argv) > 2 else "package"
    from reconciler.metastudio import AkSkCredentials, MetaStudioClient, RateLimits, SignedUrl

    parts = urlsplit(url)
    # The endpoint only matters for API calls; object-store PUTs go to the URL itself.
    with MetaStudioClient.connect(
        f"{parts.scheme}://{parts.netloc}",
        AkSkCredentials(AK, SK, PROJECT),
        rate_limits=RateLimits.unlimited(),
    ) as client:
        before = vm_hwm_bytes()
        started = time.perf_counter()
        etag = client.upload(SignedUrl(url), path, kind)
        seconds = time.perf_counter() - started
    result = {
        "bytes": path.stat().st_size,
        "seconds": seconds,
        "vm_hwm_before_bytes": before,
        "vm_hwm_bytes": vm_hwm_bytes(),
        "etag": etag,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
