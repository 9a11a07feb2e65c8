"""Drive a DynamoDB endpoint with Debian's boto3 (python3-boto3 1.26, botocore 1.29) the way
Python apps and CI jobs do: the client and resource APIs, waiters, paginators, conditions built
with boto3.dynamodb.conditions, Decimal numbers, batch_writer, transactions, PartiQL, errors.

Usage: boto3_client.py PORT
Prints "OK" when every check passed, else one "FAIL ..." line per failed check (and the traceback
of any section that raised) and exits 1. Expectations are DynamoDB's documented answers.
"""
import copy
import json
import os
import sys
import tempfile
import time
import traceback
import zlib
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import boto3
import botocore.session
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import ClientError

PORT = int(sys.argv[1])
ENDPOINT = f"http://127.0.0.1:{PORT}"
FAILURES = []
# No retries: a failure shows as it is. Legacy retry mode still runs botocore's CRC32 check of
# every DynamoDB reply (a mismatch raises ChecksumError).
CONFIG = Config(retries={"max_attempts": 0}, read_timeout=60, connect_timeout=20)
CREDS = dict(region_name="us-east-1", aws_access_key_id="AKIDTEST", aws_secret_access_key="fake")


def check(what, got, want):
    if got != want:
        FAILURES.append(f"FAIL {what}: got {got!r}, want {want!r}")


def ok(what, cond, detail=""):
    if not cond:
        FAILURES.append(f"FAIL {what} {detail}".rstrip())


def client_error(what, fn, code, message=None):
    """fn() must raise ClientError with Error.Code `code` (and Error.Message `message`)."""
    try:
        got = fn()
    except ClientError as e:
        err = e.response["Error"]
        if err["Code"] != code or (message is not None and err["Message"] != message):
            FAILURES.append(f"FAIL {what}: got {err['Code']}({err['Message']!r}), "
                            f"want {code}({message!r})")
        return e
    except Exception as e:  # noqa: BLE001 - reported as a failure
        FAILURES.append(f"FAIL {what}: raised {type(e).__name__}({e}), want ClientError {code}")
        return None
    FAILURES.append(f"FAIL {what}: returned {got!r}, want ClientError {code}")
    return None


SESSION = boto3.session.Session(**CREDS)
CLIENT = SESSION.client("dynamodb", endpoint_url=ENDPOINT, config=CONFIG)
RESOURCE = SESSION.resource("dynamodb", endpoint_url=ENDPOINT, config=CONFIG)
FAST_WAIT = {"Delay": 1, "MaxAttempts": 30}


def new_table(name, keys, **extra):
    """An on-demand table keyed by `keys` ([(name, type)], hash first) through the resource."""
    table = RESOURCE.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": k, "KeyType": "HASH" if i == 0 else "RANGE"}
                   for i, (k, _) in enumerate(keys)],
        AttributeDefinitions=extra.pop("AttributeDefinitions", None) or
        [{"AttributeName": k, "AttributeType": t} for k, t in keys],
        BillingMode="PAY_PER_REQUEST", **extra)
    table.wait_until_exists(WaiterConfig=FAST_WAIT)
    return table


