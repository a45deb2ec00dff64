//! DynamicValue decoding: msgpack and JSON bytes decoded against the
//! provider's schemas (and `dynamic`, which carries its type on the wire).
//! Decoding must never panic; whatever decodes must re-encode, decode back to
//! an equal value, and re-encode to the same bytes. A JSON-decoded value must
//! also survive a msgpack round trip (the two codecs agree on values), and
//! the direct JSON-to-msgpack path of UpgradeResourceState must give the same
//! bytes as decoding and re-encoding, or give up.
//!
//! Input: one selector byte (codec x type), then the encoded value.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use replication_fuzz::{data_source_type, provider_type, resource_type};
use terraform_provider_replication::tf::{json, msgpack, Type, Value};

fn types() -> &'static [Type; 4] {
    static TYPES: OnceLock<[Type; 4]> = OnceLock::new();
    TYPES.get_or_init(|| [resource_type(), provider_type(), data_source_type(), Type::Dynamic])
}

fn has_infinity(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_infinite(),
        Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => xs.iter().any(has_infinity),
        Value::Map(m) | Value::Object(m) => m.values().any(has_infinity),
        Value::Dynamic(_, v) => has_infinity(v),
        _ => false,
    }
}

fn msgpack_round_trip(v: &Value, ty: &Type) {
    let bytes = msgpack::encode(v, ty).unwrap_or_else(|e| panic!("msgpack cannot encode a value it decoded: {e}\n{v:?}"));
    let back = msgpack::decode(&bytes, ty).unwrap_or_else(|e| panic!("msgpack cannot decode its own encoding: {e}\n{v:?}"));
    assert_eq!(&back, v, "msgpack round trip changed the value");
    let again = msgpack::encode(&back, ty).expect("re-encode");
    assert_eq!(again, bytes, "msgpack re-encoding is not stable");
}

fn json_round_trip(v: &Value, ty: &Type) {
    let bytes = match json::encode(v, ty) {
        Ok(b) => b,
        // JSON has no spelling for infinities or unknowns; anything else must encode.
        Err(_) if has_infinity(v) || !v.is_wholly_known() => return,
        Err(e) => panic!("json cannot encode a value it decoded: {e}\n{v:?}"),
    };
    let back = json::decode(&bytes, ty).unwrap_or_else(|e| {
        panic!("json cannot decode its own encoding: {e}\n{}\n{v:?}", String::from_utf8_lossy(&bytes))
    });
    assert_eq!(&back, v, "json round trip changed the value");
    let again = json::encode(&back, ty).expect("re-encode");
    assert_eq!(again, bytes, "json re-encoding is not stable");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let ty = &types()[usize::from(selector >> 2) % 4];
    match selector & 3 {
        0 => {
            if let Ok(v) = msgpack::decode(bytes, ty) {
                msgpack_round_trip(&v, ty);
            }
        }
        1 => {
            if let Ok(v) = json::decode(bytes, ty) {
                json_round_trip(&v, ty);
                msgpack_round_trip(&v, ty);
            }
        }
        _ => {
            let fast = json::to_msgpack_ignoring_undefined(bytes, ty);
            match json::decode_ignoring_undefined(bytes, ty) {
                Ok(v) => {
                    json_round_trip(&v, ty);
                    // UpgradeResourceState's direct path gives the value
                    // path's bytes whenever it answers at all.
                    if let Some(fast) = fast {
                        let slow = msgpack::encode(&v, ty).expect("a decoded value encodes");
                        assert_eq!(fast, slow, "direct JSON to msgpack differs from the value path");
                    }
                }
                Err(e) => assert!(fast.is_none(), "direct path accepted what the value path rejects: {e}"),
            }
        }
    }
});
