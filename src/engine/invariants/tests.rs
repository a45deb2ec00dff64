//! Table tests for the plan and apply rules: fixtures over a schema with
//! every attribute kind and nesting mode, then valid and invalid cases per rule.

use super::*;
use crate::tf::{Attribute, BlockNesting, NestedAttributes, NestedBlock, Step, Type};

fn s(v: &str) -> Value {
    Value::string(v)
}

fn block_body() -> Block {
    Block::new().attributes(vec![
        Attribute::optional("v", Type::String),
        Attribute::computed("id", Type::String),
    ])
}

fn schema() -> Block {
    Block::new()
        .attributes(vec![
            Attribute::required("name", Type::String),
            Attribute::optional("desc", Type::String),
            Attribute::optional("secret", Type::String).sensitive(),
            Attribute::optional_computed("version", Type::String),
            Attribute::computed("arn", Type::String),
            Attribute::optional("password_wo", Type::String)
                .sensitive()
                .write_only(),
            Attribute::optional(
                "regions",
                NestedAttributes::map(vec![
                    Attribute::required("class", Type::String),
                    Attribute::optional_computed("tier", Type::Number),
                    Attribute::computed("endpoint", Type::String),
                    Attribute::optional("token", Type::String).sensitive(),
                ]),
            ),
            Attribute::optional(
                "list_n",
                NestedAttributes::list(vec![
                    Attribute::optional("x", Type::String),
                    Attribute::computed("id", Type::String),
                ]),
            ),
            Attribute::optional(
                "set_n",
                NestedAttributes::set(vec![Attribute::required("k", Type::String)]),
            ),
            Attribute::optional(
                "single_n",
                NestedAttributes::single(vec![Attribute::optional("x", Type::String)]),
            ),
            Attribute::optional("tags", Type::map(Type::String)),
            Attribute::optional("ids", Type::set(Type::String)),
            Attribute::optional("names", Type::list(Type::String)),
            Attribute::optional("any", Type::Dynamic),
        ])
        .blocks(vec![
            NestedBlock::new("rule", BlockNesting::List, block_body()),
            NestedBlock::new("single", BlockNesting::Single, block_body()),
            NestedBlock::new("mb", BlockNesting::Map, block_body()),
            NestedBlock::new("sb", BlockNesting::Set, block_body()),
            NestedBlock::new("grp", BlockNesting::Group, block_body()),
        ])
}

fn body(v: Value, id: Value) -> Value {
    Value::object([("v", v), ("id", id)])
}

/// A configuration touching every attribute and block kind.
fn config() -> Value {
    Value::object([
        ("name", s("n")),
        ("desc", Value::Null),
        ("secret", s("hunter2")),
        ("version", Value::Null),
        ("arn", Value::Null),
        ("password_wo", s("pw")),
        (
            "regions",
            Value::map([(
                "us-east-1",
                Value::object([
                    ("class", s("c")),
                    ("tier", Value::Null),
                    ("endpoint", Value::Null),
                    ("token", s("tok")),
                ]),
            )]),
        ),
        (
            "list_n",
            Value::list([Value::object([("x", s("a")), ("id", Value::Null)])]),
        ),
        ("set_n", Value::set([Value::object([("k", s("a"))])])),
        ("single_n", Value::object([("x", s("s"))])),
        ("tags", Value::map([("a", s("b"))])),
        ("ids", Value::set([s("i"), s("j")])),
        ("names", Value::list([s("p"), s("q")])),
        ("any", Value::dynamic(Type::String, s("d"))),
        ("rule", Value::list([body(s("r"), Value::Null)])),
        ("single", Value::Null),
        ("mb", Value::map([("k", body(s("m"), Value::Null))])),
        ("sb", Value::set([body(s("s"), Value::Null)])),
        ("grp", body(Value::Null, Value::Null)),
    ])
}