def tables():
    c = CLIENT
    created = c.create_table(
        TableName="orders",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "total", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-status",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                          {"AttributeName": "total", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]},
        }],
        LocalSecondaryIndexes=[{
            "IndexName": "by-total",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "total", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "team", "Value": "ci"}],
    )["TableDescription"]
    check("create_table TableName", created["TableName"], "orders")
    ok("create_table TableStatus", created["TableStatus"] in ("CREATING", "ACTIVE"),
       created["TableStatus"])
    c.get_waiter("table_exists").wait(TableName="orders", WaiterConfig=FAST_WAIT)
    d = c.describe_table(TableName="orders")["Table"]
    check("describe TableStatus", d["TableStatus"], "ACTIVE")
    check("describe KeySchema", d["KeySchema"],
          [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    check("describe AttributeDefinitions", sorted(a["AttributeName"] for a in
                                                  d["AttributeDefinitions"]),
          ["pk", "sk", "status", "total"])
    check("describe BillingMode", d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
    check("describe on-demand throughput", d["ProvisionedThroughput"],
          {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
    check("describe ItemCount", d["ItemCount"], 0)
    check("describe TableSizeBytes", d["TableSizeBytes"], 0)
    ok("describe TableArn", d["TableArn"].startswith("arn:aws:dynamodb:us-east-1:") and
       d["TableArn"].endswith(":table/orders"), d["TableArn"])
    ok("describe CreationDateTime is a datetime", hasattr(d["CreationDateTime"], "year"))
    gsi = d["GlobalSecondaryIndexes"][0]
    check("GSI name/status", (gsi["IndexName"], gsi["IndexStatus"]), ("by-status", "ACTIVE"))
    check("GSI projection", gsi["Projection"],
          {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]})
    check("GSI arn", gsi["IndexArn"], d["TableArn"] + "/index/by-status")
    lsi = d["LocalSecondaryIndexes"][0]
    check("LSI", (lsi["IndexName"], lsi["Projection"], lsi["KeySchema"][1]["AttributeName"]),
          ("by-total", {"ProjectionType": "KEYS_ONLY"}, "total"))
    check("tags", c.list_tags_of_resource(ResourceArn=d["TableArn"])["Tags"],
          [{"Key": "team", "Value": "ci"}])
    client_error("create_table twice", lambda: c.create_table(
        TableName="orders", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST"),
        "ResourceInUseException", "Table already exists: orders")

    # Resource API, provisioned, then switched to on demand and back.
    prov = RESOURCE.create_table(
        TableName="prov", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
    prov.wait_until_exists(WaiterConfig=FAST_WAIT)
    prov.reload()
    check("resource table_status", prov.table_status, "ACTIVE")
    check("resource key_schema", prov.key_schema, [{"AttributeName": "id", "KeyType": "HASH"}])
    check("resource provisioned_throughput",
          (prov.provisioned_throughput["ReadCapacityUnits"],
           prov.provisioned_throughput["WriteCapacityUnits"]), (5, 3))
    check("resource item_count", prov.item_count, 0)
    updated = c.update_table(TableName="prov", ProvisionedThroughput={
        "ReadCapacityUnits": 10, "WriteCapacityUnits": 3})["TableDescription"]
    check("update_table throughput", updated["ProvisionedThroughput"]["ReadCapacityUnits"], 10)
    c.get_waiter("table_exists").wait(TableName="prov", WaiterConfig=FAST_WAIT)
    client_error("update_table same throughput", lambda: c.update_table(
        TableName="prov", ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                 "WriteCapacityUnits": 3}),
        "ValidationException",
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 10. Requested "
        "ReadCapacityUnits: 10. Current WriteCapacityUnits provisioned for the table: 3. "
        "Requested WriteCapacityUnits: 3. Refer to the Amazon DynamoDB Developer Guide for "
        "current limits and how to request higher limits.")
    prov = prov.update(BillingMode="PAY_PER_REQUEST")
    prov.wait_until_exists(WaiterConfig=FAST_WAIT)
    prov.reload()
    check("resource update to on demand", prov.billing_mode_summary["BillingMode"],
          "PAY_PER_REQUEST")
    # A GSI added later: CREATING while backfilled, then ACTIVE (apps poll describe_table).
    prov.put_item(Item={"id": 1, "g": "x"})
    c.update_table(TableName="prov",
                   AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexUpdates=[{"Create": {
                       "IndexName": "by-g",
                       "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"}}}])
    deadline = time.time() + 20
    status = None
    while time.time() < deadline:
        status = c.describe_table(TableName="prov")["Table"]["GlobalSecondaryIndexes"][0][
            "IndexStatus"]
        if status == "ACTIVE":
            break
        time.sleep(0.2)
    check("added GSI becomes ACTIVE", status, "ACTIVE")
    check("added GSI backfilled", prov.query(IndexName="by-g",
                                             KeyConditionExpression=Key("g").eq("x"))["Items"],
          [{"id": 1, "g": "x"}])

    # TTL
    ttl = c.update_time_to_live(TableName="prov", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    check("update_time_to_live", ttl["TimeToLiveSpecification"],
          {"Enabled": True, "AttributeName": "expires"})
    # ENABLING while existing items are looked at, then ENABLED.
    deadline = time.time() + 20
    while time.time() < deadline:
        desc = c.describe_time_to_live(TableName="prov")["TimeToLiveDescription"]
        if desc["TimeToLiveStatus"] != "ENABLING":
            break
        time.sleep(0.2)
    check("describe_time_to_live", desc, {"TimeToLiveStatus": "ENABLED",
                                          "AttributeName": "expires"})
    client_error("update_time_to_live twice", lambda: c.update_time_to_live(
        TableName="prov", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}),
        "ValidationException", "TimeToLive is already enabled")

    # list_tables paginator, two names a page.
    for n in ("zeta", "alpha", "mid"):
        c.create_table(TableName=n, AttributeDefinitions=[{"AttributeName": "k",
                                                           "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                       BillingMode="PAY_PER_REQUEST")
    pages = list(c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}))
    names = [n for p in pages for n in p["TableNames"]]
    check("list_tables paginator names", names, ["alpha", "mid", "orders", "prov", "zeta"])
    check("list_tables page sizes", [len(p["TableNames"]) for p in pages], [2, 2, 1])
    check("list_tables LastEvaluatedTableName", pages[0].get("LastEvaluatedTableName"), "mid")
    check("resource tables.all()", sorted(t.name for t in RESOURCE.tables.all()), names)
    r = c.list_tables(ExclusiveStartTableName="orders", Limit=1)
    check("list_tables Limit", (r["TableNames"], r.get("LastEvaluatedTableName")),
          (["prov"], "prov"))
    r = c.list_tables(ExclusiveStartTableName="prov")
    check("list_tables last page", (r["TableNames"], "LastEvaluatedTableName" in r),
          (["zeta"], False))

    # delete_table + table_not_exists
    gone = c.delete_table(TableName="zeta")["TableDescription"]
    check("delete_table status", gone["TableStatus"], "DELETING")
    c.get_waiter("table_not_exists").wait(TableName="zeta", WaiterConfig=FAST_WAIT)
    RESOURCE.Table("mid").delete()
    RESOURCE.Table("mid").wait_until_not_exists(WaiterConfig=FAST_WAIT)
    client_error("describe deleted table", lambda: c.describe_table(TableName="zeta"),
                 "ResourceNotFoundException",
                 "Requested resource not found: Table: zeta not found")
    client_error("delete missing table", lambda: c.delete_table(TableName="zeta"),
                 "ResourceNotFoundException",
                 "Requested resource not found: Table: zeta not found")
    e = client_error("modeled exception class", lambda: c.describe_table(TableName="zeta"),
                     "ResourceNotFoundException")
    ok("ResourceNotFoundException class",
       isinstance(e, c.exceptions.ResourceNotFoundException), type(e).__name__)


NUMBERS = [
    Decimal("12345678901234567890123456789012345678"),
    Decimal("-1.2345678901234567890123456789012345678"),
    Decimal("9.9999999999999999999999999999999999999E+37"),
    Decimal("1E-130"),
    Decimal("-1E-130"),
    Decimal("0.000000000000000000000000000000000001"),
    Decimal("3.14"),
    Decimal("0"),
    Decimal("100"),
]


def items():
    t = new_table("items", [("pk", "S")])
    exc = t.meta.client.exceptions.ConditionalCheckFailedException
    doc = {
        "pk": "u1",
        "name": "Ada",
        "empty": "",
        "n": Decimal("1.50"),
        "nums": NUMBERS,
        "ss": {"a", "b"},
        "ns": {Decimal(1), Decimal("2.5"), Decimal("-3")},
        "bs": {Binary(b"\x00"), Binary(b"\xff\x01")},
        "bin": Binary(b"\x00\xff\r\n"),
        "raw": b"bytes in",
        "nested": {"list": [1, "two", None, True, {"deep": [Decimal("0.1")]}], "map": {}},
        "flag": False,
        "nothing": None,
        "emptylist": [],
        "tags": ["x"],
        "count": 0,
    }
    check("put with not_exists", t.put_item(
        Item=doc, ConditionExpression=Attr("pk").not_exists())["ResponseMetadata"][
        "HTTPStatusCode"], 200)
    got = t.get_item(Key={"pk": "u1"}, ConsistentRead=True)["Item"]
    want = dict(doc, n=Decimal("1.5"), raw=Binary(b"bytes in"))
    check("get_item round trip", got, want)
    plain = CLIENT.get_item(TableName="items", Key={"pk": {"S": "u1"}})["Item"]
    check("numbers on the wire", [v["N"] for v in plain["nums"]["L"]], [
        "12345678901234567890123456789012345678",
        "-1.2345678901234567890123456789012345678",
        "99999999999999999999999999999999999999",
        "0." + "0" * 129 + "1",
        "-0." + "0" * 129 + "1",
        "0.000000000000000000000000000000000001",
        "3.14", "0", "100",
    ])
    ok("set types", isinstance(got["ss"], set) and isinstance(got["ns"], set) and
       isinstance(got["bs"], set))
    # DynamoDB answers a number in plain notation, so 38 significant digits at exponent 125
    # come back as 126 digits, which boto3's Decimal context refuses (decimal.Rounded; boto3
    # issue 2500 shows AWS's reply): apps read such numbers through the low-level client.
    huge = "9.9999999999999999999999999999999999999E+125"
    t.put_item(Item={"pk": "huge", "n": Decimal(huge), "m": Decimal("-" + huge)})
    raw = CLIENT.get_item(TableName="items", Key={"pk": {"S": "huge"}})["Item"]
    check("huge numbers in plain notation", (raw["n"], raw["m"]),
          ({"N": "9" * 38 + "0" * 88}, {"N": "-" + "9" * 38 + "0" * 88}))
    check("huge number value", Decimal(raw["n"]["N"]), Decimal(huge))
    check("Binary type", type(got["bin"]), Binary)
    check("Binary value", got["bin"].value, b"\x00\xff\r\n")
    try:
        t.put_item(Item={"pk": "u1"}, ConditionExpression=Attr("pk").not_exists())
        FAILURES.append("FAIL second put with not_exists succeeded")
    except exc as e:
        check("ConditionalCheckFailed code", e.response["Error"]["Code"],
              "ConditionalCheckFailedException")
        check("ConditionalCheckFailed message", e.response["Error"]["Message"],
              "The conditional request failed")
        check("ConditionalCheckFailed status", e.response["ResponseMetadata"]["HTTPStatusCode"],
              400)

    # Conditions built with Attr, each one true then one false.
    true_conds = [
        Attr("name").eq("Ada"),
        Attr("name").begins_with("Ad"),
        Attr("tags").contains("x"),
        Attr("ss").contains("a"),
        Attr("n").between(Decimal(1), Decimal(2)),
        Attr("name").is_in(["Bob", "Ada"]),
        Attr("name").size().eq(3),
        Attr("ss").size().gte(2),
        Attr("nested.list[4].deep[0]").eq(Decimal("0.1")),
        Attr("nothing").attribute_type("NULL"),
        Attr("name").exists() & ~Attr("missing").exists(),
        Attr("name").ne("Bob") | Attr("missing").eq(1),
        Attr("n").lt(2) & Attr("n").gt(1) & Attr("n").lte(Decimal("1.5")),
        Attr("empty").eq(""),
    ]
    for i, cond in enumerate(true_conds):
        try:
            t.update_item(Key={"pk": "u1"}, UpdateExpression="SET #c = #c + :one",
                          ExpressionAttributeNames={"#c": "count"},
                          ExpressionAttributeValues={":one": 1}, ConditionExpression=cond)
        except ClientError as e:
            FAILURES.append(f"FAIL condition {i} should hold: {e}")
    check("all true conditions applied", t.get_item(Key={"pk": "u1"})["Item"]["count"],
          len(true_conds))
    false_conds = [Attr("name").eq("Bob"), Attr("name").begins_with("x"),
                   Attr("tags").contains("y"), Attr("n").between(2, 3),
                   Attr("name").is_in(["Bob"]), Attr("name").size().gt(3),
                   Attr("missing").exists(), Attr("n").attribute_type("S")]
    for i, cond in enumerate(false_conds):
        try:
            t.delete_item(Key={"pk": "u1"}, ConditionExpression=cond)
            FAILURES.append(f"FAIL false condition {i} deleted the item")
            t.put_item(Item=doc)
        except exc:
            pass

    # ReturnValues variants.
    t.put_item(Item={"pk": "rv", "a": 1, "b": "x"})
    r = t.update_item(Key={"pk": "rv"}, UpdateExpression="SET a = a + :d, c = :c REMOVE b",
                      ExpressionAttributeValues={":d": 2, ":c": {"k": ["v"]}},
                      ReturnValues="UPDATED_NEW")
    check("UPDATED_NEW", r["Attributes"], {"a": 3, "c": {"k": ["v"]}})
    r = t.update_item(Key={"pk": "rv"}, UpdateExpression="SET a = :v",
                      ExpressionAttributeValues={":v": 10}, ReturnValues="UPDATED_OLD")
    check("UPDATED_OLD", r["Attributes"], {"a": 3})
    r = t.update_item(Key={"pk": "rv"}, UpdateExpression="ADD s :s, a :one",
                      ExpressionAttributeValues={":s": {"p", "q"}, ":one": 1},
                      ReturnValues="ALL_NEW")
    check("ALL_NEW", r["Attributes"], {"pk": "rv", "a": 11, "c": {"k": ["v"]}, "s": {"p", "q"}})
    r = t.update_item(Key={"pk": "rv"}, UpdateExpression="DELETE s :s",
                      ExpressionAttributeValues={":s": {"p"}}, ReturnValues="ALL_OLD")
    check("ALL_OLD", r["Attributes"], {"pk": "rv", "a": 11, "c": {"k": ["v"]}, "s": {"p", "q"}})
    r = t.update_item(Key={"pk": "rv"}, UpdateExpression="SET a = :v",
                      ExpressionAttributeValues={":v": 0}, ReturnValues="NONE")
    check("NONE has no Attributes", "Attributes" in r, False)
    r = t.put_item(Item={"pk": "rv", "z": 1}, ReturnValues="ALL_OLD")
    check("put ALL_OLD", r["Attributes"], {"pk": "rv", "a": 0, "c": {"k": ["v"]}, "s": {"q"}})
    r = t.delete_item(Key={"pk": "rv"}, ReturnValues="ALL_OLD")
    check("delete ALL_OLD", r["Attributes"], {"pk": "rv", "z": 1})
    r = t.delete_item(Key={"pk": "rv"}, ReturnValues="ALL_OLD")
    check("delete missing ALL_OLD", "Attributes" in r, False)
    check("get missing has no Item", "Item" in t.get_item(Key={"pk": "rv"}), False)
    r = t.update_item(Key={"pk": "new"}, UpdateExpression="SET v = if_not_exists(v, :z) + :one",
                      ExpressionAttributeValues={":z": 0, ":one": 1}, ReturnValues="ALL_NEW")
    check("update creates item", r["Attributes"], {"pk": "new", "v": 1})
    r = t.update_item(Key={"pk": "new"},
                      UpdateExpression="SET l = list_append(if_not_exists(l, :e), :x)",
                      ExpressionAttributeValues={":e": [], ":x": ["a", "b"]},
                      ReturnValues="UPDATED_NEW")
    check("list_append UPDATED_NEW", r["Attributes"], {"l": ["a", "b"]})

    # Empty values: empty strings are allowed outside keys; empty sets are not.
    client_error("empty string key", lambda: t.put_item(Item={"pk": ""}),
                 "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key "
                 "attribute cannot contain an empty string value. Key: pk")
    # boto3 sends an empty Python set as NS (its number-set test passes first on no members).
    client_error("empty set", lambda: t.put_item(Item={"pk": "e", "s": set()}),
                 "ValidationException",
                 "One or more parameter values were invalid: An number set  may not be empty")
    client_error("empty string set (low-level)", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "s": {"SS": []}}),
        "ValidationException",
        "One or more parameter values were invalid: An string set  may not be empty")
    client_error("empty binary set (low-level)", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "s": {"BS": []}}),
        "ValidationException", "One or more parameter values were invalid: Binary sets should "
        "not be empty")
    client_error("39 digits", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "n": {"N": "1" * 39}}),
        "ValidationException", "Attempting to store more than 38 significant digits in a Number")
    client_error("number overflow", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "n": {"N": "1E+126"}}),
        "ValidationException",
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range")
    client_error("number underflow", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "n": {"N": "1E-131"}}),
        "ValidationException",
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range")
    client_error("duplicate set members", lambda: CLIENT.put_item(
        TableName="items", Item={"pk": {"S": "e"}, "s": {"SS": ["a", "a"]}}),
        "ValidationException",
        "One or more parameter values were invalid: Input collection [a, a] contains "
        "duplicates.")
    t.put_item(Item={"pk": "e", "s": "", "l": [""], "m": {"": ""}})
    check("empty strings kept", t.get_item(Key={"pk": "e"})["Item"],
          {"pk": "e", "s": "", "l": [""], "m": {"": ""}})
    # Removing the last element of a set removes the attribute.
    t.put_item(Item={"pk": "s1", "s": {"only"}})
    t.update_item(Key={"pk": "s1"}, UpdateExpression="DELETE s :s",
                  ExpressionAttributeValues={":s": {"only"}})
    check("set emptied by DELETE is removed", t.get_item(Key={"pk": "s1"})["Item"], {"pk": "s1"})


