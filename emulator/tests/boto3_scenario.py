"""Create -> switchover -> teardown of a two-region Aurora global database
against aurora-emulator through boto3, parsing every response.

Usage: python boto3_scenario.py http://127.0.0.1:PORT
Exits non-zero with a message on the first unexpected answer.
"""

import sys
import time
import xml.etree.ElementTree as ET

import boto3
import botocore.exceptions

ENDPOINT = sys.argv[1]
EAST, WEST = "us-east-1", "us-west-2"
ACCOUNT = "123456789012"
ENGINE = "aurora-postgresql"


SCHEMA_ERRORS = []
CHECKED = set()


def local(tag):
    return tag.split("}", 1)[-1]


def validate(elem, shape, path):
    """Every element must be a member of the botocore output shape, by name."""
    if shape.type_name == "structure":
        names = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for child in elem:
            tag = local(child.tag)
            if tag not in names:
                SCHEMA_ERRORS.append(f"{path}/{tag} is not a member of {shape.name}")
            else:
                validate(child, names[tag], f"{path}/{tag}")
    elif shape.type_name == "list":
        member_name = shape.member.serialization.get("name", "member")
        for child in elem:
            tag = local(child.tag)
            if tag != member_name:
                SCHEMA_ERRORS.append(f"{path}/{tag}: list {shape.name} members are <{member_name}>")
            else:
                validate(child, shape.member, f"{path}/{tag}")
    elif len(elem):
        SCHEMA_ERRORS.append(f"{path} is a {shape.type_name} but has child elements")


def check_response(http_response, model, **_):
    """Validates each successful response body against the service model."""
    if http_response.status_code != 200:
        root = ET.fromstring(http_response.content)
        if local(root.tag) != "ErrorResponse":
            SCHEMA_ERRORS.append(f"{model.name}: error root is {root.tag}")
        return
    root = ET.fromstring(http_response.content)
    if local(root.tag) != f"{model.name}Response":
        SCHEMA_ERRORS.append(f"{model.name}: root element is {root.tag}")
    CHECKED.add(model.name)
    wrapper = model.output_shape.serialization.get("resultWrapper") if model.output_shape else None
    for child in root:
        tag = local(child.tag)
        if tag == "ResponseMetadata":
            continue
        if model.output_shape is None or tag != wrapper:
            SCHEMA_ERRORS.append(f"{model.name}: unexpected element {tag}")
            continue
        validate(child, model.output_shape, f"{model.name}/{tag}")


def rds(region):
    client = boto3.client(
        "rds",
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKID",
        aws_secret_access_key="SECRET",
    )
    client.meta.events.register("after-call.rds", check_response)
    return client


def arn(region, cluster):
    return f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{cluster}"


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


def wait(what, predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"FAILED: timed out waiting for {what}")


def expect_error(code, fn, **kwargs):
    try:
        fn(**kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"expected {code}, got {got}")
        check(e.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404), "4xx status")
        return
    raise SystemExit(f"FAILED: expected {code}")


east, west = rds(EAST), rds(WEST)


def global_cluster():
    return east.describe_global_clusters(GlobalClusterIdentifier="shop")["GlobalClusters"][0]


def all_available():
    g = global_cluster()
    clusters = east.describe_db_clusters()["DBClusters"] + west.describe_db_clusters()["DBClusters"]
    instances = east.describe_db_instances()["DBInstances"] + west.describe_db_instances()["DBInstances"]
    return (
        g["Status"] == "available"
        and all(c["Status"] == "available" for c in clusters)
        and all(i["DBInstanceStatus"] == "available" for i in instances)
    )


# Create.
g = east.create_global_cluster(GlobalClusterIdentifier="shop", Engine=ENGINE, EngineVersion="15.4")["GlobalCluster"]
check(g["GlobalClusterArn"] == f"arn:aws:rds::{ACCOUNT}:global-cluster:shop", "global ARN")
c = east.create_db_cluster(
    DBClusterIdentifier="shop-east",
    Engine=ENGINE,
    GlobalClusterIdentifier="shop",
    MasterUsername="app",
    MasterUserPassword="correct-horse-1",
    VpcSecurityGroupIds=["sg-1"],
    Tags=[{"Key": "team", "Value": "shop"}],
)["DBCluster"]
check(c["Status"] == "creating", "primary creating")
check(c["VpcSecurityGroups"][0]["VpcSecurityGroupId"] == "sg-1", "security groups parsed")
check(c["TagList"] == [{"Key": "team", "Value": "shop"}], "tags parsed")
i = east.create_db_instance(
    DBInstanceIdentifier="shop-east-1", DBClusterIdentifier="shop-east", Engine=ENGINE, DBInstanceClass="db.r6g.large"
)["DBInstance"]
check(i["DBInstanceStatus"] == "creating", "instance creating")
expect_error(
    "InvalidParameterCombination",
    west.create_db_cluster,
    DBClusterIdentifier="shop-west",
    Engine=ENGINE,
    GlobalClusterIdentifier="shop",
    MasterUsername="app",
)
west.create_db_cluster(DBClusterIdentifier="shop-west", Engine=ENGINE, GlobalClusterIdentifier="shop")
west.create_db_instance(
    DBInstanceIdentifier="shop-west-1", DBClusterIdentifier="shop-west", Engine=ENGINE, DBInstanceClass="db.r6g.large"
)
wait("everything available", all_available)