/// A valid plan for creating `config()`.
fn planned() -> Value {
    let mut v = config();
    for (path, new) in [
        (vec![a("password_wo")], Value::Null),
        (vec![a("version")], Value::Unknown),
        (vec![a("arn")], Value::Unknown),
        (
            vec![a("regions"), k("us-east-1"), a("tier")],
            Value::number(1),
        ),
        (
            vec![a("regions"), k("us-east-1"), a("endpoint")],
            Value::Unknown,
        ),
        (vec![a("list_n"), i(0), a("id")], Value::Unknown),
        (vec![a("rule"), i(0), a("id")], Value::Unknown),
        (vec![a("mb"), k("k"), a("id")], Value::Unknown),
        (vec![a("grp"), a("id")], Value::Unknown),
    ] {
        v = with(v, &path, new);
    }
    v
}

/// What a correct apply of `planned()` returns.
fn applied() -> Value {
    let mut v = planned();
    for (path, new) in [
        (vec![a("version")], s("16.4")),
        (vec![a("arn")], s("arn:aws:rds::1:global-cluster:n")),
        (vec![a("regions"), k("us-east-1"), a("endpoint")], s("ep")),
        (vec![a("list_n"), i(0), a("id")], s("l0")),
        (vec![a("rule"), i(0), a("id")], s("r0")),
        (vec![a("mb"), k("k"), a("id")], s("m0")),
        (vec![a("grp"), a("id")], s("g0")),
    ] {
        v = with(v, &path, new);
    }
    v
}

fn a(n: &str) -> Step {
    Step::Attr(n.into())
}
fn k(n: &str) -> Step {
    Step::Key(n.into())
}
fn i(n: i64) -> Step {
    Step::Index(n)
}

/// `v` with the value at `path` replaced by `new`.
fn with(mut v: Value, path: &[Step], new: Value) -> Value {
    fn slot<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
        let Some((first, rest)) = path.split_first() else {
            return v;
        };
        let next = match (v, first) {
            (Value::Object(m), Step::Attr(n)) | (Value::Map(m), Step::Key(n)) => {
                m.get_mut(n).expect("no such key")
            }
            (Value::List(items) | Value::Set(items), Step::Index(i)) => &mut items[*i as usize],
            (other, step) => panic!("cannot step {step:?} into {other}"),
        };
        slot(next, rest)
    }
    *slot(&mut v, path) = new;
    v
}

fn run_plan(prior: &Value, config: &Value, planned: &Value) -> Vec<String> {
    check_plan(&schema(), prior, config, planned)
}

fn assert_problems(got: &[String], want: &[&str], case: &str) {
    if want.is_empty() {
        assert!(got.is_empty(), "{case}: expected no problems, got {got:#?}");
        return;
    }
    for w in want {
        assert!(
            got.iter().any(|g| g.contains(w)),
            "{case}: no problem containing {w:?} in {got:#?}"
        );
    }
}

#[test]
fn fixtures_conform_to_the_schema() {
    let ty = schema().value_type();
    for v in [config(), planned(), applied()] {
        assert!(v.conforms_to(&ty), "{v}");
    }
    assert!(applied().is_wholly_known());
}

