"""The waiting-clients benchmark (``bench/serving_waits.py``: 1,000 event streams and 200
seed calls) with the files on S3: a SeaweedFS server (``tests/fakes/seaweed.py``, the real S3
protocol with signatures) instead of local storage. The figure to watch is the web tier's
memory (gunicorn's master and workers, resident): every seed call's original is uploaded by
the web process that accepted it.

    python -m bench.serving_s3 [--streams 1000 --seeds 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from tests.fakes.seaweed import SeaweedS3, weed_binary

from . import serving_bench, serving_waits
from .installation import Installation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    binary = weed_binary()
    if binary is None:
        raise SystemExit("SeaweedFS's weed binary is not installed (the dev extra)")
    s3 = SeaweedS3(binary)
    s3.start()
    try:
        with tempfile.TemporaryDirectory(prefix="aiceps-s3-bench-") as folder:
            inst = Installation(Path(folder))
            inst.env.update(
                {
                    "S3_BUCKET_NAME": s3.bucket,
                    "AWS_S3_ENDPOINT_URL": s3.endpoint_url,
                    "AWS_ACCESS_KEY_ID": s3.access_key,
                    "AWS_SECRET_ACCESS_KEY": s3.secret_key,
                    "AWS_REGION": s3.region,
                }
            )
            try:
                inst.setup(users=serving_bench.USERS + 1)
                result = serving_waits.run(
                    inst, redis=False, streams=args.streams, seeds=args.seeds
                )
            finally:
                inst.close()
        stored = len(s3.keys())
    finally:
        s3.close()
    keys = ("web_rss_peak_mib", "web_rss_quiet_mib", "worker_threads_max", "seed_status")
    print(
        json.dumps(
            {
                **{k: result[k] for k in keys},
                "streams_ended": result["streams_ended"],
                "streams": result["streams"],
                "s3_objects": stored,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
