"""Prepares, on the sandbox's moto, what a platform team makes before Polaris manages a catalog: the
warehouse bucket and the role Polaris assumes to vend credentials (the sandbox stack's `existing`
storage). Idempotent. Prints the values as KEY=VALUE lines for the run folder's warehouse.env.

Usage: python sandbox_warehouse.py BUCKET ROLE_NAME     (with the sandbox's endpoints.env in the environment)
"""

import json
import os
import sys

import boto3

bucket, role_name = sys.argv[1], sys.argv[2]
options = dict(
    endpoint_url=os.environ["MOTO_ENDPOINT"],
    region_name=os.environ["AWS_REGION"],
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)
s3 = boto3.client("s3", **options)
iam = boto3.client("iam", **options)
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket)
try:
    role = iam.get_role(RoleName=role_name)["Role"]
except iam.exceptions.NoSuchEntityException:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=role_name, Path="/polaris/catalog/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
print(f"WAREHOUSE_BUCKET={bucket}")
print(f"WAREHOUSE_ROLE_ARN={role['Arn']}")