g = global_cluster()
members = {m["DBClusterArn"]: m for m in g["GlobalClusterMembers"]}
check(members[arn(EAST, "shop-east")]["IsWriter"] is True, "east is the writer")
check(members[arn(EAST, "shop-east")]["Readers"] == [arn(WEST, "shop-west")], "readers list")
check(members[arn(WEST, "shop-west")]["IsWriter"] is False, "west is a reader")
check(members[arn(WEST, "shop-west")]["SynchronizationStatus"] == "connected", "sync status")
instances = west.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": ["shop-west"]}])["DBInstances"]
check([x["DBInstanceIdentifier"] for x in instances] == ["shop-west-1"], "instance filter")
check(instances[0]["Endpoint"]["Port"] == 5432, "endpoint parsed")
check(hasattr(instances[0]["InstanceCreateTime"], "year"), "timestamps parse as datetimes")

# Switchover.
g = east.switchover_global_cluster(GlobalClusterIdentifier="shop", TargetDbClusterIdentifier=arn(WEST, "shop-west"))[
    "GlobalCluster"
]
check(g["Status"] == "switching-over", "switching over")
check(g["FailoverState"]["ToDbClusterArn"] == arn(WEST, "shop-west"), "failover state")
check(g["FailoverState"]["IsDataLossAllowed"] is False, "no data loss")
wait("switchover done", lambda: all_available() and "FailoverState" not in global_cluster())
members = {m["DBClusterArn"]: m for m in global_cluster()["GlobalClusterMembers"]}
check(members[arn(WEST, "shop-west")]["IsWriter"] is True, "west is the writer")
writer = west.describe_db_clusters(DBClusterIdentifier="shop-west")["DBClusters"][0]["DBClusterMembers"][0]
check(writer["IsClusterWriter"] is True, "west instance is the writer")

# A member's global cluster by the db-cluster-id filter (identifier or ARN).
for value in ["shop-east", arn(EAST, "shop-east")]:
    found = east.describe_global_clusters(Filters=[{"Name": "db-cluster-id", "Values": [value]}])["GlobalClusters"]
    check([g["GlobalClusterIdentifier"] for g in found] == ["shop"], f"db-cluster-id filter {value}")
expect_error("InvalidParameterValue", east.create_global_cluster, GlobalClusterIdentifier="no-engine")
# Limits (rds/limits.rs): password length, write forwarding outside a global
# database, one cluster name per global database.
expect_error(
    "InvalidParameterValue",
    east.create_db_cluster,
    DBClusterIdentifier="lonely",
    Engine="aurora-mysql",
    MasterUsername="app",
    MasterUserPassword="x" * 42,
)
expect_error(
    "InvalidParameterCombination",
    east.create_db_cluster,
    DBClusterIdentifier="lonely",
    Engine=ENGINE,
    MasterUsername="app",
    MasterUserPassword="correct-horse-1",
    EnableGlobalWriteForwarding=True,
)
expect_error(
    "DBClusterAlreadyExistsFault",
    rds("eu-west-1").create_db_cluster,
    DBClusterIdentifier="shop-east",
    Engine=ENGINE,
    GlobalClusterIdentifier="shop",
)
# The primary (west) while a secondary remains: the global cluster's code.
expect_error("InvalidGlobalClusterStateFault", west.delete_db_cluster, DBClusterIdentifier="shop-west", SkipFinalSnapshot=True)

