"""CloudWatch GetMetricData of the global database lag metrics against
aurora-emulator through boto3: values set with the admin API, an error code,
in the protocol botocore picks for CloudWatch (AWS JSON 1.0: botocore ranks
`json` before `smithy-rpc-v2-cbor` among the service's protocols).

Usage: python boto3_cloudwatch.py http://127.0.0.1:PORT
Exits non-zero with a message on the first unexpected answer.
"""

import datetime
import json
import sys
import time
import urllib.request

import boto3
import botocore.exceptions

ENDPOINT = sys.argv[1]
EAST, WEST = "us-east-1", "us-west-2"
ENGINE = "aurora-postgresql"
SENT = []


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


def client(service, region):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKID",
        aws_secret_access_key="SECRET",
    )


def record(request, **_):
    SENT.append((request.url, dict(request.headers)))


def admin(method, path, body):
    req = urllib.request.Request(
        f"{ENDPOINT}/_emulator/{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


east, west = client("rds", EAST), client("rds", WEST)
east.create_global_cluster(GlobalClusterIdentifier="shop", Engine=ENGINE, EngineVersion="15.4")
east.create_db_cluster(
    DBClusterIdentifier="shop-east", Engine=ENGINE, GlobalClusterIdentifier="shop",
    MasterUsername="app", MasterUserPassword="correct-horse-1",
)
east.create_db_instance(
    DBInstanceIdentifier="shop-east-1", DBClusterIdentifier="shop-east", Engine=ENGINE, DBInstanceClass="db.r6g.large"
)
deadline = time.time() + 30
while east.describe_db_instances(DBInstanceIdentifier="shop-east-1")["DBInstances"][0]["DBInstanceStatus"] != "available":
    check(time.time() < deadline, "primary instance available")
    time.sleep(0.05)
west.create_db_cluster(DBClusterIdentifier="shop-west", Engine=ENGINE, GlobalClusterIdentifier="shop")
while west.describe_db_clusters(DBClusterIdentifier="shop-west")["DBClusters"][0]["Status"] != "available":
    check(time.time() < deadline, "secondary available")
    time.sleep(0.05)

admin("POST", "metrics", {"region": WEST, "replication_lag_ms": 1500, "rpo_lag_ms": 2500})

cw = client("cloudwatch", WEST)
cw.meta.events.register("before-send.cloudwatch", record)


def query(qid, metric, cluster="shop-west"):
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/RDS",
                "MetricName": metric,
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster}],
            },
            "Period": 60,
            "Stat": "Maximum",
        },
    }


now = datetime.datetime.now(datetime.timezone.utc)
out = cw.get_metric_data(
    MetricDataQueries=[
        query("repl", "AuroraGlobalDBReplicationLag"),
        query("rpo", "AuroraGlobalDBRPOLag"),
        query("primary", "AuroraGlobalDBReplicationLag", "shop-east"),
    ],
    StartTime=now - datetime.timedelta(minutes=10),
    EndTime=now + datetime.timedelta(minutes=1),
    ScanBy="TimestampDescending",
)
results = {r["Id"]: r for r in out["MetricDataResults"]}
check(results["repl"]["Values"] == [1500.0], f"replication lag: {results['repl']}")
check(results["rpo"]["Values"] == [2500.0], f"rpo lag: {results['rpo']}")
check(results["primary"]["Values"] == [], "no lag on the primary")
check(results["repl"]["StatusCode"] == "Complete", "status code")
stamp = results["repl"]["Timestamps"][0]
check(isinstance(stamp, datetime.datetime), "timestamps parse as datetimes")
check(abs((now - stamp).total_seconds()) < 120, f"recent datapoint: {stamp}")

url, headers = SENT[-1]
protocol = cw.meta.service_model.resolved_protocol
if protocol == "json":
    check(headers.get("X-Amz-Target") == b"GraniteServiceVersion20100801.GetMetricData" or headers.get("X-Amz-Target") == "GraniteServiceVersion20100801.GetMetricData", f"JSON target: {headers}")
    check(str(headers.get("Content-Type")).find("application/x-amz-json-1.0") >= 0, f"JSON body: {headers}")
elif protocol == "smithy-rpc-v2-cbor":
    check(url.endswith("/service/GraniteServiceVersion20100801/operation/GetMetricData"), f"RPC v2 path: {url}")
else:
    raise SystemExit(f"FAILED: botocore chose {protocol}, which the emulator does not serve for CloudWatch")
print(f"botocore used {protocol}")

try:
    cw.get_metric_data(
        MetricDataQueries=[dict(query("repl", "AuroraGlobalDBReplicationLag"), MetricStat=dict(query("x", "y")["MetricStat"], Period=45))],
        StartTime=now - datetime.timedelta(minutes=10),
        EndTime=now,
    )
    raise SystemExit("FAILED: a 45 s period was accepted")
except botocore.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidParameterValue", f"error code: {e.response['Error']}")
    check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, "400 status")

print("boto3 cloudwatch OK")
