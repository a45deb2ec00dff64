//! Encode/decode tables, cty's lenient decoding, error paths, and agreement
//! with the msgpack codec.

use super::*;

fn num(s: &str) -> Value {
    Value::Number(s.parse().unwrap())
}

fn dec(json: &str, ty: &Type) -> Value {
    decode(json.as_bytes(), ty).unwrap_or_else(|e| panic!("{json} as {ty}: {e}"))
}

fn enc(v: &Value, ty: &Type) -> String {
    String::from_utf8(encode(v, ty).unwrap_or_else(|e| panic!("{v} as {ty}: {e}"))).unwrap()
}

fn obj_ty() -> Type {
    Type::object([
        ("name", Type::String),
        ("count", Type::Number),
        ("tags", Type::map(Type::String)),
        ("items", Type::list(Type::object([("id", Type::String)]))),
        ("ids", Type::set(Type::String)),
        ("pair", Type::tuple([Type::Bool, Type::Number])),
        ("any", Type::Dynamic),
    ])
}

#[test]
fn encode_decode_table() {
    let cases: Vec<(Type, Value, &str)> = vec![
        (Type::String, Value::Null, "null"),
        (Type::Bool, Value::bool(true), "true"),
        (
            Type::String,
            Value::string("a\"b\\c\n\u{1}é"),
            r#""a\"b\\c\n\u0001é""#,
        ),
        (Type::Number, num("1"), "1"),
        (Type::Number, num("-2.5"), "-2.5"),
        (Type::Number, num("0.1"), "0.1"),
        (Type::Number, num("1e-20"), "0.00000000000000000001"),
        (
            Type::Number,
            num("1180591620717411303424"),
            "1180591620717411303424",
        ),
        (
            Type::Number,
            num("123456789012345678901234567890"),
            "123456789012345678901234567890",
        ),
        (
            Type::Number,
            num("123456789012345678901234567890.5"),
            "123456789012345678901234567890.5",
        ),
        (
            Type::list(Type::Number),
            Value::list([num("1"), Value::Null]),
            "[1,null]",
        ),
        (
            Type::set(Type::String),
            Value::set([Value::string("a")]),
            r#"["a"]"#,
        ),
        (
            Type::map(Type::Bool),
            Value::map([("b", Value::bool(false)), ("a", Value::bool(true))]),
            r#"{"a":true,"b":false}"#,
        ),
        (
            Type::tuple([Type::String, Type::Number]),
            Value::tuple([Value::string("x"), num("2")]),
            r#"["x",2]"#,
        ),
        (
            Type::object([("b", Type::String), ("a", Type::list(Type::String))]),
            Value::object([("a", Value::list([])), ("b", Value::Null)]),
            r#"{"a":[],"b":null}"#,
        ),
        (Type::Dynamic, Value::Null, "null"),
        (
            Type::Dynamic,
            Value::dynamic(Type::String, Value::string("x")),
            r#"{"value":"x","type":"string"}"#,
        ),
        (
            Type::Dynamic,
            Value::dynamic(Type::String, Value::Null),
            r#"{"value":null,"type":"string"}"#,
        ),
        (
            Type::Dynamic,
            Value::dynamic(
                Type::object([("n", Type::Number)]),
                Value::object([("n", num("1e30"))]),
            ),
            r#"{"value":{"n":1000000000000000000000000000000},"type":["object",{"n":"number"}]}"#,
        ),
        (
            Type::map(Type::Dynamic),
            Value::map([(
                "k",
                Value::dynamic(Type::list(Type::Bool), Value::list([Value::bool(true)])),
            )]),
            r#"{"k":{"value":[true],"type":["list","bool"]}}"#,
        ),
    ];
    for (ty, v, want) in cases {
        assert_eq!(enc(&v, &ty), want, "{ty}");
        assert_eq!(dec(want, &ty), v, "{want}");
    }
}

#[test]
fn full_object_round_trip_with_nulls_at_every_level() {
    let full = Value::object([
        ("name", Value::string("orders")),
        ("count", num("99999999999999999999999")),
        ("tags", Value::map([("env", Value::string("prod"))])),
        (
            "items",
            Value::list([Value::object([("id", Value::string("a"))])]),
        ),
        ("ids", Value::set([Value::string("x"), Value::string("y")])),
        ("pair", Value::tuple([Value::bool(true), num("0.5")])),
        (
            "any",
            Value::dynamic(Type::set(Type::Number), Value::set([num("1")])),
        ),
    ]);
    let ty = obj_ty();
    assert_eq!(dec(&enc(&full, &ty), &ty), full);
    let Value::Object(attrs) = &full else {
        unreachable!()
    };
    for name in attrs.keys() {
        let mut m = attrs.clone();
        m.insert(name.clone(), Value::Null);
        let v = Value::Object(m);
        assert_eq!(dec(&enc(&v, &ty), &ty), v, "{name} null");
    }
    let nested_nulls = Value::object([
        ("name", Value::Null),
        ("count", Value::Null),
        ("tags", Value::map([("a", Value::Null)])),
        (
            "items",
            Value::list([Value::object([("id", Value::Null)]), Value::Null]),
        ),
        ("ids", Value::set([Value::Null])),
        ("pair", Value::tuple([Value::Null, Value::Null])),
        ("any", Value::Null),
    ]);
    assert_eq!(dec(&enc(&nested_nulls, &ty), &ty), nested_nulls);
}

