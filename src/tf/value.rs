//! Values: known, unknown or null, of any Terraform type.
//!
//! A [`Value`] does not carry its type; the surrounding [`Type`] (usually a
//! schema's implied type) says what it is. [`Value::Null`] and
//! [`Value::Unknown`] are therefore "null/unknown of whatever type this slot
//! has". The one exception is a slot of type [`Type::Dynamic`]: a value placed
//! there is wrapped in [`Value::Dynamic`] with its concrete type, because the
//! wire formats carry that type along.
//!
//! Equality is structural except that numbers compare numerically and sets
//! compare without regard to order. Two unknowns are equal to each other
//! (this is "same representation", like cty's `RawEquals`, not "same value").

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

use super::json::write;
use super::number::Number;
use super::types::Type;

/// A Terraform value.
#[derive(Clone, Debug)]
pub enum Value {
    /// Null of the slot's type.
    Null,
    /// Unknown ("known after apply") of the slot's type.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Set elements, in no meaningful order.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Object(BTreeMap<String, Value>),
    /// A value in a [`Type::Dynamic`] slot, with its concrete type.
    Dynamic(Type, Box<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => set_equal(a, b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Dynamic(ta, a), Dynamic(tb, b)) => ta == tb && a == b,
            // A value placed in a dynamic slot without its wrapper.
            (Dynamic(_, a), b) => a.as_ref() == b,
            (a, Dynamic(_, b)) => a == b.as_ref(),
            _ => false,
        }
    }
}

/// Equality is reflexive and symmetric; it is transitive except for the
/// corner of two differently-typed dynamic wrappers around the same
/// representation compared through an unwrapped value.
impl Eq for Value {}

/// Consistent with equality: numbers hash by numeric value, sets without
/// regard to order, dynamic wrappers as their inner value.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Dynamic(_, inner) => inner.hash(state),
            Value::Null => state.write_u8(0),
            Value::Unknown => state.write_u8(1),
            Value::Bool(b) => {
                state.write_u8(2);
                b.hash(state);
            }
            Value::Number(n) => {
                state.write_u8(3);
                n.hash(state);
            }
            Value::String(s) => {
                state.write_u8(4);
                s.hash(state);
            }
            Value::List(items) | Value::Tuple(items) => {
                state.write_u8(if matches!(self, Value::List(_)) { 5 } else { 6 });
                items.hash(state);
            }
            Value::Set(items) => {
                state.write_u8(7);
                state.write_usize(items.len());
                // Order-independent: combine per-element hashes commutatively.
                let combined = items.iter().fold(0u64, |acc, item| {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    item.hash(&mut h);
                    acc.wrapping_add(h.finish())
                });
                state.write_u64(combined);
            }
            Value::Map(m) | Value::Object(m) => {
                state.write_u8(if matches!(self, Value::Map(_)) { 8 } else { 9 });
                m.hash(state);
            }
        }
    }
}

/// Order-insensitive comparison of two sets' elements, as multisets.
fn set_equal(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut counts: HashMap<&Value, isize> = HashMap::with_capacity(a.len());
    for x in a {
        *counts.entry(x).or_default() += 1;
    }
    for y in b {
        match counts.get_mut(y) {
            Some(n) if *n > 0 => *n -= 1,
            _ => return false,
        }
    }
    true
}

