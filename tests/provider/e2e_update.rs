//! In-place updates that change no topology: master password rotation
//! (stored `master_password`, and write-only `master_password_wo` through
//! `master_password_wo_version` on Terraform 1.15) and tags on every object.

use crate::common;

use common::{config, gci, per_host, plan_code, regions, tf_ok, Emu, Workdir};

fn body(password: &str, tags: &str) -> String {
    format!(
        "  engine_version = \"16.4\"\n  skip_final_snapshot = true\n  {password}\n  tags = {{ {tags} }}\n{}",
        regions(&[
            "    \"us-east-1\" = { instance_class = \"db.r6g.large\", instances = { a = {} } }",
            "    \"eu-west-1\" = { instance_class = \"db.r6g.large\", instances = { a = {} } }",
        ])
    )
}

fn tag_calls(emu: &Emu) -> Vec<(String, String)> {
    emu.calls()
        .into_iter()
        .filter(|c| c.action == "AddTagsToResource" || c.action == "RemoveTagsFromResource")
        .map(|c| (c.action, c.region))
        .collect()
}

#[test]
fn password_rotation_and_tags_update_in_place() {
    per_host(|host| {
        let emu = Emu::start(0.002);
        let id = gci("upd", host);
        let w = Workdir::new(&config(
            &emu,
            &id,
            &body(
                "master_password = \"first-password-1\"",
                "team = \"payments\"",
            ),
        ));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);

        // A new stored password is sent to the primary only, once.
        emu.clear_calls();
        w.write(
            "main.tf",
            &config(
                &emu,
                &id,
                &body(
                    "master_password = \"second-password-2\"",
                    "team = \"payments\"",
                ),
            ),
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert_eq!(
            emu.call_regions("ModifyDBCluster"),
            vec!["us-east-1"],
            "{}: password change",
            host.name
        );
        assert_eq!(plan_code(&w, host).0, 0, "{}", host.name);

        // Tags change on the global cluster, both clusters and both instances.
        emu.clear_calls();
        w.write(
            "main.tf",
            &config(
                &emu,
                &id,
                &body(
                    "master_password = \"second-password-2\"",
                    "team = \"orders\", tier = \"1\"",
                ),
            ),
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let tags = tag_calls(&emu);
        assert_eq!(
            tags.iter()
                .filter(|(a, _)| a == "AddTagsToResource")
                .count(),
            5,
            "{}: {tags:?}",
            host.name
        );
        assert!(
            emu.call_regions("ModifyDBCluster").is_empty(),
            "{}: tags must not resend the password",
            host.name
        );
        assert_eq!(plan_code(&w, host).0, 0, "{}", host.name);
        let t = emu
            .block_on(emu.rds("eu-west-1").describe_db_clusters().send())
            .unwrap();
        let c = &t.db_clusters.unwrap()[0];
        let tag = |k: &str| {
            c.tag_list()
                .iter()
                .find(|t| t.key() == Some(k))
                .and_then(|t| t.value())
                .map(str::to_string)
        };
        assert_eq!(tag("team").as_deref(), Some("orders"), "{}", host.name);
        assert_eq!(tag("tier").as_deref(), Some("1"), "{}", host.name);
        assert_eq!(
            tag("replication:topology").as_deref(),
            Some(id.as_str()),
            "{}: ownership tag kept",
            host.name
        );

        if host.write_only {
            // Write-only: a new version re-sends the password; it is never stored.
            let wo = |v: u32| {
                body(&format!("master_password_wo = \"write-only-pw-{v}\"\n  master_password_wo_version = {v}"), "team = \"orders\", tier = \"1\"")
            };
            emu.clear_calls();
            w.write("main.tf", &config(&emu, &id, &wo(1)));
            tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
            assert_eq!(
                emu.call_regions("ModifyDBCluster"),
                vec!["us-east-1"],
                "{}: wo version 1",
                host.name
            );
            emu.clear_calls();
            tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
            assert!(
                emu.call_regions("ModifyDBCluster").is_empty(),
                "{}: same version sends nothing",
                host.name
            );
            w.write("main.tf", &config(&emu, &id, &wo(2)));
            tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
            assert_eq!(
                emu.call_regions("ModifyDBCluster"),
                vec!["us-east-1"],
                "{}: wo version 2",
                host.name
            );
            let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).unwrap();
            assert!(
                !state.contains("write-only-pw"),
                "{}: a write-only password reached the state",
                host.name
            );
        }
        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
    });
}
