"""The same application in Python. It holds no key: boto3's default credential chain reads
AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (injected by the pod identity webhook) and calls STS
AssumeRoleWithWebIdentity itself. Runs unchanged in EKS; under irsakit, AWS_ENDPOINT_URL (set by the
kubelet) points boto3 at the local endpoint.

Prints one JSON object per line, with the same steps as app.mjs: credentials, identity, list, get,
read-denied, put, put-denied, error, done.
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

bucket = os.environ.get("BUCKET", "irsa-demo-bucket")
region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def report(step, **data):
    print(json.dumps({"step": step, **data}), flush=True)


def partial(secret):
    return f"{secret[:4]}…({len(secret)} characters)" if secret else None


session = boto3.Session(region_name=region)
try:
    me = session.client("sts").get_caller_identity()
except (ClientError, BotoCoreError) as err:
    report("error", name=type(err).__name__, message=str(err))
    report("done", ok=False)
    sys.exit(1)

creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
report(
    "credentials",
    accessKeyId=frozen.access_key,
    secretAccessKey=partial(frozen.secret_key),
    # Which link of botocore's chain produced them ("assume-role-with-web-identity" for IRSA).
    source=[creds.method],
)
report("identity", arn=me["Arn"], account=me["Account"], userId=me["UserId"])

s3 = session.client("s3", config=Config(s3={"addressing_style": "path"}))
try:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    report("list", bucket=bucket, keys=keys)
    if keys:
        body = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read().decode()
        report("get", key=keys[0], body=body)
except ClientError as err:
    report("read-denied", name=err.response["Error"]["Code"], message=err.response["Error"]["Message"])
try:
    s3.put_object(Bucket=bucket, Key="written-by-pod.txt", Body=b"hello")
    report("put", key="written-by-pod.txt")
except ClientError as err:
    report("put-denied", name=err.response["Error"]["Code"], message=err.response["Error"]["Message"])
report("done", ok=True)