def patched_model_session():
    """A session whose model knows ReturnValuesOnConditionCheckFailure and the exception's Item,
    as botocore >= 1.29.151 does: bookworm's 1.29.27 predates them (June 2023)."""
    loader_session = botocore.session.get_session()
    model = copy.deepcopy(loader_session.get_component("data_loader").load_service_model(
        "dynamodb", "service-2"))
    shapes = model["shapes"]
    shapes["ReturnValuesOnConditionCheckFailure"] = {"type": "string",
                                                     "enum": ["ALL_OLD", "NONE"]}
    for op in ("PutItemInput", "UpdateItemInput", "DeleteItemInput"):
        shapes[op]["members"]["ReturnValuesOnConditionCheckFailure"] = {
            "shape": "ReturnValuesOnConditionCheckFailure"}
    shapes["ConditionalCheckFailedException"]["members"]["Item"] = {"shape": "AttributeMap"}
    root = tempfile.mkdtemp(prefix="boto3-model-")
    folder = os.path.join(root, "dynamodb", "2012-08-10")
    os.makedirs(folder)
    with open(os.path.join(folder, "service-2.json"), "w") as f:
        json.dump(model, f)
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, root)
    return boto3.session.Session(botocore_session=core, **CREDS)


def condition_failure_item():
    t = patched_model_session().resource("dynamodb", endpoint_url=ENDPOINT,
                                         config=CONFIG).Table("items")
    t.put_item(Item={"pk": "old", "v": 1, "s": {"a"}})
    for name, call in (
        ("put", lambda: t.put_item(Item={"pk": "old"}, ConditionExpression=Attr("v").eq(2),
                                   ReturnValuesOnConditionCheckFailure="ALL_OLD")),
        ("update", lambda: t.update_item(Key={"pk": "old"}, UpdateExpression="SET v = :v",
                                         ExpressionAttributeValues={":v": 3},
                                         ConditionExpression=Attr("v").gt(5),
                                         ReturnValuesOnConditionCheckFailure="ALL_OLD")),
        ("delete", lambda: t.delete_item(Key={"pk": "old"},
                                         ConditionExpression=Attr("v").not_exists(),
                                         ReturnValuesOnConditionCheckFailure="ALL_OLD")),
    ):
        try:
            call()
            FAILURES.append(f"FAIL {name} with failing condition succeeded")
        except t.meta.client.exceptions.ConditionalCheckFailedException as e:
            check(f"{name} ReturnValuesOnConditionCheckFailure Item", e.response.get("Item"),
                  {"pk": {"S": "old"}, "v": {"N": "1"}, "s": {"SS": ["a"]}})
    try:
        t.put_item(Item={"pk": "old"}, ConditionExpression=Attr("v").eq(2),
                   ReturnValuesOnConditionCheckFailure="NONE")
    except t.meta.client.exceptions.ConditionalCheckFailedException as e:
        check("ReturnValuesOnConditionCheckFailure NONE has no Item", "Item" in e.response,
              False)
    try:
        t.put_item(Item={"pk": "absent"}, ConditionExpression=Attr("v").exists(),
                   ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except t.meta.client.exceptions.ConditionalCheckFailedException as e:
        check("no old item, no Item", "Item" in e.response, False)


def reads():
    t = new_table("events", [("pk", "S"), ("sk", "S")],
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "S"},
                                        {"AttributeName": "n", "AttributeType": "N"}],
                  LocalSecondaryIndexes=[{
                      "IndexName": "by-n",
                      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                    {"AttributeName": "n", "KeyType": "RANGE"}],
                      "Projection": {"ProjectionType": "ALL"}}])
    with t.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as bw:
        for i in range(60):
            bw.put_item(Item={"pk": "p", "sk": f"a#{i:03d}", "n": i, "old": True})
        for i in range(60):  # duplicates of the same keys: the last write wins
            bw.put_item(Item={"pk": "p", "sk": f"a#{i:03d}", "n": i, "name": f"item {i}"})
        for i in range(40):
            bw.put_item(Item={"pk": "q", "sk": f"b#{i:03d}", "n": 100 + i})
        bw.delete_item(Key={"pk": "q", "sk": "b#039"})
        bw.put_item(Item={"pk": "q", "sk": "b#039", "n": 139, "back": 1})
    all_p = t.query(KeyConditionExpression=Key("pk").eq("p"))["Items"]
    check("batch_writer dedup count", len(all_p), 60)
    check("batch_writer last write wins", all_p[5], {"pk": "p", "sk": "a#005", "n": 5,
                                                     "name": "item 5"})
    check("batch_writer delete then put", t.get_item(Key={"pk": "q", "sk": "b#039"})["Item"],
          {"pk": "q", "sk": "b#039", "n": 139, "back": 1})
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").begins_with("a#01"))
    check("begins_with query", [i["sk"] for i in r["Items"]], [f"a#01{d}" for d in range(10)])
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between("a#010", "a#013"),
                ScanIndexForward=False)
    check("between desc", [i["n"] for i in r["Items"]], [13, 12, 11, 10])
    r = t.query(KeyConditionExpression=Key("pk").eq("q") & Key("sk").gt("b#037"))
    check("gt", [i["n"] for i in r["Items"]], [138, 139])
    r = t.query(IndexName="by-n", KeyConditionExpression=Key("pk").eq("q") & Key("n").lte(101),
                FilterExpression=Attr("n").ne(100))
    check("LSI query with filter", ([i["sk"] for i in r["Items"]], r["Count"],
                                    r["ScannedCount"]), (["b#001"], 1, 2))
    r = t.query(KeyConditionExpression=Key("pk").eq("p"), Select="COUNT")
    check("Select COUNT", (r["Count"], r["ScannedCount"], "Items" in r), (60, 60, False))
    r = t.scan(Select="COUNT", FilterExpression=Attr("n").gte(100))
    check("scan COUNT with filter", (r["Count"], r["ScannedCount"]), (40, 100))
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").eq("a#007"),
                ProjectionExpression="#n, #nm, nope", ExpressionAttributeNames={
                    "#n": "n", "#nm": "name"})
    check("ProjectionExpression", r["Items"], [{"n": 7, "name": "item 7"}])
    client_error("unused ExpressionAttributeNames", lambda: t.query(
        KeyConditionExpression=Key("pk").eq("p"), ExpressionAttributeNames={"#x": "x"}),
        "ValidationException",
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")

    # Limit + ExclusiveStartKey loop.
    seen, start, calls = [], None, 0
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        r = t.query(KeyConditionExpression=Key("pk").eq("p"), Limit=7, **kw)
        calls += 1
        seen += [i["sk"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    check("Limit loop items", seen, [f"a#{i:03d}" for i in range(60)])
    check("Limit loop calls", calls, 9)
    # Paginators over the client API.
    pages = list(CLIENT.get_paginator("query").paginate(
        TableName="events", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "q"}}, PaginationConfig={"PageSize": 15}))
    check("query paginator page sizes", [p["Count"] for p in pages], [15, 15, 10])
    check("query paginator items", [p["sk"]["S"] for pg in pages for p in pg["Items"]],
          [f"b#{i:03d}" for i in range(40)])
    first = CLIENT.get_paginator("query").paginate(
        TableName="events", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "q"}},
        PaginationConfig={"MaxItems": 12, "PageSize": 5}).build_full_result()
    check("MaxItems result", len(first["Items"]), 12)
    ok("NextToken", "NextToken" in first)
    rest = CLIENT.get_paginator("query").paginate(
        TableName="events", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "q"}},
        PaginationConfig={"StartingToken": first.get("NextToken"),
                          "PageSize": 50}).build_full_result()
    check("StartingToken resumes", [i["n"]["N"] for i in first["Items"] + rest["Items"]],
          [str(100 + i) for i in range(40)])
    scanned = list(CLIENT.get_paginator("scan").paginate(
        TableName="events", PaginationConfig={"PageSize": 30}))
    check("scan paginator total", sum(p["Count"] for p in scanned), 100)
    check("scan paginator pages", len(scanned), 4)

    # Parallel scan: every item exactly once across the segments.
    def segment(s):
        out, start = [], None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            r = t.scan(Segment=s, TotalSegments=4, Limit=9, **kw)
            out += [(i["pk"], i["sk"]) for i in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                return out
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(segment, range(4)))
    flat = [k for p in parts for k in p]
    check("parallel scan covers all once", (len(flat), len(set(flat))), (100, 100))
    client_error("Segment out of range", lambda: t.scan(Segment=4, TotalSegments=4),
                 "ValidationException",
                 "The Segment parameter is zero-based and must be less than parameter "
                 "TotalSegments: Segment: 4 is not less than TotalSegments: 4")

    # batch_get_item with UnprocessedKeys: 100 keys of ~300 KB items exceed the 16 MB reply.
    big = new_table("big", [("id", "N")])
    blob = "x" * 300_000
    with big.batch_writer() as bw:
        for i in range(60):
            bw.put_item(Item={"id": i, "blob": blob})
    keys = [{"id": i} for i in range(60)]
    got, rounds, pending = [], 0, {"big": {"Keys": keys, "ProjectionExpression": "id, #b",
                                          "ExpressionAttributeNames": {"#b": "blob"}}}
    while pending and rounds < 10:
        r = RESOURCE.batch_get_item(RequestItems=pending)
        rounds += 1
        got += r["Responses"].get("big", [])
        pending = r["UnprocessedKeys"]
        if rounds == 1:
            ok("first batch_get_item left UnprocessedKeys", bool(pending))
            left = pending.get("big", {})
            check("UnprocessedKeys keep the projection",
                  (left.get("ProjectionExpression"), left.get("ExpressionAttributeNames")),
                  ("id, #b", {"#b": "blob"}))
    check("batch_get_item got every key once", sorted(i["id"] for i in got), list(range(60)))
    ok("every blob intact", all(i["blob"] == blob for i in got))
    client_error("batch_get_item >100 keys", lambda: RESOURCE.batch_get_item(
        RequestItems={"big": {"Keys": [{"id": i} for i in range(101)]}}),
        "ValidationException", "1 validation error detected: Value at 'requestItems.big.member.keys' "
        "failed to satisfy constraint: Member must have length less than or equal to 100")
    client_error("batch_get_item duplicate keys", lambda: RESOURCE.batch_get_item(
        RequestItems={"big": {"Keys": [{"id": 1}, {"id": 1}]}}),
        "ValidationException", "Provided list of item keys contains duplicates")

    # A ~1 MB query page: botocore checks the reply's CRC32; we also check it by hand.
    bodies = []

    def capture(http_response, **_):
        bodies.append((http_response.headers.get("x-amz-crc32"), http_response.content))
    CLIENT.meta.events.register("after-call.dynamodb.Query", capture)
    try:
        page = CLIENT.query(TableName="big", KeyConditionExpression="id = :i",
                            ExpressionAttributeValues={":i": {"N": "3"}})
        check("big query item", len(page["Items"][0]["blob"]["S"]), 300_000)
        r = big.scan(Limit=10)
        ok("1 MB scan page stops at 1 MB", r["Count"] in (3, 4), str(r["Count"]))
    finally:
        CLIENT.meta.events.unregister("after-call.dynamodb.Query", capture)
    for crc, body in bodies:
        check("x-amz-crc32 matches body", crc, str(zlib.crc32(body) & 0xFFFFFFFF))


