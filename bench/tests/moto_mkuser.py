"""Create an IAM user with full S3 access in a moto server and print "ACCESS_KEY SECRET_KEY".

usage: python moto_mkuser.py http://127.0.0.1:PORT
moto must run with INITIAL_NO_AUTH_ACTION_COUNT=3: these 3 IAM calls run unauthenticated, and
every later request must carry a valid SigV4 signature made with the printed key. That is what
lets the generator's tests check its signatures against a real verifier.
"""
import json
import sys

import boto3

iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="bench")
iam.put_user_policy(UserName="bench", PolicyName="s3-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="bench")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