#[test]
fn valid_plans_table() {
    let prior = applied();
    let cases: Vec<(&str, Value, Value, Value)> = vec![
        ("create", Value::Null, config(), planned()),
        ("destroy", prior.clone(), Value::Null, Value::Null),
        (
            "no-op update keeps prior computed values",
            prior.clone(),
            config(),
            with(prior.clone(), &[a("password_wo")], Value::Null),
        ),
        (
            "update may keep a prior value that differs from config",
            with(prior.clone(), &[a("desc")], s("A")),
            with(config(), &[a("desc")], s("a")),
            with(
                with(prior.clone(), &[a("password_wo")], Value::Null),
                &[a("desc")],
                s("A"),
            ),
        ),
        (
            "optional+computed null in config may be planned as the prior value",
            prior.clone(),
            config(),
            with(planned(), &[a("version")], s("16.4")),
        ),
        (
            "optional+computed set in config planned as config",
            Value::Null,
            with(config(), &[a("version")], s("15")),
            with(planned(), &[a("version")], s("15")),
        ),
        (
            "unknown config may be planned unknown",
            Value::Null,
            with(config(), &[a("desc")], Value::Unknown),
            with(planned(), &[a("desc")], Value::Unknown),
        ),
        (
            "computed-only attribute set in config may be planned as anything",
            Value::Null,
            with(config(), &[a("arn")], s("x")),
            with(planned(), &[a("arn")], s("y")),
        ),
        (
            "sets compare as sets",
            Value::Null,
            config(),
            with(planned(), &[a("ids")], Value::Set(vec![s("j"), s("i")])),
        ),
        (
            "numbers compare numerically",
            Value::Null,
            with(
                config(),
                &[a("regions"), k("us-east-1"), a("tier")],
                Value::number(2),
            ),
            with(
                planned(),
                &[a("regions"), k("us-east-1"), a("tier")],
                Value::Number("2.0".parse().unwrap()),
            ),
        ),
        (
            "unknown whole nested attribute where config is unknown",
            Value::Null,
            with(config(), &[a("regions")], Value::Unknown),
            with(planned(), &[a("regions")], Value::Unknown),
        ),
        (
            "null single block with null config",
            Value::Null,
            config(),
            planned(),
        ),
        (
            "empty list block with null config from a legacy source",
            Value::Null,
            with(config(), &[a("rule")], Value::Null),
            with(planned(), &[a("rule")], Value::list([])),
        ),
        (
            "set block elements are not correlated",
            Value::Null,
            config(),
            with(
                planned(),
                &[a("sb")],
                Value::set([body(s("s"), Value::Unknown)]),
            ),
        ),
    ];
    for (name, prior, config, planned) in cases {
        assert_problems(&run_plan(&prior, &config, &planned), &[], name);
    }
}

