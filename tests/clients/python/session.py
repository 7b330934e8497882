"""A realistic boto3 session against the emulator (run by tests/sdk/clients.rs).

The endpoint, region and credentials come from the environment, as the README's
quick start sets them (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID...).
Resource API, batch_writer, paginators, waiters, conditions, Decimal round trips.
"""

from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

import checks
from checks import check

dynamodb = boto3.resource("dynamodb")
client = boto3.client("dynamodb")  # the low-level client: typed attribute values
fast = {"Delay": 1, "MaxAttempts": 30}

table = dynamodb.create_table(
    TableName="Orders",
    KeySchema=[
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "orderId", "KeyType": "RANGE"},
    ],
    AttributeDefinitions=[
        {"AttributeName": "customer", "AttributeType": "S"},
        {"AttributeName": "orderId", "AttributeType": "S"},
        {"AttributeName": "status", "AttributeType": "S"},
    ],
    GlobalSecondaryIndexes=[
        {
            "IndexName": "byStatus",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    BillingMode="PAY_PER_REQUEST",
)
check(table.table_status == "CREATING", "a new table is CREATING")
client.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig=fast)
table.reload()
check(table.table_status == "ACTIVE", "the table_exists waiter waits until ACTIVE")
check([t.name for t in dynamodb.tables.all()] == ["Orders"], "tables.all() lists the table")

with table.batch_writer() as batch:
    for i in range(120):
        batch.put_item(
            Item={
                "customer": f"c{i % 4}",
                "orderId": f"o{i:03}",
                "status": "open" if i % 2 else "shipped",
                "total": Decimal("19.99") * i,
                "lines": [{"sku": "a", "qty": Decimal(i)}, {"sku": "b", "qty": Decimal("0.5")}],
                "tags": {"gift", "express"} if i % 3 == 0 else {"plain"},
            }
        )
counted = client.scan(TableName="Orders", Select="COUNT")
check(counted["Count"] == 120, "batch_writer wrote 120 items")

exact = {
    "customer": "c9",
    "orderId": "decimals",
    "big": Decimal("123456789012345678901234567890.12345678"),
    "tiny": Decimal("1E-130"),
    "negative": Decimal("-0.5"),
    "ints": {Decimal(1), Decimal(2), Decimal("3.25")},
    "nested": {"a": [Decimal("1.10"), {"b": Decimal("-7")}]},
    "blob": b"\x00\x01binary",
    "flag": True,
    "nothing": None,
}
table.put_item(Item=exact)
got = table.get_item(Key={"customer": "c9", "orderId": "decimals"}, ConsistentRead=True)["Item"]
for name in ["big", "tiny", "negative", "ints", "flag", "nothing"]:
    check(got[name] == exact[name], f"{name} round-trips exactly ({got[name]!r})")
check(got["nested"]["a"][0] == Decimal("1.1") and got["nested"]["a"][1]["b"] == Decimal(-7), "nested numbers round-trip")
check(got["blob"].value == b"\x00\x01binary", "binary round-trips")

# The largest number: written by the resource, answered with all its digits as DynamoDB does
# (1E+100 comes back as 1 and 100 zeros), which the resource layer cannot read back (boto/boto3#2500):
# read with the low-level client, as applications storing such numbers must.
huge = Decimal("9.9999999999999999999999999999999999999E+125")
table.put_item(Item={"customer": "c9", "orderId": "huge", "n": huge})
raw = client.get_item(TableName="Orders", Key={"customer": {"S": "c9"}, "orderId": {"S": "huge"}})["Item"]["n"]["N"]
check(Decimal(raw) == huge and len(raw) == 126, "the largest number round-trips, written out in full")
table.delete_item(Key={"customer": "c9", "orderId": "huge"})

try:
    client.put_item(TableName="Orders", Item={"customer": {"S": "x"}, "orderId": {"S": "y"}, "n": {"N": "1E+126"}})
    check(False, "a number over 38 digits of magnitude is refused")
except ClientError as error:
    check(error.response["Error"]["Code"] == "ValidationException", "a number out of range is a ValidationException")

page = table.query(
    KeyConditionExpression=Key("customer").eq("c1") & Key("orderId").begins_with("o0"),
    FilterExpression=Attr("status").eq("open"),
)
check(page["Count"] == 25 and page["ScannedCount"] == 25, f"query with conditions: {page['Count']} items")
newest = table.query(KeyConditionExpression=Key("customer").eq("c2"), ScanIndexForward=False, Limit=1)["Items"][0]
check(newest["orderId"] == "o118", "ScanIndexForward=False reads the newest first")

scan_pages = list(client.get_paginator("scan").paginate(TableName="Orders", PaginationConfig={"PageSize": 25}))
check(sum(p["Count"] for p in scan_pages) == 121 and len(scan_pages) >= 5, f"scan paginator: {len(scan_pages)} pages")
by_status = client.get_paginator("query").paginate(
    TableName="Orders",
    IndexName="byStatus",
    KeyConditionExpression="#s = :s",
    ExpressionAttributeNames={"#s": "status"},
    ExpressionAttributeValues={":s": {"S": "open"}},
    PaginationConfig={"PageSize": 7},
)
check(sum(p["Count"] for p in by_status) == 60, "query paginator on the index finds the 60 open orders")
built = client.get_paginator("scan").paginate(TableName="Orders", PaginationConfig={"MaxItems": 30, "PageSize": 8})
check(len(built.build_full_result()["Items"]) == 30, "build_full_result stops at MaxItems")

updated = table.update_item(
    Key={"customer": "c0", "orderId": "o000"},
    UpdateExpression="SET #s = :s ADD visits :one REMOVE #l",
    ConditionExpression=Attr("status").eq("shipped"),
    ExpressionAttributeNames={"#s": "status", "#l": "lines"},  # both reserved words
    ExpressionAttributeValues={":s": "returned", ":one": Decimal(1)},
    ReturnValues="ALL_NEW",
)["Attributes"]
check(updated["status"] == "returned" and updated["visits"] == 1 and "lines" not in updated, "update_item with ALL_NEW")
try:
    table.put_item(Item={"customer": "c0", "orderId": "o000"}, ConditionExpression="attribute_not_exists(customer)")
    check(False, "a failed condition raises")
except ClientError as error:
    check(error.response["Error"]["Code"] == "ConditionalCheckFailedException", "ConditionalCheckFailedException")
    check(error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, "... with status 400")

batch = dynamodb.batch_get_item(
    RequestItems={"Orders": {"Keys": [{"customer": "c1", "orderId": "o001"}, {"customer": "c3", "orderId": "o003"}]}}
)
check(len(batch["Responses"]["Orders"]) == 2, "batch_get_item through the resource")

client.transact_write_items(
    TransactItems=[
        {"Put": {"TableName": "Orders", "Item": {"customer": {"S": "c5"}, "orderId": {"S": "t1"}}}},
        {"Delete": {"TableName": "Orders", "Key": {"customer": {"S": "c1"}, "orderId": {"S": "o001"}}}},
    ]
)
check("Item" not in table.get_item(Key={"customer": "c1", "orderId": "o001"}), "transact_write_items deleted")
statement = client.execute_statement(Statement="SELECT * FROM \"Orders\" WHERE customer = ?", Parameters=[{"S": "c5"}])
check(len(statement["Items"]) == 1, "execute_statement (PartiQL)")

table.delete()
client.get_waiter("table_not_exists").wait(TableName="Orders", WaiterConfig=fast)
check(list(dynamodb.tables.all()) == [], "the table_not_exists waiter waits for the deletion")
print(f"boto3 session passed: {checks.passed} checks")