# Teardown: secondary first, then the primary, then the global cluster.
expect_error("InvalidDBClusterStateFault", east.delete_db_cluster, DBClusterIdentifier="shop-east", SkipFinalSnapshot=True)
east.remove_from_global_cluster(GlobalClusterIdentifier="shop", DbClusterIdentifier=arn(EAST, "shop-east"))
east.delete_db_instance(DBInstanceIdentifier="shop-east-1")
wait("east cluster detached", lambda: east.describe_db_clusters(DBClusterIdentifier="shop-east")["DBClusters"][0]["Status"] == "available")
east.delete_db_cluster(DBClusterIdentifier="shop-east", FinalDBSnapshotIdentifier="shop-east-final")
west.delete_db_instance(DBInstanceIdentifier="shop-west-1")
west.remove_from_global_cluster(GlobalClusterIdentifier="shop", DbClusterIdentifier=arn(WEST, "shop-west"))
wait("west cluster instances gone", lambda: west.describe_db_instances()["DBInstances"] == [])
west.delete_db_cluster(DBClusterIdentifier="shop-west", SkipFinalSnapshot=True)
west.delete_global_cluster(GlobalClusterIdentifier="shop")


def gone():
    try:
        east.describe_global_clusters(GlobalClusterIdentifier="shop")
        return False
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] == "GlobalClusterNotFoundFault"


wait("global cluster gone", gone)
wait("clusters gone", lambda: east.describe_db_clusters()["DBClusters"] == [] and west.describe_db_clusters()["DBClusters"] == [])
snaps = east.describe_db_cluster_snapshots(DBClusterIdentifier="shop-east")["DBClusterSnapshots"]
check([s["DBClusterSnapshotIdentifier"] for s in snaps] == ["shop-east-final"], "final snapshot listed")
paginator = east.get_paginator("describe_db_clusters")
check(sum(len(p["DBClusters"]) for p in paginator.paginate()) == 0, "paginator")
# Tags and a snapshot deletion, so every response shape is checked at least once.
cluster_arn = arn(EAST, "solo")
east.create_db_cluster(DBClusterIdentifier="solo", Engine=ENGINE, MasterUsername="app", ManageMasterUserPassword=True)
east.add_tags_to_resource(ResourceName=cluster_arn, Tags=[{"Key": "a", "Value": "1"}])
check(east.list_tags_for_resource(ResourceName=cluster_arn)["TagList"] == [{"Key": "a", "Value": "1"}], "tags listed")
east.remove_tags_from_resource(ResourceName=cluster_arn, TagKeys=["a"])
east.modify_db_cluster(DBClusterIdentifier="solo", DeletionProtection=False, ApplyImmediately=True)
east.create_db_instance(DBInstanceIdentifier="solo-1", DBClusterIdentifier="solo", Engine=ENGINE, DBInstanceClass="db.r6g.large")
wait("solo available", lambda: east.describe_db_instances(DBInstanceIdentifier="solo-1")["DBInstances"][0]["DBInstanceStatus"] == "available")
east.modify_db_instance(DBInstanceIdentifier="solo-1", PromotionTier=2, ApplyImmediately=True)
east.create_global_cluster(GlobalClusterIdentifier="from-solo", SourceDBClusterIdentifier=cluster_arn)
wait("from-solo available", lambda: east.describe_global_clusters(GlobalClusterIdentifier="from-solo")["GlobalClusters"][0]["Status"] == "available")
east.modify_global_cluster(GlobalClusterIdentifier="from-solo", DeletionProtection=False)
# A manual snapshot of the grown cluster, restored into a new cluster without instances.
snap = east.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="solo-snap", DBClusterIdentifier="solo")["DBClusterSnapshot"]
check((snap["Status"], snap["SnapshotType"]) == ("creating", "manual"), f"manual snapshot: {snap['Status']} {snap['SnapshotType']}")
wait("solo-snap available", lambda: east.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="solo-snap")["DBClusterSnapshots"][0]["Status"] == "available")
restored = east.restore_db_cluster_from_snapshot(DBClusterIdentifier="restored", SnapshotIdentifier="solo-snap", Engine=ENGINE)["DBCluster"]
check((restored["Status"], restored["DBClusterMembers"], restored["MasterUsername"]) == ("creating", [], "app"), "restored cluster")
east.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="solo-snap")
east.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="shop-east-final")

