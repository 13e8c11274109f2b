#!/usr/bin/env python3
"""Prints the presigned GET URL botocore makes for the given inputs at a given time.

The reference for persistence/sigv4_presign.cpp (tests/s3/presign_test.cpp compares the two
byte for byte). Needs Debian's python3-botocore, so run it with /usr/bin/python3.

    botocore_presign.py --endpoint http://127.0.0.1:9000 --region us-east-1 --bucket b \
        --key some/key --access-key AK --secret-key SK --expires 900 --time 20130524T000000Z
"""
import argparse
import datetime
import os
import sys
from unittest import mock

# Hermetic: no ~/.aws files, no AWS_* variables from the caller's environment.
for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import botocore.auth  # noqa: E402  (after the environment is cleaned)
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    for option in ("endpoint", "region", "bucket", "key", "access-key", "secret-key", "time"):
        parser.add_argument("--" + option, required=True)
    parser.add_argument("--expires", type=int, required=True)
    args = parser.parse_args()

    frozen = datetime.datetime.strptime(args.time, "%Y%m%dT%H%M%SZ")

    # botocore's signers read the clock through datetime.datetime.utcnow() in botocore.auth
    # (S3SigV4QueryAuth.add_auth); this is the one place to freeze it.
    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen

    client = botocore.session.get_session().create_client(
        "s3",
        region_name=args.region,
        endpoint_url=args.endpoint,
        aws_access_key_id=args.access_key,
        aws_secret_access_key=args.secret_key,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    with mock.patch.object(botocore.auth.datetime, "datetime", FrozenDatetime):
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": args.bucket, "Key": args.key}, ExpiresIn=args.expires
        )
    sys.stdout.write(url + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
