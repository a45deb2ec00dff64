//! The wire format and malformed input, sent as raw HTTP.

use crate::common::*;

fn error_code(body: &str) -> &str {
    let start = body.find("<Code>").map(|i| i + 6).expect("an error code");
    let end = body[start..].find("</Code>").expect("closed code");
    &body[start..start + end]
}

async fn call(
    emu: &aurora_emulator::RunningEmulator,
    region: Option<&str>,
    body: &str,
) -> (u16, String) {
    raw(emu, &rds_request(region, body))
        .await
        .expect("an HTTP answer")
}

#[tokio::test]
async fn malformed_requests_get_4xx_errors() {
    let emu = emulator(0.0).await;
    let cases: &[(Option<&str>, &str, u16, &str)] = &[
        (None, "Action=DescribeDBClusters&Version=2014-10-31", 403, "MissingAuthenticationToken"),
        (Some(EAST), "Version=2014-10-31", 400, "MissingAction"),
        (Some(EAST), "Action=DescribeDBClusters", 400, "MissingParameter"),
        (Some(EAST), "Action=LaunchRockets&Version=2014-10-31", 400, "InvalidAction"),
        (Some(EAST), "Action=DescribeDBClusters&Version=2013-01-10", 400, "InvalidAction"),
        (Some(EAST), "Action=CreateDBCluster&Version=2014-10-31&DBClusterIdentifier=a", 400, "MissingParameter"),
        (Some(EAST), "Action=CreateGlobalCluster&Version=2014-10-31&GlobalClusterIdentifier=g&Engine=aurora-postgresql&DeletionProtection=maybe", 400, "InvalidParameterValue"),
        (Some(EAST), "Action=DescribeDBClusters&Version=2014-10-31&MaxRecords=lots", 400, "InvalidParameterValue"),
        (Some(EAST), "Action=DescribeDBClusters&Version=2014-10-31&Filters.Filter.1.Name=db-cluster-id", 400, "InvalidParameterValue"),
        (Some(EAST), "Action=AddTagsToResource&Version=2014-10-31&ResourceName=arn:aws:rds:us-east-1:1:cluster:x", 400, "MissingParameter"),
        (Some(EAST), "%%%&&&==\u{1}\u{2}garbage", 400, "MissingAction"),
        (Some(EAST), "Action=DescribeDBClusters&Version=2014-10-31&Marker=%FF%FE", 200, ""),
    ];
    for (region, body, status, want) in cases {
        let (s, text) = call(&emu, *region, body).await;
        assert_eq!(s, *status, "{body}: {text}");
        if !want.is_empty() {
            assert_eq!(error_code(&text), *want, "{body}");
            assert!(text.contains("<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><Error><Type>Sender</Type>"));
            assert!(text.contains("<RequestId>"));
        }
    }
    // Garbled signatures.
    for auth in [
        "Basic Zm9vOmJhcg==",
        "AWS4-HMAC-SHA256 Credential=AKID/garbage",
        "AWS4-HMAC-SHA256 Signature=00",
    ] {
        let body = "Action=DescribeDBClusters&Version=2014-10-31";
        let req = format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (s, text) = raw(&emu, req.as_bytes()).await.unwrap();
        assert_eq!(s, 400, "{auth}");
        assert_eq!(error_code(&text), "IncompleteSignature");
    }
    // Not HTTP at all: the connection is answered with 400 or closed, never a crash.
    let _ = raw(&emu, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1garbage\r\n\r\n").await;
    // Oversized body.
    let big = format!(
        "Action=DescribeDBClusters&Version=2014-10-31&X={}",
        "a".repeat(2 << 20)
    );
    let (s, _) = call(&emu, Some(EAST), &big).await;
    assert_eq!(s, 413);
    // Still healthy afterwards.
    let (s, _) = call(
        &emu,
        Some(EAST),
        "Action=DescribeDBClusters&Version=2014-10-31",
    )
    .await;
    assert_eq!(s, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn response_envelope_and_get_requests() {
    let emu = emulator(0.0).await;
    let req = "GET /?Action=DescribeGlobalClusters&Version=2014-10-31&X-Amz-Credential=AKID%2F20261126%2Feu-west-1%2Frds%2Faws4_request HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    let header_id = buf
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-amzn-requestid: ")
                .map(|v| v.trim().to_string())
        })
        .expect("x-amzn-RequestId header");
    assert!(buf.contains(&format!("<RequestId>{header_id}</RequestId>")));
    assert!(buf.contains(
        "<DescribeGlobalClustersResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeGlobalClustersResult><GlobalClusters></GlobalClusters></DescribeGlobalClustersResult><ResponseMetadata>"
    ));
    // Actions without a result element.
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .send()
        .await
        .unwrap();
    let (st, body) = call(
        &emu,
        Some(EAST),
        "Action=AddTagsToResource&Version=2014-10-31&ResourceName=arn%3Aaws%3Ards%3A%3A123456789012%3Aglobal-cluster%3Ag&Tags.Tag.1.Key=k&Tags.Tag.1.Value=%3C%26%3E",
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        body.contains("<AddTagsToResourceResponse") && !body.contains("AddTagsToResourceResult")
    );
    let (_, body) = call(
        &emu,
        Some(EAST),
        "Action=ListTagsForResource&Version=2014-10-31&ResourceName=arn%3Aaws%3Ards%3A%3A123456789012%3Aglobal-cluster%3Ag",
    )
    .await;
    assert!(
        body.contains("<TagList><Tag><Key>k</Key><Value>&lt;&amp;&gt;</Value></Tag></TagList>"),
        "{body}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn concurrent_requests_are_serialised_safely() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let mut tasks = Vec::new();
    for n in 0..40 {
        let c = east.clone();
        tasks.push(tokio::spawn(async move {
            // Half the tasks race for the same identifier.
            let id = if n % 2 == 0 {
                format!("c{n}")
            } else {
                "contested".to_string()
            };
            c.create_db_cluster()
                .db_cluster_identifier(id)
                .engine(PG)
                .master_username("app")
                .master_user_password("correct-horse-1")
                .send()
                .await
                .map_err(|e| code(Err::<(), _>(e)))
        }));
    }
    let mut ok = 0;
    let mut exists = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(c) if c == "DBClusterAlreadyExistsFault" => exists += 1,
            Err(c) => panic!("unexpected {c}"),
        }
    }
    assert_eq!((ok, exists), (21, 19));
    let all = east.describe_db_clusters().send().await.unwrap();
    assert_eq!(all.db_clusters().len(), 21);
    emu.shutdown().await;
}