# Production settings round trip, and a deferred change in PendingModifiedValues.
east.create_db_cluster(
    DBClusterIdentifier="tuned", Engine=ENGINE, MasterUsername="app", MasterUserPassword="correct-horse-1",
    ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 16},
    StorageType="aurora-iopt1", BackupRetentionPeriod=14, PreferredBackupWindow="03:00-04:00",
    PreferredMaintenanceWindow="sun:05:00-sun:06:00", CopyTagsToSnapshot=True,
    EnableIAMDatabaseAuthentication=True, Port=6543, EnableCloudwatchLogsExports=["postgresql"],
    NetworkType="DUAL", EnableLocalWriteForwarding=True,
    EngineLifecycleSupport="open-source-rds-extended-support-disabled",
)
east.create_db_instance(
    DBInstanceIdentifier="tuned-1", DBClusterIdentifier="tuned", Engine=ENGINE, DBInstanceClass="db.serverless",
    DBParameterGroupName="orders-pg15", EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=31,
    MonitoringInterval=30, MonitoringRoleArn=f"arn:aws:iam::{ACCOUNT}:role/rds-monitoring",
    AutoMinorVersionUpgrade=False, CACertificateIdentifier="rds-ca-ecc384-g1", AvailabilityZone="us-east-1b",
)
wait("tuned-1 available", lambda: east.describe_db_instances(DBInstanceIdentifier="tuned-1")["DBInstances"][0]["DBInstanceStatus"] == "available")
c = east.describe_db_clusters(DBClusterIdentifier="tuned")["DBClusters"][0]
expected = {
    "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 16.0},
    "StorageType": "aurora-iopt1", "BackupRetentionPeriod": 14, "PreferredBackupWindow": "03:00-04:00",
    "PreferredMaintenanceWindow": "sun:05:00-sun:06:00", "CopyTagsToSnapshot": True,
    "IAMDatabaseAuthenticationEnabled": True, "Port": 6543, "EnabledCloudwatchLogsExports": ["postgresql"],
    "NetworkType": "DUAL", "LocalWriteForwardingStatus": "enabled",
    "EngineLifecycleSupport": "open-source-rds-extended-support-disabled", "StorageEncryptionType": "none",
}
for k, v in expected.items():
    check(c.get(k) == v, f"cluster {k}: {c.get(k)!r} != {v!r}")
i = east.describe_db_instances(DBInstanceIdentifier="tuned-1")["DBInstances"][0]
expected = {
    "DBParameterGroups": [{"DBParameterGroupName": "orders-pg15", "ParameterApplyStatus": "in-sync"}],
    "PerformanceInsightsEnabled": True, "PerformanceInsightsRetentionPeriod": 31, "MonitoringInterval": 30,
    "MonitoringRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-monitoring", "AutoMinorVersionUpgrade": False,
    "CACertificateIdentifier": "rds-ca-ecc384-g1", "AvailabilityZone": "us-east-1b",
}
for k, v in expected.items():
    check(i.get(k) == v, f"instance {k}: {i.get(k)!r} != {v!r}")
east.modify_db_cluster(DBClusterIdentifier="tuned", EnableIAMDatabaseAuthentication=False, ApplyImmediately=False)
east.modify_db_instance(DBInstanceIdentifier="tuned-1", CACertificateIdentifier="rds-ca-rsa2048-g1", ApplyImmediately=False)
c = east.describe_db_clusters(DBClusterIdentifier="tuned")["DBClusters"][0]
check(c["PendingModifiedValues"] == {"IAMDatabaseAuthenticationEnabled": False}, f"cluster pending: {c.get('PendingModifiedValues')}")
i = east.describe_db_instances(DBInstanceIdentifier="tuned-1")["DBInstances"][0]
check(i["PendingModifiedValues"] == {"CACertificateIdentifier": "rds-ca-rsa2048-g1"}, f"instance pending: {i.get('PendingModifiedValues')}")
g = east.create_global_cluster(GlobalClusterIdentifier="lifecycle", Engine=ENGINE, EngineLifecycleSupport="open-source-rds-extended-support-disabled")["GlobalCluster"]
check(g["EngineLifecycleSupport"] == "open-source-rds-extended-support-disabled", "global lifecycle support")

missing = {op for op in [
    "CreateGlobalCluster", "DescribeGlobalClusters", "ModifyGlobalCluster", "DeleteGlobalCluster",
    "RemoveFromGlobalCluster", "SwitchoverGlobalCluster", "CreateDBCluster", "DescribeDBClusters",
    "ModifyDBCluster", "DeleteDBCluster", "CreateDBInstance", "DescribeDBInstances", "ModifyDBInstance",
    "DeleteDBInstance", "DescribeDBClusterSnapshots", "DeleteDBClusterSnapshot", "AddTagsToResource",
    "RemoveTagsFromResource", "ListTagsForResource", "CreateDBClusterSnapshot", "RestoreDBClusterFromSnapshot",
] if op not in CHECKED}
check(not missing, f"responses not validated: {sorted(missing)}")
if SCHEMA_ERRORS:
    raise SystemExit("FAILED: responses don't match the botocore model:\n" + "\n".join(sorted(set(SCHEMA_ERRORS))))
print(f"validated {len(CHECKED)} response shapes against the botocore model")
print("boto3 scenario OK")
