"""Runs one AWS operation with boto3 against the sandbox's moto server and prints the result as JSON.

Tests call this through the sandbox venv, so S3, IAM and STS are exercised by the same client library
that users and pyiceberg use. Usage: python aws_probe.py '<json request>'
"""

import json
import os
import sys

import boto3


def client(service):
    return boto3.client(
        service,
        endpoint_url=os.environ["MOTO_ENDPOINT"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )


def s3_roundtrip(req):
    s3 = client("s3")
    s3.create_bucket(Bucket=req["bucket"])
    s3.put_object(Bucket=req["bucket"], Key=req["key"], Body=req["body"].encode())
    body = s3.get_object(Bucket=req["bucket"], Key=req["key"])["Body"].read().decode()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=req["bucket"]).get("Contents", [])]
    return {"body": body, "keys": keys}


def s3_create_bucket(req):
    s3 = client("s3")
    s3.create_bucket(Bucket=req["bucket"])
    return {"buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]]}


def s3_list(req):
    listed = client("s3").list_objects_v2(Bucket=req["bucket"], Prefix=req.get("prefix", ""))
    return {"keys": [o["Key"] for o in listed.get("Contents", [])]}


def iam_create_role(req):
    iam = client("iam")
    role = iam.create_role(
        RoleName=req["name"],
        Path=req.get("path", "/"),
        AssumeRolePolicyDocument=json.dumps(req["trust"]),
    )["Role"]
    fetched = iam.get_role(RoleName=req["name"])["Role"]
    return {"arn": role["Arn"], "fetchedArn": fetched["Arn"], "path": fetched["Path"]}


def sts_assume_role(req):
    creds = client("sts").assume_role(
        RoleArn=req["roleArn"],
        RoleSessionName=req["session"],
        ExternalId=req.get("externalId"),
        DurationSeconds=req.get("durationSeconds", 900),
    )["Credentials"]
    return {
        "accessKeyId": creds["AccessKeyId"],
        "hasSecret": bool(creds["SecretAccessKey"]),
        "hasSessionToken": bool(creds["SessionToken"]),
        "expiration": creds["Expiration"].isoformat(),
    }


OPERATIONS = {
    "s3_roundtrip": s3_roundtrip,
    "s3_create_bucket": s3_create_bucket,
    "s3_list": s3_list,
    "iam_create_role": iam_create_role,
    "sts_assume_role": sts_assume_role,
}

if __name__ == "__main__":
    request = json.loads(sys.argv[1])
    print(json.dumps(OPERATIONS[request["op"]](request)))