#[test]
fn plan_violations_table() {
    let prior = applied();
    let p = planned;
    let c = config;
    let cases: Vec<(&str, Value, Value, Value, Vec<&str>)> = vec![
        (
            "non-computed attribute differs from config",
            Value::Null,
            with(c(), &[a("desc")], s("a")),
            with(p(), &[a("desc")], s("b")),
            vec![r#"desc: planned value "b" does not match config value "a""#],
        ),
        (
            "differs from config and prior",
            with(prior.clone(), &[a("desc")], s("A")),
            with(c(), &[a("desc")], s("a")),
            with(p(), &[a("desc")], s("b")),
            vec![r#"desc: planned value "b" does not match config value "a" nor prior value "A""#],
        ),
        (
            "non-computed attribute with null config planned non-null",
            Value::Null,
            c(),
            with(p(), &[a("desc")], s("x")),
            vec![r#"desc: planned value "x" for a non-computed attribute"#],
        ),
        (
            "unknown planned for a configured non-computed attribute",
            Value::Null,
            with(c(), &[a("desc")], s("a")),
            with(p(), &[a("desc")], Value::Unknown),
            vec![r#"desc: planned value (unknown) does not match config value "a""#],
        ),
        (
            "optional+computed with config set planned differently",
            Value::Null,
            with(c(), &[a("version")], s("15")),
            with(p(), &[a("version")], s("16")),
            vec![r#"version: planned value "16" does not match config value "15""#],
        ),
        (
            "optional+computed with config set planned unknown",
            Value::Null,
            with(c(), &[a("version")], s("15")),
            p(),
            vec![r#"version: planned value (unknown) does not match config value "15""#],
        ),
        (
            "sensitive value mismatch hides the values",
            Value::Null,
            c(),
            with(p(), &[a("secret")], s("other")),
            vec!["secret: sensitive planned value does not match config value"],
        ),
        (
            "write-only attribute planned non-null",
            Value::Null,
            c(),
            with(p(), &[a("password_wo")], s("pw")),
            vec!["password_wo: planned value for write-only attribute is not null"],
        ),
        (
            "planned destroy while config exists",
            prior.clone(),
            c(),
            Value::Null,
            vec!["planned for absence but config wants existence"],
        ),
        (
            "planned existence while config is null",
            prior.clone(),
            Value::Null,
            p(),
            vec!["planned for existence but config wants absence"],
        ),
        ("planned object unknown", Value::Null, c(), Value::Unknown, vec!["planned an unknown object"]),
        (
            "nested map attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("regions"), k("us-east-1"), a("class")], s("d")),
            vec![r#"regions["us-east-1"].class: planned value "d" does not match config value "c""#],
        ),
        (
            "nested map sensitive attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("regions"), k("us-east-1"), a("token")], s("leak")),
            vec![r#"regions["us-east-1"].token: sensitive planned value does not match config value"#],
        ),
        (
            "nested map key added by the plan",
            Value::Null,
            c(),
            with(
                p(),
                &[a("regions")],
                Value::map([
                    ("us-east-1", Value::object([("class", s("c")), ("tier", Value::number(1)), ("endpoint", Value::Unknown), ("token", s("tok"))])),
                    ("eu-west-1", Value::object([("class", s("c")), ("tier", Value::number(1)), ("endpoint", Value::Unknown), ("token", Value::Null)])),
                ]),
            ),
            vec![r#"regions: map key "eu-west-1" from plan is not present in config"#],
        ),
        (
            "nested map key dropped by the plan",
            Value::Null,
            c(),
            with(p(), &[a("regions")], Value::map::<&str>([])),
            vec![r#"regions: map key "us-east-1" from config is not present in plan"#],
        ),
        (
            "nested list count differs",
            Value::Null,
            c(),
            with(
                p(),
                &[a("list_n")],
                Value::list([
                    Value::object([("x", s("a")), ("id", Value::Unknown)]),
                    Value::object([("x", s("b")), ("id", Value::Unknown)]),
                ]),
            ),
            vec!["list_n: count in plan (2) disagrees with count in config (1)"],
        ),
        (
            "nested list element attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("list_n"), i(0), a("x")], s("z")),
            vec![r#"list_n[0].x: planned value "z" does not match config value "a""#],
        ),
        (
            "nested single attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("single_n"), a("x")], Value::Null),
            vec![r#"single_n.x: planned value null does not match config value "s""#],
        ),
        (
            "nested attribute planned null while configured",
            Value::Null,
            c(),
            with(p(), &[a("single_n")], Value::Null),
            vec!["single_n: planned for absence but config wants existence"],
        ),
        (
            "nested attribute planned unknown while configured",
            Value::Null,
            c(),
            with(p(), &[a("regions")], Value::Unknown),
            vec!["regions: planned unknown for configured value"],
        ),
        (
            "nested attribute planned while config is null",
            Value::Null,
            with(c(), &[a("single_n")], Value::Null),
            p(),
            vec![r#"single_n: planned value {x = "s"} for a non-computed attribute"#],
        ),
        (
            "nested set count differs",
            Value::Null,
            c(),
            with(p(), &[a("set_n")], Value::set([Value::object([("k", s("a"))]), Value::object([("k", s("b"))])])),
            vec!["set_n: count in plan (2) disagrees with count in config (1)"],
        ),
        (
            "map attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("tags"), k("a")], s("c")),
            vec![r#"tags: planned value {"a" = "c"} does not match config value {"a" = "b"}"#],
        ),
        (
            "set attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("ids")], Value::set([s("i")])),
            vec![r#"ids: planned value set(["i"]) does not match config value set(["i", "j"])"#],
        ),
        (
            "list attribute order matters",
            Value::Null,
            c(),
            with(p(), &[a("names")], Value::list([s("q"), s("p")])),
            vec!["names: planned value"],
        ),
        (
            "dynamic attribute changes type",
            Value::Null,
            c(),
            with(p(), &[a("any")], Value::dynamic(Type::Number, Value::number(1))),
            vec![r#"any: planned value 1 does not match config value "d""#],
        ),
        (
            "list block planned null",
            Value::Null,
            c(),
            with(p(), &[a("rule")], Value::Null),
            vec!["rule: attribute representing a list of nested blocks must be empty to indicate no blocks, not null"],
        ),
        (
            "group block planned null",
            Value::Null,
            c(),
            with(p(), &[a("grp")], Value::Null),
            vec!["grp: attribute representing a group of nested blocks must be empty"],
        ),
        (
            "set block planned null",
            Value::Null,
            c(),
            with(p(), &[a("sb")], Value::Null),
            vec!["sb: attribute representing a set of nested blocks"],
        ),
        (
            "list block count differs",
            Value::Null,
            c(),
            with(p(), &[a("rule")], Value::list([])),
            vec!["rule: block count in plan (0) disagrees with count in config (1)"],
        ),
        (
            "list block element unknown",
            Value::Null,
            c(),
            with(p(), &[a("rule"), i(0)], Value::Unknown),
            vec!["rule[0]: element representing nested block must not be unknown itself"],
        ),
        (
            "list block attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("rule"), i(0), a("v")], s("x")),
            vec![r#"rule[0].v: planned value "x" does not match config value "r""#],
        ),
        (
            "block planned unknown",
            Value::Null,
            c(),
            with(p(), &[a("rule")], Value::Unknown),
            vec!["rule: planned unknown value for non-computed block"],
        ),
        (
            "dynamic block with unknown for_each planned known",
            Value::Null,
            with(c(), &[a("rule")], Value::Unknown),
            p(),
            vec!["rule: planned value [{id = (unknown), v = \"r\"}] for unknown dynamic block"],
        ),
        (
            "map block key dropped and added",
            Value::Null,
            c(),
            with(p(), &[a("mb")], Value::map([("other", body(s("m"), Value::Unknown))])),
            vec![
                r#"mb: block key "other" from plan is not present in config"#,
                r#"mb: block key "k" from config is not present in plan"#,
            ],
        ),
        (
            "map block attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("mb"), k("k"), a("v")], s("x")),
            vec![r#"mb["k"].v: planned value "x" does not match config value "m""#],
        ),
        (
            "map block element unknown",
            Value::Null,
            c(),
            with(p(), &[a("mb"), k("k")], Value::Unknown),
            vec![r#"mb["k"]: element representing nested block must not be unknown itself"#],
        ),
        (
            "set block element unknown",
            Value::Null,
            c(),
            with(p(), &[a("sb")], Value::set([Value::Unknown])),
            vec!["sb[0]: element representing nested block must not be unknown itself"],
        ),
        (
            "single block planned while config is null",
            Value::Null,
            c(),
            with(p(), &[a("single")], body(Value::Null, Value::Unknown)),
            vec!["single: planned for existence but config wants absence"],
        ),
        (
            "single block attribute differs",
            Value::Null,
            with(c(), &[a("single")], body(s("a"), Value::Null)),
            with(p(), &[a("single")], body(s("b"), Value::Unknown)),
            vec![r#"single.v: planned value "b" does not match config value "a""#],
        ),
        (
            "group block attribute differs",
            Value::Null,
            c(),
            with(p(), &[a("grp"), a("v")], s("x")),
            vec!["grp.v: planned value \"x\" for a non-computed attribute"],
        ),
        (
            "planned value missing an attribute",
            Value::Null,
            c(),
            {
                let Value::Object(mut m) = p() else { unreachable!() };
                m.remove("desc");
                Value::Object(m)
            },
            vec!["desc: planned value does not match the schema: missing attribute"],
        ),
    ];
    for (name, prior, config, planned, want) in cases {
        let got = run_plan(&prior, &config, &planned);
        assert_problems(&got, &want, name);
    }
}

#[test]
fn sensitive_values_never_appear_in_plan_messages() {
    let got = run_plan(
        &Value::Null,
        &config(),
        &with(planned(), &[a("secret")], s("s3cr3t-planned")),
    );
    let got2 = run_plan(
        &Value::Null,
        &with(config(), &[a("secret")], Value::Null),
        &with(planned(), &[a("secret")], s("s3cr3t-planned")),
    );
    let got3 = run_plan(
        &Value::Null,
        &config(),
        &with(planned(), &[a("password_wo")], s("pw")),
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got2,
        ["secret: sensitive planned value for a non-computed attribute"]
    );
    for msg in got.iter().chain(&got2).chain(&got3) {
        assert!(
            !msg.contains("s3cr3t") && !msg.contains("hunter2") && !msg.contains("\"pw\""),
            "{msg}"
        );
    }
}

#[test]
fn values_holding_secrets_are_redacted_in_messages() {
    // A nested attribute with a sensitive child, planned while config is null.
    let got = run_plan(
        &Value::Null,
        &with(config(), &[a("regions")], Value::Null),
        &planned(),
    );
    assert_eq!(
        got,
        ["regions: planned value (sensitive value) for a non-computed attribute"]
    );
    // A set of blocks with a sensitive attribute grows after apply.
    let secret_block = Block::new()
        .attributes(vec![
            Attribute::optional("v", Type::String),
            Attribute::optional("key", Type::String).sensitive(),
        ])
        .blocks(vec![NestedBlock::new(
            "sb",
            BlockNesting::Set,
            Block::new().attributes(vec![Attribute::optional("k", Type::String).sensitive()]),
        )]);
    let elem = |k: &str| Value::object([("k", s(k))]);
    let planned = Value::object([
        ("v", Value::Null),
        ("key", Value::Null),
        ("sb", Value::set([elem("secret-a")])),
    ]);
    let new = Value::object([
        ("v", Value::Null),
        ("key", Value::Null),
        ("sb", Value::set([elem("secret-a"), elem("secret-b")])),
    ]);
    let got = check_apply(&secret_block, &planned, &new);
    assert_eq!(
        got,
        [
            "sb: actual set element #1 does not correlate with any element in plan",
            "sb: block set length changed from 1 to 2"
        ]
    );
    // An unknown dynamic block planned as known.
    let config = Value::object([
        ("v", Value::Null),
        ("key", Value::Null),
        ("sb", Value::Unknown),
    ]);
    let got = check_plan(&secret_block, &Value::Null, &config, &planned);
    assert_eq!(
        got,
        ["sb: planned value (sensitive value) for unknown dynamic block"]
    );
    // A nested attribute with a sensitive child that turns null after apply.
    let got = run_apply(
        &planned_full_regions(),
        &with(applied(), &[a("regions")], Value::Null),
    );
    assert_eq!(got, ["regions: was (sensitive value), but now null"]);
}

fn planned_full_regions() -> Value {
    with(
        planned(),
        &[a("regions"), k("us-east-1"), a("endpoint")],
        s("ep"),
    )
}

#[test]
fn violations_carry_paths() {
    let v = plan_violations(
        &schema(),
        &schema().value_type(),
        &Value::Null,
        &config(),
        &with(
            planned(),
            &[a("regions"), k("us-east-1"), a("class")],
            s("d"),
        ),
    );
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].path,
        AttributePath::root()
            .attr("regions")
            .key("us-east-1")
            .attr("class")
    );
    assert!(v[0].message.starts_with("planned value"));
}

fn run_apply(planned: &Value, new: &Value) -> Vec<String> {
    check_apply(&schema(), planned, new)
}

#[test]
fn valid_apply_results_table() {
    let cases: Vec<(&str, Value, Value)> = vec![
        ("create", planned(), applied()),
        ("destroy", Value::Null, Value::Null),
        (
            "unknown set elements may coalesce",
            with(
                planned(),
                &[a("ids")],
                Value::Set(vec![Value::Unknown, Value::Unknown]),
            ),
            with(applied(), &[a("ids")], Value::set([s("a")])),
        ),
        (
            "unknown set may become anything",
            with(planned(), &[a("ids")], Value::Unknown),
            with(applied(), &[a("ids")], Value::set([s("a"), s("b"), s("c")])),
        ),
        (
            "sets compare as sets",
            planned(),
            with(applied(), &[a("ids")], Value::Set(vec![s("j"), s("i")])),
        ),
        (
            "unknown dynamic may become any type",
            with(planned(), &[a("any")], Value::Unknown),
            with(
                applied(),
                &[a("any")],
                Value::dynamic(Type::list(Type::Bool), Value::list([Value::bool(true)])),
            ),
        ),
        (
            "unknown nested map may become anything",
            with(planned(), &[a("regions")], Value::Unknown),
            with(applied(), &[a("regions")], Value::map::<&str>([])),
        ),
        (
            "unknown single block may vanish",
            with(planned(), &[a("single")], Value::Unknown),
            applied(),
        ),
    ];
    for (name, planned, new) in cases {
        assert_problems(&run_apply(&planned, &new), &[], name);
    }
}

#[test]
fn apply_violations_table() {
    let p = planned;
    let n = applied;
    let cases: Vec<(&str, Value, Value, Vec<&str>)> = vec![
        (
            "present after destroy",
            Value::Null,
            n(),
            vec!["Root object was absent, but now present"],
        ),
        (
            "absent after create",
            p(),
            Value::Null,
            vec!["Root object was present, but now absent"],
        ),
        (
            "unknown left after apply",
            p(),
            with(n(), &[a("arn")], Value::Unknown),
            vec!["arn: unknown value after apply"],
        ),
        (
            "nested unknown left after apply",
            p(),
            with(
                n(),
                &[a("regions"), k("us-east-1"), a("endpoint")],
                Value::Unknown,
            ),
            vec![r#"regions["us-east-1"].endpoint: unknown value after apply"#],
        ),
        (
            "write-only stored",
            p(),
            with(n(), &[a("password_wo")], s("pw")),
            vec![
                "password_wo: write-only attribute has a non-null value after apply",
                "password_wo: inconsistent values for sensitive attribute",
            ],
        ),
        (
            "known value changed",
            p(),
            with(n(), &[a("name")], s("m")),
            vec![r#"name: was "n", but now "m""#],
        ),
        (
            "null became value",
            p(),
            with(n(), &[a("desc")], s("x")),
            vec![r#"desc: was null, but now "x""#],
        ),
        (
            "value became null",
            p(),
            with(n(), &[a("name")], Value::Null),
            vec![r#"name: was "n", but now null"#],
        ),
        (
            "sensitive changed",
            p(),
            with(n(), &[a("secret")], s("leak")),
            vec!["secret: inconsistent values for sensitive attribute"],
        ),
        (
            "nested known value changed",
            p(),
            with(
                n(),
                &[a("regions"), k("us-east-1"), a("tier")],
                Value::number(2),
            ),
            vec![r#"regions["us-east-1"].tier: was 1, but now 2"#],
        ),
        (
            "nested sensitive value changed",
            p(),
            with(n(), &[a("regions"), k("us-east-1"), a("token")], s("leak")),
            vec![r#"regions["us-east-1"].token: inconsistent values for sensitive attribute"#],
        ),
        (
            "nested map element vanished",
            p(),
            with(n(), &[a("regions")], Value::map::<&str>([])),
            vec![r#"regions: element "us-east-1" has vanished"#],
        ),
        (
            "nested list element appeared",
            p(),
            with(
                n(),
                &[a("list_n")],
                Value::list([
                    Value::object([("x", s("a")), ("id", s("l0"))]),
                    Value::object([("x", s("b")), ("id", s("l1"))]),
                ]),
            ),
            vec!["list_n: new element 1 has appeared"],
        ),
        (
            "nested set grew",
            p(),
            with(
                n(),
                &[a("set_n")],
                Value::set([
                    Value::object([("k", s("a"))]),
                    Value::object([("k", s("b"))]),
                ]),
            ),
            vec![
                r#"set_n: actual set element {k = "b"} does not correlate"#,
                "set_n: length changed from 1 to 2",
            ],
        ),
        (
            "list element changed",
            p(),
            with(n(), &[a("names"), i(1)], s("z")),
            vec![r#"names[1]: was "q", but now "z""#],
        ),
        (
            "list element vanished",
            p(),
            with(n(), &[a("names")], Value::list([s("p")])),
            vec!["names: element 1 has vanished"],
        ),
        (
            "map element appeared",
            p(),
            with(
                n(),
                &[a("tags")],
                Value::map([("a", s("b")), ("c", s("d"))]),
            ),
            vec![r#"tags: new element "c" has appeared"#],
        ),
        (
            "set grew",
            p(),
            with(n(), &[a("ids")], Value::set([s("i"), s("j"), s("k")])),
            vec![
                r#"ids: actual set element "k" does not correlate with any element in plan"#,
                "ids: length changed from 2 to 3",
            ],
        ),
        (
            "set element changed",
            p(),
            with(n(), &[a("ids")], Value::set([s("i"), s("x")])),
            vec![r#"ids: planned set element "j" does not correlate with any element in actual"#],
        ),
        (
            "dynamic type changed",
            p(),
            with(
                n(),
                &[a("any")],
                Value::dynamic(Type::Number, Value::number(1)),
            ),
            vec!["any: wrong final value type: number instead of string"],
        ),
        (
            "dynamic value changed",
            p(),
            with(n(), &[a("any")], Value::dynamic(Type::String, s("e"))),
            vec![r#"any: was "d", but now "e""#],
        ),
        (
            "list block count changed",
            p(),
            with(n(), &[a("rule")], Value::list([])),
            vec!["rule: block count changed from 1 to 0"],
        ),
        (
            "list block attribute changed",
            p(),
            with(n(), &[a("rule"), i(0), a("v")], s("x")),
            vec![r#"rule[0].v: was "r", but now "x""#],
        ),
        (
            "map block key vanished",
            p(),
            with(n(), &[a("mb")], Value::map::<&str>([])),
            vec![r#"mb: block key "k" has vanished"#],
        ),
        (
            "map block key appeared",
            p(),
            with(
                n(),
                &[a("mb")],
                Value::map([
                    ("k", body(s("m"), s("m0"))),
                    ("z", body(Value::Null, s("z0"))),
                ]),
            ),
            vec![r#"mb: new block key "z" has appeared"#],
        ),
        (
            "set block grew",
            p(),
            with(
                n(),
                &[a("sb")],
                Value::set([body(s("s"), Value::Null), body(s("t"), Value::Null)]),
            ),
            vec![
                "sb: block set length changed from 1 to 2",
                "sb: actual set element",
            ],
        ),
        (
            "single block appeared",
            p(),
            with(n(), &[a("single")], body(Value::Null, s("x"))),
            vec!["single: was absent, but now present"],
        ),
        (
            "group attribute changed",
            p(),
            with(n(), &[a("grp"), a("v")], s("x")),
            vec![r#"grp.v: was null, but now "x""#],
        ),
        (
            "new state missing an attribute",
            p(),
            {
                let Value::Object(mut m) = n() else {
                    unreachable!()
                };
                m.remove("arn");
                Value::Object(m)
            },
            vec!["arn: new state does not match the schema: missing attribute"],
        ),
        (
            "wrong kind",
            p(),
            with(n(), &[a("tags")], Value::list([s("b")])),
            vec!["tags: wrong final value type: expected a map"],
        ),
    ];
    for (name, planned, new, want) in cases {
        let got = run_apply(&planned, &new);
        assert_problems(&got, &want, name);
    }
}

#[test]
fn sensitive_values_never_appear_in_apply_messages() {
    let new = with(
        with(applied(), &[a("secret")], s("leaked-secret")),
        &[a("password_wo")],
        s("leaked-pw"),
    );
    let new = with(
        new,
        &[a("regions"), k("us-east-1"), a("token")],
        s("leaked-token"),
    );
    let got = run_apply(&planned(), &new);
    assert!(!got.is_empty());
    for msg in &got {
        assert!(
            !msg.contains("leaked") && !msg.contains("hunter2") && !msg.contains("tok\""),
            "{msg}"
        );
    }
}

#[test]
fn large_unchanged_sets_are_checked_quickly() {
    let big = Value::set((0..50_000).map(|n| s(&n.to_string())));
    let planned = with(planned(), &[a("ids")], big.clone());
    let new = with(applied(), &[a("ids")], big);
    assert!(run_apply(&planned, &new).is_empty());
}

#[test]
fn set_elements_correlate_with_unknown_placeholders() {
    let planned = with(
        planned(),
        &[a("ids")],
        Value::Set(vec![s("i"), Value::Unknown]),
    );
    assert!(run_apply(
        &planned,
        &with(applied(), &[a("ids")], Value::set([s("i"), s("new")]))
    )
    .is_empty());
    assert!(run_apply(
        &planned,
        &with(applied(), &[a("ids")], Value::set([s("i")]))
    )
    .is_empty());
    let got = run_apply(
        &planned,
        &with(applied(), &[a("ids")], Value::set([s("x"), s("y")])),
    );
    assert_problems(
        &got,
        &[r#"ids: planned set element "i" does not correlate"#],
        "known element lost",
    );
}

#[test]
fn destroy_checks_need_no_schema_match() {
    assert!(run_plan(&applied(), &Value::Null, &Value::Null).is_empty());
    assert!(run_apply(&Value::Null, &Value::Null).is_empty());
}
