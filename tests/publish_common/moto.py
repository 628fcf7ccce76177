"""Helper of the publish tests, run with the Python of target/tools/moto (scripts/s3-setup).

setup ENDPOINT BUCKET: creates a user allowed everything, its access key and the bucket (the
server lets the first 4 requests through unsigned: INITIAL_NO_AUTH_ACTION_COUNT=4; every
later one must be signed with that key); prints "KEY SECRET".
put ENDPOINT BUCKET KEY SECRET NAME TEXT: writes the object NAME.
dump ENDPOINT BUCKET KEY SECRET: prints every object as JSON: key -> its Content-Type,
Cache-Control, Content-Encoding, size and SHA-256.
"""
import hashlib
import json
import sys

import boto3


def client(service, endpoint, key="setup", secret="setup"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def setup(endpoint, bucket):
    iam = client("iam", endpoint)
    iam.create_user(UserName="publisher")
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="publisher", PolicyName="all",
                        PolicyDocument=json.dumps(policy))
    k = iam.create_access_key(UserName="publisher")["AccessKey"]
    client("s3", endpoint).create_bucket(Bucket=bucket)
    print(k["AccessKeyId"], k["SecretAccessKey"])


def put(endpoint, bucket, key, secret, name, text):
    client("s3", endpoint, key, secret).put_object(Bucket=bucket, Key=name, Body=text.encode())


def dump(endpoint, bucket, key, secret):
    s3 = client("s3", endpoint, key, secret)
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            r = s3.get_object(Bucket=bucket, Key=o["Key"])
            body = r["Body"].read()
            out[o["Key"]] = {
                "type": r.get("ContentType"),
                "cache": r.get("CacheControl"),
                "encoding": r.get("ContentEncoding"),
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    {"setup": setup, "put": put, "dump": dump}[sys.argv[1]](*sys.argv[2:])
