"""boto3 against an emulator that verifies signatures (run by tests/sdk/clients.rs).

The endpoint, region and the right credentials come from the environment
(AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
With them boto3 is served; with a wrong secret or an unknown key it gets
DynamoDB's errors, and nothing it sent is written.
"""

import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import checks
from checks import check

KEY = os.environ["AWS_ACCESS_KEY_ID"]
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]


def client(key, secret):
    # One attempt: a refused signature is not worth retrying.
    return boto3.client(
        "dynamodb", aws_access_key_id=key, aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1})
    )


def refusal(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call was served")


right = client(KEY, SECRET)
right.create_table(
    TableName="Signed",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
right.get_waiter("table_exists").wait(TableName="Signed", WaiterConfig={"Delay": 1, "MaxAttempts": 10})
right.put_item(TableName="Signed", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
item = right.get_item(TableName="Signed", Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
check(item == {"pk": {"S": "a"}, "n": {"N": "1"}}, "the right credentials are served (create, put, get)")
pages = right.get_paginator("scan").paginate(TableName="Signed", PaginationConfig={"PageSize": 1})
check(sum(page["Count"] for page in pages) == 1, "a paginated scan is served")

error, status = refusal(lambda: client(KEY, "not-the-secret").put_item(TableName="Signed", Item={"pk": {"S": "b"}}))
check(status == 400 and error["Code"] == "InvalidSignatureException", "a wrong secret: InvalidSignatureException")
check(
    error["Message"].startswith("The request signature we calculated does not match the signature you provided."),
    "a wrong secret: DynamoDB's message",
)

error, status = refusal(lambda: client("AKIDSTRANGER", SECRET).list_tables())
check(status == 400 and error["Code"] == "UnrecognizedClientException", "an unknown key: UnrecognizedClientException")
check(error["Message"] == "The security token included in the request is invalid.", "an unknown key: DynamoDB's message")

keys = [i["pk"]["S"] for i in right.scan(TableName="Signed", ConsistentRead=True)["Items"]]
check(keys == ["a"], "nothing a refused request sent was written")
print(f"boto3 signatures passed ({checks.passed} checks)")