def transactions():
    c = CLIENT
    new_table("txn", [("pk", "S")])
    c.put_item(TableName="txn", Item={"pk": {"S": "acct1"}, "bal": {"N": "100"}})
    c.put_item(TableName="txn", Item={"pk": {"S": "acct2"}, "bal": {"N": "5"}})
    c.transact_write_items(TransactItems=[
        {"Update": {"TableName": "txn", "Key": {"pk": {"S": "acct1"}},
                    "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": "30"}}}},
        {"Update": {"TableName": "txn", "Key": {"pk": {"S": "acct2"}},
                    "UpdateExpression": "SET bal = bal + :a",
                    "ExpressionAttributeValues": {":a": {"N": "30"}}}},
        {"Put": {"TableName": "txn", "Item": {"pk": {"S": "log1"}, "amt": {"N": "30"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"ConditionCheck": {"TableName": "items", "Key": {"pk": {"S": "u1"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
    ], ClientRequestToken="tok-1")
    got = c.transact_get_items(TransactItems=[
        {"Get": {"TableName": "txn", "Key": {"pk": {"S": "acct1"}}}},
        {"Get": {"TableName": "txn", "Key": {"pk": {"S": "acct2"}},
                 "ProjectionExpression": "bal"}},
        {"Get": {"TableName": "txn", "Key": {"pk": {"S": "nobody"}}}},
    ])["Responses"]
    check("transact_get_items", got, [
        {"Item": {"pk": {"S": "acct1"}, "bal": {"N": "70"}}},
        {"Item": {"bal": {"N": "35"}}},
        {},
    ])
    try:
        c.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "txn", "Key": {"pk": {"S": "log1"}}}},
            {"Update": {"TableName": "txn", "Key": {"pk": {"S": "acct2"}},
                        "UpdateExpression": "SET bal = bal - :a",
                        "ConditionExpression": "bal >= :a",
                        "ExpressionAttributeValues": {":a": {"N": "1000"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
        FAILURES.append("FAIL cancelled transaction succeeded")
    except ClientError as e:
        check("cancel code", e.response["Error"]["Code"], "TransactionCanceledException")
        check("cancel message", e.response["Error"]["Message"],
              "Transaction cancelled, please refer cancellation reasons for specific reasons "
              "[None, ConditionalCheckFailed]")
        check("CancellationReasons", e.response.get("CancellationReasons"), [
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"pk": {"S": "acct2"}, "bal": {"N": "35"}}},
        ])
        ok("TransactionCanceledException class",
           isinstance(e, c.exceptions.TransactionCanceledException), type(e).__name__)
    check("cancelled transaction wrote nothing",
          "Item" in c.get_item(TableName="txn", Key={"pk": {"S": "log1"}}), True)
    client_error("same item twice", lambda: c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "txn", "Item": {"pk": {"S": "x"}}}},
        {"Delete": {"TableName": "txn", "Key": {"pk": {"S": "x"}}}}]),
        "ValidationException",
        "Transaction request cannot include multiple operations on one item")
    t = RESOURCE.Table("txn")
    # The resource's Table has no transactions; its meta.client has, and takes Python values.
    t.meta.client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "txn", "Item": {"pk": "via-meta", "d": Decimal("1.10")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "txn", "Key": {"pk": "acct1"},
                    "UpdateExpression": "SET tags = :t",
                    "ExpressionAttributeValues": {":t": {"x", "y"}}}}])
    check("meta.client transact_get_items", t.meta.client.transact_get_items(TransactItems=[
        {"Get": {"TableName": "txn", "Key": {"pk": "acct1"}}}])["Responses"],
        [{"Item": {"pk": "acct1", "bal": 70, "tags": {"x", "y"}}}])
    check("meta.client transaction", t.get_item(Key={"pk": "via-meta"})["Item"],
          {"pk": "via-meta", "d": Decimal("1.1")})