impl Value {
    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known bool.
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    /// A known number.
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// A known list.
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    /// A known set. Duplicate wholly known elements are dropped (unknown
    /// elements stay distinct, as they may turn out different).
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        let items: Vec<Value> = items.into_iter().collect();
        let keep: Vec<bool> = {
            let mut seen: HashSet<&Value> = HashSet::with_capacity(items.len());
            items
                .iter()
                .map(|item| !item.is_wholly_known() || seen.insert(item))
                .collect()
        };
        Value::Set(
            items
                .into_iter()
                .zip(keep)
                .filter_map(|(v, k)| k.then_some(v))
                .collect(),
        )
    }

    /// A known tuple.
    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    /// A known map.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A known object.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A value for a [`Type::Dynamic`] slot.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(ty, Box::new(value))
    }

    /// A string value, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, Value::string)
    }

    /// The value inside any [`Value::Dynamic`] wrappers.
    pub fn unwrap_dynamic(&self) -> &Value {
        let mut v = self;
        while let Value::Dynamic(_, inner) = v {
            v = inner;
        }
        v
    }

    /// True for null (also a typed null in a dynamic slot).
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Null)
    }

    /// True for an unknown value itself (not for known containers holding
    /// unknowns; see [`is_wholly_known`](Self::is_wholly_known)).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Unknown)
    }

    /// True for a known value (possibly a known container of unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True when neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, inner) => inner.is_wholly_known(),
        }
    }

    /// An object's attribute (looking through dynamic wrappers).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.unwrap_dynamic() {
            Value::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// A map's element by key (looking through dynamic wrappers).
    pub fn get_key(&self, key: &str) -> Option<&Value> {
        match self.unwrap_dynamic() {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// A list's or tuple's element by position.
    pub fn get_index(&self, index: usize) -> Option<&Value> {
        match self.unwrap_dynamic() {
            Value::List(items) | Value::Tuple(items) => items.get(index),
            _ => None,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.unwrap_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `i64`, if this is a known whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a known map or the attributes of a known object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// "null", "a string", ...: what this value is, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "an unknown value",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Tuple(_) => "a tuple",
            Value::Object(_) => "an object",
            Value::Dynamic(..) => "a dynamically-typed value",
        }
    }

    /// A best-effort concrete type for a value placed in a dynamic slot
    /// without a [`Value::Dynamic`] wrapper. `None` when it cannot be told
    /// (null, unknown, empty collections).
    pub fn infer_type(&self) -> Option<Type> {
        match self {
            Value::Null | Value::Unknown => None,
            Value::Bool(_) => Some(Type::Bool),
            Value::Number(_) => Some(Type::Number),
            Value::String(_) => Some(Type::String),
            Value::Dynamic(t, _) => Some(t.clone()),
            Value::List(items) => Some(Type::list(items.first()?.infer_type()?)),
            Value::Set(items) => Some(Type::set(items.first()?.infer_type()?)),
            Value::Map(m) => Some(Type::map(m.values().next()?.infer_type()?)),
            Value::Tuple(items) => items
                .iter()
                .map(|v| v.infer_type().or(v.is_null().then_some(Type::Dynamic)))
                .collect::<Option<Vec<_>>>()
                .map(Type::Tuple),
            Value::Object(attrs) => attrs
                .iter()
                .map(|(k, v)| {
                    Some((
                        k.clone(),
                        v.infer_type().or(v.is_null().then_some(Type::Dynamic))?,
                    ))
                })
                .collect::<Option<BTreeMap<_, _>>>()
                .map(Type::Object),
        }
    }

    /// Does this value fit `ty`? Null and unknown fit every type; objects
    /// must have exactly the type's attributes.
    pub fn conforms_to(&self, ty: &Type) -> bool {
        match (ty, self) {
            (_, Value::Null | Value::Unknown) => true,
            (Type::Dynamic, Value::Dynamic(t, inner)) => inner.conforms_to(t),
            (Type::Dynamic, _) => false,
            (t, Value::Dynamic(t2, inner)) => t == t2 && inner.conforms_to(t),
            (Type::Bool, Value::Bool(_))
            | (Type::Number, Value::Number(_))
            | (Type::String, Value::String(_)) => true,
            (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
                items.iter().all(|v| v.conforms_to(e))
            }
            (Type::Map(e), Value::Map(m)) => m.values().all(|v| v.conforms_to(e)),
            (Type::Tuple(ts), Value::Tuple(items)) => {
                ts.len() == items.len() && ts.iter().zip(items).all(|(t, v)| v.conforms_to(t))
            }
            (Type::Object(attrs), Value::Object(m)) => {
                attrs.len() == m.len()
                    && attrs
                        .iter()
                        .all(|(k, t)| m.get(k).is_some_and(|v| v.conforms_to(t)))
            }
            _ => false,
        }
    }
}

/// The default value is [`Value::Null`].
impl Default for Value {
    fn default() -> Self {
        Value::Null
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// An HCL-like rendering for messages: `"a"`, `1.5`, `true`, `null`,
/// `(unknown)`, `["a", "b"]`, `{a = 1}`. Sets render as `set([...])`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, items: &[Value]) -> fmt::Result {
            f.write_str("[")?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str("]")
        }
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("(unknown)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write::quoted(f, s),
            Value::List(items) | Value::Tuple(items) => list(f, items),
            Value::Set(items) => {
                f.write_str("set(")?;
                list(f, items)?;
                f.write_str(")")
            }
            Value::Map(m) | Value::Object(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if matches!(self, Value::Object(_)) {
                        write!(f, "{k} = {v}")?;
                    } else {
                        write::quoted(f, k)?;
                        write!(f, " = {v}")?;
                    }
                }
                f.write_str("}")
            }
            Value::Dynamic(_, inner) => write!(f, "{inner}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_table() {
        let unknown_inside = Value::list([Value::string("a"), Value::Unknown]);
        let cases: Vec<(Value, bool, bool, bool)> = vec![
            // value, is_null, is_unknown, is_wholly_known
            (Value::Null, true, false, true),
            (Value::Unknown, false, true, false),
            (Value::string("x"), false, false, true),
            (unknown_inside.clone(), false, false, false),
            (
                Value::object([("a", unknown_inside.clone())]),
                false,
                false,
                false,
            ),
            (Value::map([("a", Value::Null)]), false, false, true),
            (Value::dynamic(Type::String, Value::Null), true, false, true),
            (
                Value::dynamic(Type::String, Value::Unknown),
                false,
                true,
                false,
            ),
            (Value::set([Value::Unknown]), false, false, false),
            (Value::tuple([Value::bool(true)]), false, false, true),
        ];
        for (v, null, unknown, wholly) in cases {
            assert_eq!(v.is_null(), null, "is_null {v}");
            assert_eq!(v.is_unknown(), unknown, "is_unknown {v}");
            assert_eq!(v.is_known(), !unknown, "is_known {v}");
            assert_eq!(v.is_wholly_known(), wholly, "is_wholly_known {v}");
        }
    }

    #[test]
    fn accessors() {
        let v = Value::object([
            ("name", Value::string("orders")),
            ("count", Value::number(3)),
            ("on", Value::bool(true)),
            ("tags", Value::map([("k", Value::string("v"))])),
            ("list", Value::list([Value::number(1)])),
            ("dyn", Value::dynamic(Type::String, Value::string("d"))),
        ]);
        assert_eq!(v.get_attr("name").and_then(Value::as_str), Some("orders"));
        assert_eq!(v.get_attr("count").and_then(Value::as_i64), Some(3));
        assert_eq!(v.get_attr("on").and_then(Value::as_bool), Some(true));
        assert_eq!(
            v.get_attr("tags")
                .and_then(|t| t.get_key("k"))
                .and_then(Value::as_str),
            Some("v")
        );
        assert_eq!(
            v.get_attr("list")
                .and_then(|l| l.get_index(0))
                .and_then(Value::as_i64),
            Some(1)
        );
        assert_eq!(v.get_attr("dyn").and_then(Value::as_str), Some("d"));
        assert_eq!(v.get_attr("missing"), None);
        assert_eq!(v.as_entries().map(BTreeMap::len), Some(6));
        assert_eq!(Value::Null.get_attr("x"), None);
        assert_eq!(Value::string("s").as_bool(), None);
        assert_eq!(Value::number(2).as_number(), Some(&Number::from(2)));
        assert_eq!(Value::from(Some("x")), Value::string("x"));
        assert_eq!(Value::from(None::<&str>), Value::Null);
        assert_eq!(Value::opt_string(None::<String>), Value::Null);
    }

    #[test]
    fn equality_rules() {
        assert_eq!(Value::number(1), Value::Number("1.0".parse().unwrap()));
        assert_eq!(
            Value::set([Value::string("a"), Value::string("b")]),
            Value::set([Value::string("b"), Value::string("a")])
        );
        assert_ne!(
            Value::list([Value::string("a"), Value::string("b")]),
            Value::list([Value::string("b"), Value::string("a")])
        );
        assert_ne!(
            Value::set([Value::string("a")]),
            Value::set([Value::string("a"), Value::string("b")])
        );
        assert_ne!(Value::list([]), Value::set([]));
        assert_ne!(
            Value::map([("a", Value::Null)]),
            Value::object([("a", Value::Null)])
        );
        assert_ne!(
            Value::dynamic(Type::String, Value::string("1")),
            Value::dynamic(Type::Number, Value::string("1"))
        );
        assert_eq!(
            Value::dynamic(Type::String, Value::string("x")),
            Value::string("x")
        );
        assert_eq!(
            Value::string("x"),
            Value::dynamic(Type::String, Value::string("x"))
        );
        assert_ne!(
            Value::set([Value::string("a"), Value::string("a2")]),
            Value::Set(vec![Value::string("a"), Value::string("a")])
        );
        assert_eq!(Value::Unknown, Value::Unknown);
        assert_ne!(Value::Unknown, Value::Null);
    }

    #[test]
    fn hash_agrees_with_equality() {
        fn h(v: &Value) -> u64 {
            let mut s = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut s);
            s.finish()
        }
        let pairs = [
            (Value::number(1), Value::Number("1.0".parse().unwrap())),
            (
                Value::set([Value::string("a"), Value::string("b")]),
                Value::Set(vec![Value::string("b"), Value::string("a")]),
            ),
            (
                Value::dynamic(Type::String, Value::string("x")),
                Value::string("x"),
            ),
            (
                Value::object([("s", Value::set([Value::number(1), Value::number(2)]))]),
                Value::object([("s", Value::Set(vec![Value::number(2), Value::number(1)]))]),
            ),
        ];
        for (a, b) in pairs {
            assert_eq!(a, b);
            assert_eq!(h(&a), h(&b), "{a}");
        }
        assert_ne!(
            h(&Value::list([Value::number(1)])),
            h(&Value::tuple([Value::number(1)]))
        );
    }

    #[test]
    fn large_sets_compare_quickly() {
        let a = Value::set((0..50_000).map(Value::number));
        let b = Value::set((0..50_000).rev().map(Value::number));
        assert_eq!(a, b);
        let c = Value::set((1..50_001).map(Value::number));
        assert_ne!(a, c);
    }

    #[test]
    fn set_constructor_drops_known_duplicates() {
        let s = Value::set([
            Value::string("a"),
            Value::string("a"),
            Value::Unknown,
            Value::Unknown,
        ]);
        assert_eq!(s.as_elements().map(<[Value]>::len), Some(3));
    }

    #[test]
    fn conformance_table() {
        let obj_ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
        let cases: Vec<(Value, Type, bool)> = vec![
            (Value::Null, obj_ty.clone(), true),
            (Value::Unknown, Type::String, true),
            (Value::string("x"), Type::String, true),
            (Value::string("x"), Type::Number, false),
            (
                Value::object([
                    ("a", Value::string("x")),
                    ("b", Value::list([Value::number(1)])),
                ]),
                obj_ty.clone(),
                true,
            ),
            (
                Value::object([("a", Value::string("x"))]),
                obj_ty.clone(),
                false,
            ),
            (
                Value::object([
                    ("a", Value::string("x")),
                    ("b", Value::Null),
                    ("c", Value::Null),
                ]),
                obj_ty.clone(),
                false,
            ),
            (
                Value::tuple([Value::bool(true)]),
                Type::tuple([Type::Bool]),
                true,
            ),
            (Value::tuple([]), Type::tuple([Type::Bool]), false),
            (
                Value::dynamic(Type::Bool, Value::bool(true)),
                Type::Dynamic,
                true,
            ),
            (Value::bool(true), Type::Dynamic, false),
            (
                Value::dynamic(Type::Bool, Value::string("x")),
                Type::Dynamic,
                false,
            ),
            (
                Value::map([("k", Value::number(1))]),
                Type::map(Type::Number),
                true,
            ),
            (
                Value::set([Value::number(1)]),
                Type::list(Type::Number),
                false,
            ),
        ];
        for (v, t, want) in cases {
            assert_eq!(v.conforms_to(&t), want, "{v} : {t}");
        }
    }

    #[test]
    fn infer_type_table() {
        let cases: Vec<(Value, Option<Type>)> = vec![
            (Value::string("x"), Some(Type::String)),
            (Value::Null, None),
            (Value::list([]), None),
            (
                Value::list([Value::number(1)]),
                Some(Type::list(Type::Number)),
            ),
            (
                Value::object([("a", Value::bool(true)), ("b", Value::Null)]),
                Some(Type::object([("a", Type::Bool), ("b", Type::Dynamic)])),
            ),
            (
                Value::tuple([Value::string("a"), Value::number(1)]),
                Some(Type::tuple([Type::String, Type::Number])),
            ),
        ];
        for (v, want) in cases {
            assert_eq!(v.infer_type(), want, "{v}");
        }
    }

    #[test]
    fn display_table() {
        let cases = vec![
            (Value::Null, "null"),
            (Value::Unknown, "(unknown)"),
            (Value::string("a\"b"), r#""a\"b""#),
            (Value::number(15), "15"),
            (
                Value::list([Value::bool(true), Value::Null]),
                "[true, null]",
            ),
            (Value::set([Value::number(1)]), "set([1])"),
            (Value::map([("k", Value::string("v"))]), r#"{"k" = "v"}"#),
            (Value::object([("a", Value::number(1))]), "{a = 1}"),
        ];
        for (v, want) in cases {
            assert_eq!(v.to_string(), want);
        }
    }
}
