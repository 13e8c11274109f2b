#!/usr/bin/env python3
"""Checks the Filebase double against AWS's own Python signer (botocore).

Signs real requests with botocore (Debian's python3-botocore) and asserts that
the double accepts them: PutObject, HeadObject, GetObject, a multipart upload
(?uploads, ?partNumber=N&uploadId=..., complete), a presigned GET URL from
botocore's presigner, ListObjectsV2 and DeleteObject; and that it rejects a
request signed with the wrong secret. Keys with characters that need encoding
are used on purpose. Afterwards the double's request log must show every
request signature-verified.

Usage:
  botocore_check.py [--endpoint http://127.0.0.1:P --control http://127.0.0.1:C
                     --bucket B --access-key AK --secret-key SK --region R
                     --profile PROFILE]
Without --endpoint it starts its own double (node tests/filebase/double.mjs)
on free ports and stops it at the end. Standard library + botocore only.
Exits 0 if every check passed, 1 otherwise; prints `N passed, M failed` last.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import botocore
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))

# CIDs of b"hello world\n" (ipfs-specs.md section 1.12).
HELLO_CID = {
    "kubo-add-cidv1": "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
    "unixfs-v1-2025": "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
    "unixfs-v0-2015": "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
}


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")
        return cond

    def run(self, name, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any exception fails the check
            self.failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")


def start_double(args):
    tmp = tempfile.mkdtemp(prefix="filebase-double-botocore-")
    cmd = [
        "node", os.path.join(HERE, "double.mjs"),
        "--port", "0", "--control-port", "0", "--dir", tmp,
        "--region", args.region, "--bucket", args.bucket,
        "--access-key", args.access_key, "--secret-key", args.secret_key,
        "--pinning-token", "botocore-check-token", "--profile", args.profile, "--quiet",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    line = [None]

    def read():
        line[0] = proc.stdout.readline()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(20)
    if not line[0] or not line[0].startswith("ready "):
        proc.kill()
        proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)
        raise SystemExit(f"double did not start (got {line[0]!r})")
    _, port, cport = line[0].split()
    return proc, tmp, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{cport}"


def stop_double(proc, tmp):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    shutil.rmtree(tmp, ignore_errors=True)


def control(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def make_client(args, endpoint, secret=None):
    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        region_name=args.region,
        endpoint_url=endpoint,
        aws_access_key_id=args.access_key,
        aws_secret_access_key=secret or args.secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint")
    ap.add_argument("--control")
    ap.add_argument("--bucket", default="botocore-bucket")
    ap.add_argument("--access-key", default="AKBOTOCORECHECK00001")
    ap.add_argument("--secret-key", default="botocore/check+secret=key")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--profile", default="kubo-add-cidv1", choices=sorted(HELLO_CID))
    args = ap.parse_args()

    print(f"botocore {botocore.__version__} from {os.path.dirname(botocore.__file__)}")
    proc = tmp = None
    if args.endpoint:
        endpoint, ctl = args.endpoint, args.control
    else:
        proc, tmp, endpoint, ctl = start_double(args)
    c = Checker()
    try:
        run_checks(c, args, endpoint, ctl)
    finally:
        if proc is not None:
            stop_double(proc, tmp)
    print(f"{c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


def run_checks(c, args, endpoint, ctl):
    s3 = make_client(args, endpoint)
    b = args.bucket
    hello = b"hello world\n"
    want = HELLO_CID[args.profile]
    if ctl:
        control(ctl, "POST", "/requests/clear")

    keys = ["hello.txt", "dir/with space+plus~tilde/ünï=cödé&(x).txt"]
    for key in keys:
        def put_get(key=key):
            r = s3.put_object(Bucket=b, Key=key, Body=hello, ContentType="text/plain")
            cid = r["ResponseMetadata"]["HTTPHeaders"].get("x-amz-meta-cid")
            c.check(f"PutObject {key!r} accepted, x-amz-meta-cid", cid == want, f"got {cid!r} want {want!r}")
            h = s3.head_object(Bucket=b, Key=key)
            c.check(f"HeadObject {key!r} metadata cid", h["Metadata"].get("cid") == want, f"got {h['Metadata']!r}")
            c.check(f"HeadObject {key!r} size", h["ContentLength"] == len(hello))
            g = s3.get_object(Bucket=b, Key=key)
            body = g["Body"].read()
            c.check(f"GetObject {key!r} body", body == hello)
            c.check(f"GetObject {key!r} metadata cid", g["Metadata"].get("cid") == want)
            rg = s3.get_object(Bucket=b, Key=key, Range="bytes=0-4")
            c.check(f"GetObject {key!r} Range", rg["Body"].read() == b"hello" and rg["Metadata"].get("cid") == want)
        c.run(f"put/head/get {key!r}", put_get)

    def multipart():
        key = "multi/part object.bin"
        part1 = bytes((i * 7) % 256 for i in range(5 * 1024 * 1024))
        part2 = b"tail of the object\n" * 100
        up = s3.create_multipart_upload(Bucket=b, Key=key)
        uid = up["UploadId"]
        c.check("CreateMultipartUpload (?uploads) accepted", bool(uid))
        e1 = s3.upload_part(Bucket=b, Key=key, UploadId=uid, PartNumber=1, Body=part1)["ETag"]
        e2 = s3.upload_part(Bucket=b, Key=key, UploadId=uid, PartNumber=2, Body=part2)["ETag"]
        c.check("UploadPart (?partNumber=N&uploadId=...) accepted", bool(e1) and bool(e2))
        r = s3.complete_multipart_upload(Bucket=b, Key=key, UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        cid = r["ResponseMetadata"]["HTTPHeaders"].get("x-amz-meta-cid")
        c.check("CompleteMultipartUpload reports a CID", bool(cid), repr(r["ResponseMetadata"]["HTTPHeaders"]))
        h = s3.head_object(Bucket=b, Key=key)
        c.check("HeadObject after multipart: same CID", h["Metadata"].get("cid") == cid)
        c.check("HeadObject after multipart: size", h["ContentLength"] == len(part1) + len(part2))
        body = s3.get_object(Bucket=b, Key=key)["Body"].read()
        c.check("GetObject after multipart: bytes", hashlib.sha256(body).digest() == hashlib.sha256(part1 + part2).digest())
        # An aborted upload is gone afterwards.
        up2 = s3.create_multipart_upload(Bucket=b, Key=key + ".aborted")
        s3.abort_multipart_upload(Bucket=b, Key=key + ".aborted", UploadId=up2["UploadId"])
        try:
            s3.upload_part(Bucket=b, Key=key + ".aborted", UploadId=up2["UploadId"], PartNumber=1, Body=b"x")
            c.check("UploadPart after AbortMultipartUpload fails NoSuchUpload", False)
        except ClientError as e:
            c.check("UploadPart after AbortMultipartUpload fails NoSuchUpload", e.response["Error"]["Code"] == "NoSuchUpload", str(e))
    c.run("multipart upload", multipart)

    def presigned():
        key = keys[1]
        url = s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": key}, ExpiresIn=60)
        c.check("presigned URL has X-Amz-Signature", "X-Amz-Signature=" in url)
        with urllib.request.urlopen(url, timeout=10) as r:
            c.check("presigned GET accepted", r.status == 200 and r.read() == hello)
            c.check("presigned GET reports the CID", r.headers.get("x-amz-meta-cid") == want)
        url = s3.generate_presigned_url("get_object", Params={
            "Bucket": b, "Key": key, "ResponseContentType": "application/x-test; charset=utf-8"}, ExpiresIn=60)
        with urllib.request.urlopen(url, timeout=10) as r:
            c.check("presigned GET with response-content-type accepted and applied",
                    r.status == 200 and r.headers.get("content-type") == "application/x-test; charset=utf-8",
                    repr(r.headers.get("content-type")))
        fresh = s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": key}, ExpiresIn=60)
        sig_at = fresh.index("X-Amz-Signature=") + len("X-Amz-Signature=")
        flipped = "1" if fresh[sig_at] == "0" else "0"
        tampered = fresh[:sig_at] + flipped + fresh[sig_at + 1:]
        try:
            urllib.request.urlopen(tampered, timeout=10)
            c.check("tampered presigned GET refused", False)
        except urllib.error.HTTPError as e:
            c.check("tampered presigned GET refused (403 SignatureDoesNotMatch)",
                    e.code == 403 and "SignatureDoesNotMatch" in e.read().decode())
        url = s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": key}, ExpiresIn=1)
        time.sleep(2.2)
        try:
            urllib.request.urlopen(url, timeout=10)
            c.check("expired presigned GET refused", False)
        except urllib.error.HTTPError as e:
            body = e.read().decode()
            c.check("expired presigned GET refused (403 AccessDenied)", e.code == 403 and "<Code>AccessDenied</Code>" in body, body)
    c.run("presigned URLs", presigned)

    def listing():
        r = s3.list_objects_v2(Bucket=b, Prefix="dir/")
        got = [o["Key"] for o in r.get("Contents", [])]
        c.check("ListObjectsV2 (?list-type=2&prefix=...) accepted", got == [keys[1]], repr(got))
        s3.delete_object(Bucket=b, Key=keys[0])
        try:
            s3.head_object(Bucket=b, Key=keys[0])
            c.check("DeleteObject removed the object", False)
        except ClientError as e:
            c.check("DeleteObject removed the object", e.response["Error"]["Code"] in ("404", "NoSuchKey"))
    c.run("list/delete", listing)

    verified_before = None
    if ctl:
        log = control(ctl, "GET", "/requests")["requests"]
        verified_before = len(log)
        bad = [e for e in log if e["sigVerified"] is not True and e["error"] != "AccessDenied" and e["error"] != "SignatureDoesNotMatch"]
        c.check("every botocore request was signature-verified by the double", not bad, json.dumps(bad)[:2000])

    def wrong_secret():
        bad_client = make_client(args, endpoint, secret="not-the-secret")
        try:
            bad_client.put_object(Bucket=b, Key="nope", Body=b"x")
            c.check("wrong secret refused", False)
        except ClientError as e:
            c.check("wrong secret refused (SignatureDoesNotMatch)", e.response["Error"]["Code"] == "SignatureDoesNotMatch", str(e))
    c.run("wrong secret", wrong_secret)
    if ctl and verified_before is not None:
        log = control(ctl, "GET", "/requests")["requests"]
        c.check("the refused request is logged with sigVerified false",
                any(e["sigVerified"] is False and e["error"] == "SignatureDoesNotMatch" for e in log[verified_before:]))


if __name__ == "__main__":
    sys.exit(main())