#[test]
fn lenient_decoding_like_cty() {
    let cases: Vec<(&str, Type, Value)> = vec![
        // missing attributes decode as null
        (
            r#"{}"#,
            Type::object([("a", Type::String), ("b", Type::Number)]),
            Value::object([("a", Value::Null), ("b", Value::Null)]),
        ),
        (
            r#"{"a":"x"}"#,
            Type::object([("a", Type::String), ("b", Type::Number)]),
            Value::object([("a", Value::string("x")), ("b", Value::Null)]),
        ),
        // numbers from strings, strings from numbers and bools, bools from strings
        (r#""12.50""#, Type::Number, num("12.5")),
        (r#""1e400""#, Type::Number, num("1e400")),
        ("12.50", Type::String, Value::string("12.50")),
        ("true", Type::String, Value::string("true")),
        (r#""false""#, Type::Bool, Value::bool(false)),
        // whitespace and escapes
        (
            " \n\t[ 1 , 2 ]\r\n",
            Type::list(Type::Number),
            Value::list([num("1"), num("2")]),
        ),
        (
            r#""\u00e9\ud83d\ude00\/\b\f\t""#,
            Type::String,
            Value::string("é\u{1F600}/\u{8}\u{c}\t"),
        ),
        // an escape after plain text, and plain non-ASCII text
        (r#""ab\"c\\d""#, Type::String, Value::string("ab\"c\\d")),
        (
            r#""héllo wörld""#,
            Type::String,
            Value::string("héllo wörld"),
        ),
        // exponent forms keep full precision
        ("1E+2", Type::Number, num("100")),
        (
            "-0.0000000000000000000000000000001",
            Type::Number,
            num("-1e-31"),
        ),
        (
            "123456789012345678901234567890123456789",
            Type::Number,
            num("123456789012345678901234567890123456789"),
        ),
        // dynamic keys in either order
        (
            r#"{"type":"bool","value":true}"#,
            Type::Dynamic,
            Value::dynamic(Type::Bool, Value::bool(true)),
        ),
        // set duplicates collapse
        (
            r#"["a","a"]"#,
            Type::set(Type::String),
            Value::set([Value::string("a")]),
        ),
    ];
    for (json, ty, want) in cases {
        assert_eq!(dec(json, &ty), want, "{json}");
    }
}

#[test]
fn decode_errors_table() {
    let regions = Type::object([(
        "regions",
        Type::map(Type::object([("instances", Type::map(Type::String))])),
    )]);
    let cases: Vec<(&str, Type, &str)> = vec![
        (
            r#"{"regions":{"us-east-1":{"instances":[]}}}"#,
            regions.clone(),
            r#"at regions["us-east-1"].instances: expected a map, found an array"#,
        ),
        (
            r#"{"regions":{"us-east-1":{"instances":{},"x":1}}}"#,
            regions.clone(),
            r#"at regions["us-east-1"].x: unsupported attribute"#,
        ),
        (
            r#"{"a":1,"a":2}"#,
            Type::object([("a", Type::Number)]),
            "at a: duplicate attribute",
        ),
        (
            r#"{"k":1,"k":2}"#,
            Type::map(Type::Number),
            r#"at ["k"]: duplicate map key"#,
        ),
        ("[1]", Type::String, "expected a string, found an array"),
        (
            "{}",
            Type::list(Type::String),
            "expected a list, found an object",
        ),
        ("1", Type::Bool, "expected a bool, found a number"),
        (r#""yes""#, Type::Bool, "expected a bool, found a string"),
        (r#""abc""#, Type::Number, "expected a number"),
        (
            r#"[true]"#,
            Type::tuple([Type::Bool, Type::Bool]),
            "expected a tuple of 2 elements, found 1",
        ),
        (
            r#"["a",1,[]]"#,
            Type::list(Type::String),
            "at [2]: expected a string, found an array",
        ),
        (r#"{"value":1}"#, Type::Dynamic, "needs both"),
        (
            r#"{"value":1,"type":"number","x":1}"#,
            Type::Dynamic,
            "unexpected key",
        ),
        (
            r#"{"value":1,"type":"nope"}"#,
            Type::Dynamic,
            "invalid dynamic value type",
        ),
        (
            r#"{"value":"x","type":"number"}"#,
            Type::Dynamic,
            "expected a number",
        ),
        (
            r#""x""#,
            Type::Dynamic,
            "expected a value of any type, found a string",
        ),
        ("", Type::String, "unexpected end of input"),
        ("[1,2", Type::list(Type::Number), "expected ',' or ']'"),
        ("[1,]", Type::list(Type::Number), "unexpected character"),
        (r#"{"a" 1}"#, Type::map(Type::Number), "expected ':'"),
        (r#"{1:1}"#, Type::map(Type::Number), "expected a string key"),
        ("01", Type::Number, "unexpected data after"),
        ("1.", Type::Number, "no digits after '.'"),
        ("1e", Type::Number, "no exponent digits"),
        ("-", Type::Number, "invalid number"),
        ("+1", Type::Number, "unexpected character"),
        ("NaN", Type::Number, "unexpected character"),
        (r#""abc"#, Type::String, "unterminated string"),
        (r#""\x""#, Type::String, "invalid escape"),
        (r#""\ud83d""#, Type::String, "unpaired surrogate"),
        (r#""\u12""#, Type::String, "escape"),
        ("\"a\u{1}\"", Type::String, "control character"),
        ("nul", Type::String, "unexpected character"),
        ("true false", Type::Bool, "unexpected data after"),
    ];
    for (json, ty, want) in cases {
        let got = decode(json.as_bytes(), &ty)
            .map(|v| v.to_string())
            .unwrap_err()
            .to_string();
        assert!(
            got.contains(want),
            "{json} as {ty}: got {got:?}, want {want:?}"
        );
    }
    assert!(decode(b"\"\xff\"", &Type::String)
        .unwrap_err()
        .to_string()
        .contains("UTF-8"));
}

#[test]
fn encode_errors_table() {
    let ty = Type::object([("a", Type::list(Type::String))]);
    let cases: Vec<(Type, Value, &str)> = vec![
        (
            Type::String,
            Value::Unknown,
            "unknown values cannot be written as JSON",
        ),
        (
            ty.clone(),
            Value::object([("a", Value::list([Value::Unknown]))]),
            "at a[0]: unknown values",
        ),
        (Type::Number, num("+Inf"), "+Inf cannot be written as JSON"),
        (
            ty.clone(),
            Value::object::<&str>([]),
            "at a: missing attribute",
        ),
        (
            ty.clone(),
            Value::object([("a", Value::Null), ("b", Value::Null)]),
            "at b: unsupported attribute",
        ),
        (
            Type::Bool,
            Value::string("true"),
            "expected a bool (bool), found a string",
        ),
        (
            Type::Dynamic,
            Value::map::<&str>([]),
            "cannot tell the type",
        ),
        (
            Type::tuple([Type::Bool]),
            Value::tuple([]),
            "expected a tuple of 1 elements",
        ),
    ];
    for (ty, v, want) in cases {
        let got = encode(&v, &ty).unwrap_err().to_string();
        assert!(
            got.contains(want),
            "{v} as {ty}: got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn undefined_attributes_can_be_dropped_for_state_upgrades() {
    let ty = Type::object([
        ("a", Type::String),
        ("m", Type::map(Type::object([("x", Type::Number)]))),
    ]);
    let json = br#"{"a":"v","gone":1,"m":{"k":{"x":1,"old":true}}}"#;
    assert!(decode(json, &ty)
        .unwrap_err()
        .to_string()
        .contains("at gone: unsupported attribute"));
    let v = decode_ignoring_undefined(json, &ty).unwrap();
    assert_eq!(
        v,
        Value::object([
            ("a", Value::string("v")),
            (
                "m",
                Value::map([("k", Value::object([("x", Value::number(1))]))])
            ),
        ])
    );
    // Type errors are still errors.
    assert!(decode_ignoring_undefined(br#"{"a":[]}"#, &ty).is_err());
}

#[test]
fn deep_nesting_is_rejected_not_overflowing() {
    let deep = "[".repeat(100_000);
    let got = decode(deep.as_bytes(), &Type::Dynamic)
        .unwrap_err()
        .to_string();
    assert!(got.contains("nested too deeply"), "{got}");
}

#[test]
fn msgpack_and_json_agree() {
    let ty = obj_ty();
    let v = dec(
        r#"{"name":"n","count":0.1,"tags":{"a":"b"},"items":[{"id":"i"}],"ids":["x"],"pair":[false,2e70],"any":{"value":["a"],"type":["tuple",["string"]]}}"#,
        &ty,
    );
    let via_msgpack =
        super::super::msgpack::decode(&super::super::msgpack::encode(&v, &ty).unwrap(), &ty)
            .unwrap();
    assert_eq!(via_msgpack, v);
    assert_eq!(dec(&enc(&via_msgpack, &ty), &ty), v);
}