def capacity():
    """ReturnConsumedCapacity as DynamoDB bills: 1 KB write units, 4 KB read units (half when
    eventually consistent), plus one write per index entry put or deleted (two when an index
    key changes), as the Developer Guide's GSI/LSI throughput pages state."""
    t = RESOURCE.Table("orders")

    def put(item, mode="INDEXES"):
        return t.put_item(Item=item, ReturnConsumedCapacity=mode)["ConsumedCapacity"]

    def update(expr, names, values=None, mode="INDEXES"):
        kw = {"ExpressionAttributeValues": values} if values else {}
        return t.update_item(Key={"pk": "o1", "sk": "a"}, UpdateExpression=expr,
                             ExpressionAttributeNames=names, ReturnConsumedCapacity=mode,
                             **kw)["ConsumedCapacity"]

    check("put into both indexes", put({"pk": "o1", "sk": "a", "status": "open", "total": 5,
                                        "note": "n"}),
          {"TableName": "orders", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
           "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 1.0}},
           "LocalSecondaryIndexes": {"by-total": {"CapacityUnits": 1.0}}})
    check("GSI key change: delete + put in the GSI",
          update("SET #s = :s", {"#s": "status"}, {":s": "paid"}),
          {"TableName": "orders", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
           "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 2.0}}})
    check("projected attribute change: one GSI write",
          update("SET #n = :n", {"#n": "note"}, {":n": "m"}),
          {"TableName": "orders", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
           "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 1.0}}})
    check("unprojected attribute: table only",
          update("SET #e = :e", {"#e": "extra"}, {":e": 1}, "TOTAL"),
          {"TableName": "orders", "CapacityUnits": 1.0})
    check("index key removed: one delete per index", update("REMOVE #t", {"#t": "total"},
                                                            mode="TOTAL"),
          {"TableName": "orders", "CapacityUnits": 3.0})
    check("delete of an item in no index", t.delete_item(
        Key={"pk": "o1", "sk": "a"}, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"],
        {"TableName": "orders", "CapacityUnits": 1.0})
    check("2 KB item in the LSI only", put({"pk": "o2", "sk": "b", "total": 1,
                                            "pad": "x" * 2000}, "TOTAL"),
          {"TableName": "orders", "CapacityUnits": 3.0})
    check("table without indexes INDEXES", RESOURCE.Table("items").put_item(
        Item={"pk": "cap"}, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"],
        {"TableName": "items", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}})
    r = CLIENT.batch_write_item(RequestItems={"orders": [
        {"PutRequest": {"Item": {"pk": {"S": "o3"}, "sk": {"S": "c"}, "status": {"S": "open"},
                                 "total": {"N": "1"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "o4"}, "sk": {"S": "d"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "o2"}, "sk": {"S": "b"}}}},
    ], "items": [{"PutRequest": {"Item": {"pk": {"S": "cap2"}}}}]},
        ReturnConsumedCapacity="INDEXES")
    check("batch_write_item INDEXES", sorted(r["ConsumedCapacity"], key=lambda c: c["TableName"]),
          [{"TableName": "items", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}},
           {"TableName": "orders", "CapacityUnits": 7.0, "Table": {"CapacityUnits": 4.0},
            "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 1.0}},
            "LocalSecondaryIndexes": {"by-total": {"CapacityUnits": 2.0}}}])
    items = RESOURCE.Table("items")
    check("eventual get", items.get_item(Key={"pk": "cap"}, ReturnConsumedCapacity="TOTAL")[
        "ConsumedCapacity"], {"TableName": "items", "CapacityUnits": 0.5})
    check("consistent get", items.get_item(Key={"pk": "cap"}, ConsistentRead=True,
                                           ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"],
          {"TableName": "items", "CapacityUnits": 1.0})


def legacy_and_misc():
    """The pre-expression parameters older boto3 code still sends, item collection metrics,
    tags, a stream read through the dynamodbstreams client, and PartiQL transactions."""
    t = RESOURCE.Table("events")
    items = RESOURCE.Table("items")
    items.put_item(Item={"pk": "leg", "n": 1}, Expected={"pk": {"Exists": False}})
    client_error("Expected Exists False on an existing item", lambda: items.put_item(
        Item={"pk": "leg"}, Expected={"pk": {"Exists": False}}),
        "ConditionalCheckFailedException", "The conditional request failed")
    r = items.update_item(Key={"pk": "leg"}, AttributeUpdates={
        "n": {"Action": "ADD", "Value": 2}, "s": {"Action": "PUT", "Value": {"a"}}},
        Expected={"n": {"Value": 1, "ComparisonOperator": "EQ"}}, ReturnValues="ALL_NEW")
    check("AttributeUpdates", r["Attributes"], {"pk": "leg", "n": 3, "s": {"a"}})
    r = t.query(KeyConditions={"pk": {"AttributeValueList": ["p"], "ComparisonOperator": "EQ"},
                               "sk": {"AttributeValueList": ["a#058"],
                                      "ComparisonOperator": "GE"}})
    check("legacy KeyConditions", [i["n"] for i in r["Items"]], [58, 59])
    r = t.scan(ScanFilter={"n": {"AttributeValueList": [137], "ComparisonOperator": "GT"}})
    check("legacy ScanFilter", sorted(i["n"] for i in r["Items"]), [138, 139])
    client_error("expression and legacy together", lambda: t.query(
        KeyConditionExpression=Key("pk").eq("p"),
        KeyConditions={"pk": {"AttributeValueList": ["p"], "ComparisonOperator": "EQ"}}),
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {KeyConditions} Expression parameters: "
        "{KeyConditionExpression}")
    r = t.put_item(Item={"pk": "m", "sk": "x", "n": 1}, ReturnItemCollectionMetrics="SIZE")
    check("ItemCollectionMetrics", r["ItemCollectionMetrics"],
          {"ItemCollectionKey": {"pk": "m"}, "SizeEstimateRangeGB": [Decimal(0), Decimal(1)]})
    client_error("consistent read on a GSI", lambda: RESOURCE.Table("orders").query(
        IndexName="by-status", KeyConditionExpression=Key("status").eq("x"),
        ConsistentRead=True), "ValidationException",
        "Consistent reads are not supported on global secondary indexes")
    client_error("unknown index", lambda: t.query(
        IndexName="nope", KeyConditionExpression=Key("pk").eq("x")), "ValidationException",
        "The table does not have the specified index: nope")
    client_error("bad ExclusiveStartKey", lambda: t.query(
        KeyConditionExpression=Key("pk").eq("p"), ExclusiveStartKey={"pk": "p"}),
        "ValidationException",
        "The provided starting key is invalid: The provided key element does not match the "
        "schema")
    client_error("invalid document path", lambda: items.update_item(
        Key={"pk": "leg"}, UpdateExpression="SET a.b = :v", ExpressionAttributeValues={":v": 1}),
        "ValidationException",
        "The document path provided in the update expression is invalid for update")

    arn = CLIENT.describe_table(TableName="events")["Table"]["TableArn"]
    CLIENT.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "ci"},
                                               {"Key": "app", "Value": "x"}])
    CLIENT.untag_resource(ResourceArn=arn, TagKeys=["app"])
    check("tags after untag", CLIENT.list_tags_of_resource(ResourceArn=arn)["Tags"],
          [{"Key": "env", "Value": "ci"}])

    # Streams, read the way a local stream processor does.
    desc = CLIENT.update_table(TableName="items", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
    stream_arn = desc["LatestStreamArn"]
    items.put_item(Item={"pk": "st", "v": 1})
    items.update_item(Key={"pk": "st"}, UpdateExpression="SET v = :v",
                      ExpressionAttributeValues={":v": 2})
    items.delete_item(Key={"pk": "st"})
    streams = SESSION.client("dynamodbstreams", endpoint_url=ENDPOINT, config=CONFIG)
    check("list_streams", [s["StreamArn"] for s in streams.list_streams(TableName="items")[
        "Streams"]], [stream_arn])
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shards[0]["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=it)["Records"]
    check("stream events", [(r["eventName"], r["dynamodb"].get("OldImage"),
                             r["dynamodb"].get("NewImage")) for r in records], [
        ("INSERT", None, {"pk": {"S": "st"}, "v": {"N": "1"}}),
        ("MODIFY", {"pk": {"S": "st"}, "v": {"N": "1"}}, {"pk": {"S": "st"}, "v": {"N": "2"}}),
        ("REMOVE", {"pk": {"S": "st"}, "v": {"N": "2"}}, None),
    ])
    ok("stream records carry ApproximateCreationDateTime as datetime",
       all(hasattr(r["dynamodb"]["ApproximateCreationDateTime"], "year") for r in records))

    # PartiQL: Limit + NextToken, and execute_transaction.
    c = CLIENT
    c.execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO pql VALUE {'pk': ?, 'sk': ?}", "Parameters": [
            {"S": "t"}, {"N": str(i)}]} for i in range(5)])
    seen, token = [], None
    for _ in range(10):
        kw = {"NextToken": token} if token else {}
        r = c.execute_statement(Statement="SELECT sk FROM pql WHERE pk = 't'", Limit=2, **kw)
        seen += [i["sk"]["N"] for i in r["Items"]]
        token = r.get("NextToken")
        if not token:
            break
    check("PartiQL Limit/NextToken", seen, ["0", "1", "2", "3", "4"])
    try:
        c.execute_transaction(TransactStatements=[
            {"Statement": "DELETE FROM pql WHERE pk = 't' AND sk = 0"},
            {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 1}"}])
        FAILURES.append("FAIL execute_transaction with a duplicate INSERT succeeded")
    except ClientError as e:
        check("execute_transaction cancelled", (e.response["Error"]["Code"],
                                                e.response.get("CancellationReasons")),
              ("TransactionCanceledException", [
                  {"Code": "None"},
                  {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
              ]))


def errors():
    c = CLIENT
    t = RESOURCE.Table("items")
    client_error("get_item on missing table", lambda: RESOURCE.Table("nope").get_item(
        Key={"pk": "x"}), "ResourceNotFoundException", "Requested resource not found")
    client_error("query on missing table", lambda: RESOURCE.Table("nope").query(
        KeyConditionExpression=Key("pk").eq("x")), "ResourceNotFoundException",
        "Requested resource not found")
    client_error("key of wrong schema", lambda: t.get_item(Key={"id": "x"}),
                 "ValidationException", "The provided key element does not match the schema")
    client_error("key of wrong type", lambda: t.get_item(Key={"pk": 1}),
                 "ValidationException", "The provided key element does not match the schema")
    client_error("missing key in put", lambda: t.put_item(Item={"other": "x"}),
                 "ValidationException",
                 "One or more parameter values were invalid: Missing the key pk in the item")
    client_error("update of the key", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="SET pk = :v", ExpressionAttributeValues={":v": "z"}),
        "ValidationException",
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute "
        "is part of the key")
    client_error("syntax error", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="SET = :v", ExpressionAttributeValues={":v": 1}),
        "ValidationException", 'Invalid UpdateExpression: Syntax error; token: "=", near: "SET = :v"')
    client_error("unused value", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": 1, ":w": 2}),
        "ValidationException",
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}")
    client_error("undefined value", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="SET a = :nope"),
        "ValidationException",
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :nope")
    client_error("reserved word", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="SET name = :v", ExpressionAttributeValues={":v": 1}),
        "ValidationException",
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name")
    client_error("ADD to a string", lambda: t.update_item(
        Key={"pk": "u1"}, UpdateExpression="ADD #n :v", ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":v": 1}),
        "ValidationException",
        "An operand in the update expression has an incorrect data type")
    client_error("query without hash key", lambda: t.query(
        KeyConditionExpression=Key("other").eq("x")), "ValidationException",
        "Query condition missed key schema element: pk")
    client_error("item too large", lambda: t.put_item(Item={"pk": "big", "v": "x" * 410_000}),
                 "ValidationException", "Item size has exceeded the maximum allowed size")
    client_error("invalid table name", lambda: c.describe_table(TableName="a b"),
                 "ValidationException",
                 "1 validation error detected: Value 'a b' at 'tableName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    client_error("condition on missing table", lambda: RESOURCE.Table("nope").put_item(
        Item={"pk": "x"}, ConditionExpression=Attr("pk").not_exists()),
        "ResourceNotFoundException", "Requested resource not found")