/// DNS rebinding: a browser page whose name resolves to 127.0.0.1 sends its
/// own name as Host; both APIs refuse anything but a loopback Host.
#[tokio::test]
async fn requests_need_a_loopback_host_header() {
    let emu = emulator(0.0).await;
    let body = "Action=DescribeDBClusters&Version=2014-10-31";
    let auth = "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=00";
    for (host, status) in [
        (Some("evil.example"), 403),
        (Some("evil.example:80"), 403),
        (Some("10.1.2.3"), 403),
        (None, 403),
        (Some("localhost"), 200),
        (Some("127.0.0.1:9"), 200),
        (Some("[::1]:9"), 200),
    ] {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        let rds = format!(
            "POST / HTTP/1.1\r\n{host}Authorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (s, text) = raw(&emu, rds.as_bytes()).await.unwrap();
        assert_eq!(s, status, "RDS with {host:?}: {text}");
        if status == 403 {
            assert_eq!(error_code(&text), "InvalidHostHeader");
        }
        let admin = format!(
            "POST /_emulator/reset HTTP/1.1\r\n{host}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let (s, text) = raw(&emu, admin.as_bytes()).await.unwrap();
        assert_eq!(s, status, "admin with {host:?}: {text}");
    }
    // The typed client sends the emulator's own loopback address.
    emu.admin().health().await.unwrap();
}

/// A client that never finishes its headers, or its body, is cut off
/// instead of holding a connection (and a task) forever.
#[tokio::test]
async fn slow_headers_and_bodies_time_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = emulator(0.0).await;
    let started = std::time::Instant::now();
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let closed =
        tokio::time::timeout(std::time::Duration::from_secs(15), s.read_to_end(&mut buf)).await;
    assert!(
        closed.is_ok(),
        "headers never finished, connection still open"
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));

    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nAction=")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let answered =
        tokio::time::timeout(std::time::Duration::from_secs(15), s.read_to_end(&mut buf)).await;
    assert!(
        answered.is_ok(),
        "body never finished, connection still open"
    );
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("<Code>RequestTimeout</Code>"), "{text}");
}

/// The call log keeps known action names only: a request cannot store a
/// string of its choosing (unknown actions are logged as "").
#[tokio::test]
async fn the_call_log_names_only_known_actions() {
    let emu = emulator(0.0).await;
    let junk = "X".repeat(10_000);
    let (s, _) = call(
        &emu,
        Some(EAST),
        &format!("Action={junk}&Version=2014-10-31"),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = call(
        &emu,
        Some(EAST),
        "Action=DescribeDBClusters&Version=2014-10-31",
    )
    .await;
    assert_eq!(s, 200);
    let calls = emu.admin().calls().await.unwrap();
    let actions: Vec<&str> = calls.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["", "DescribeDBClusters"]);
    assert_eq!(calls[0].code.as_deref(), Some("InvalidAction"));
}