def partiql():
    c = CLIENT
    new_table("pql", [("pk", "S"), ("sk", "N")])
    for i in range(3):
        c.execute_statement(Statement='INSERT INTO "pql" VALUE {\'pk\': ?, \'sk\': ?, \'v\': ?}',
                            Parameters=[{"S": "a"}, {"N": str(i)}, {"S": f"v{i}"}])
    client_error("duplicate INSERT", lambda: c.execute_statement(
        Statement="INSERT INTO pql VALUE {'pk': ?, 'sk': ?}", Parameters=[{"S": "a"}, {"N": "0"}]),
        "DuplicateItemException", "Duplicate primary key exists in table")
    r = c.execute_statement(Statement='SELECT sk, v FROM "pql" WHERE pk = ? AND sk >= ?',
                            Parameters=[{"S": "a"}, {"N": "1"}])
    check("PartiQL SELECT", r["Items"], [{"sk": {"N": "1"}, "v": {"S": "v1"}},
                                         {"sk": {"N": "2"}, "v": {"S": "v2"}}])
    r = c.execute_statement(Statement="UPDATE pql SET v = ? WHERE pk = ? AND sk = ? RETURNING "
                                      "ALL NEW *",
                            Parameters=[{"S": "new"}, {"S": "a"}, {"N": "0"}])
    check("PartiQL UPDATE RETURNING", r["Items"],
          [{"pk": {"S": "a"}, "sk": {"N": "0"}, "v": {"S": "new"}}])
    r = c.batch_execute_statement(Statements=[
        {"Statement": "SELECT v FROM pql WHERE pk = ? AND sk = ?",
         "Parameters": [{"S": "a"}, {"N": "0"}]},
        {"Statement": "INSERT INTO pql VALUE {'pk': ?, 'sk': ?}",
         "Parameters": [{"S": "a"}, {"N": "1"}]},
        {"Statement": "DELETE FROM pql WHERE pk = ? AND sk = ?",
         "Parameters": [{"S": "a"}, {"N": "2"}]},
        {"Statement": "UPDATE pql SET v = 'z' WHERE pk = 'a' AND sk = 9 AND attribute_exists(v)"},
    ])["Responses"]
    check("batch SELECT", r[0], {"TableName": "pql", "Item": {"v": {"S": "new"}}})
    check("batch duplicate INSERT", r[1].get("Error"),
          {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"})
    check("batch DELETE", r[2], {"TableName": "pql"})
    check("batch failed condition", r[3].get("Error"),
          {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"})
    left = c.execute_statement(Statement="SELECT * FROM pql WHERE pk = 'a'")["Items"]
    check("after batch", [i["sk"]["N"] for i in left], ["0", "1"])
    pages = list(c.get_paginator("execute_statement").paginate(
        Statement="SELECT * FROM pql", PaginationConfig={"PageSize": 1})) \
        if c.can_paginate("execute_statement") else None
    if pages is not None:
        check("PartiQL pages", sum(len(p["Items"]) for p in pages), 2)
    client_error("PartiQL syntax", lambda: c.execute_statement(Statement="SELEC * FROM pql"),
                 "ValidationException")


SECTIONS = [tables, items, condition_failure_item, reads, capacity, transactions, errors,
            partiql, legacy_and_misc]


def main():
    for fn in SECTIONS:
        try:
            fn()
        except Exception:  # noqa: BLE001 - reported with its traceback, then the next section
            FAILURES.append(f"FAIL section {fn.__name__} raised:\n{traceback.format_exc()}")
    if FAILURES:
        print("\n".join(FAILURES))
        sys.exit(1)
    print("OK")


main()
