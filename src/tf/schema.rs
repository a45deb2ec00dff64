//! Schemas in the shape of plugin protocol 6: blocks with attributes,
//! nested attributes and nested blocks, plus the object type a schema
//! implies and a walker that visits every attribute of a value.
//!
//! Builders keep schema code readable:
//!
//! ```
//! use terraform_provider_replication::tf::{Attribute, Block, NestedAttributes, Type};
//! let block = Block::new()
//!     .attributes(vec![
//!         Attribute::required("name", Type::String).description("The name."),
//!         Attribute::optional("password", Type::String).sensitive(),
//!         Attribute::optional_computed(
//!             "regions",
//!             NestedAttributes::map(vec![Attribute::computed("arn", Type::String)]),
//!         ),
//!     ])
//!     .description("A topology.");
//! assert!(block.attribute("password").unwrap().sensitive);
//! ```
//!
//! Implied types follow Terraform's rules for schemas without dynamic
//! attributes inside collections (Terraform turns a list/map of objects that
//! contain `dynamic` attributes into a tuple/object; this crate does not).

use std::collections::BTreeMap;

use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

/// A resource, data source or provider schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Schema version; state with an older version is upgraded.
    pub version: i64,
    pub block: Block,
}

/// A block: the root of a schema, or the body of a nested block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    /// Markdown.
    pub description: String,
    pub deprecated: bool,
}

/// One attribute of a block or of a nested attribute object.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Accepted in configuration, never stored in plan or state (Terraform >= 1.11).
    pub write_only: bool,
    pub deprecated: bool,
}

/// What an attribute holds: a value of a type, or nested attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeKind {
    Type(Type),
    Nested(NestedAttributes),
}

/// Nested attributes (protocol 6): an object, or a collection of objects.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedAttributes {
    pub nesting: ObjectNesting,
    pub attributes: Vec<Attribute>,
}

/// How nested attribute objects are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectNesting {
    Single,
    List,
    Set,
    Map,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: BlockNesting,
    /// 0 means no minimum.
    pub min_items: i64,
    /// 0 means no maximum.
    pub max_items: i64,
}

/// How nested blocks are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockNesting {
    Single,
    List,
    Set,
    Map,
    /// Like single, but never null: absent means all attributes null.
    Group,
}

impl From<Type> for AttributeKind {
    fn from(t: Type) -> Self {
        AttributeKind::Type(t)
    }
}

impl From<NestedAttributes> for AttributeKind {
    fn from(n: NestedAttributes) -> Self {
        AttributeKind::Nested(n)
    }
}

impl AttributeKind {
    /// The type of the attribute's value.
    pub fn value_type(&self) -> Type {
        match self {
            AttributeKind::Type(t) => t.clone(),
            AttributeKind::Nested(n) => n.value_type(),
        }
    }
}

impl Schema {
    /// A schema of the given version.
    pub fn new(version: i64, block: Block) -> Self {
        Self { version, block }
    }

    /// The implied type of the root block.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

impl Block {
    /// An empty block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder: sets the attributes.
    pub fn attributes(mut self, attributes: Vec<Attribute>) -> Self {
        self.attributes = attributes;
        self
    }

    /// Builder: sets the nested block types.
    pub fn blocks(mut self, block_types: Vec<NestedBlock>) -> Self {
        self.block_types = block_types;
        self
    }

    /// Builder: sets the (markdown) description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Builder: marks the block deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The nested block type called `name`.
    pub fn block_type(&self, name: &str) -> Option<&NestedBlock> {
        self.block_types.iter().find(|b| b.type_name == name)
    }

    /// The object type values of this block have.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.kind.value_type()))
            .collect();
        for b in &self.block_types {
            attrs.insert(b.type_name.clone(), b.value_type());
        }
        Type::Object(attrs)
    }

    /// Visits every attribute of `value` (which has this block's type), depth
    /// first in schema order, with its path, its schema and its value:
    /// attributes of nested attribute objects and nested blocks too. Children
    /// of null or unknown objects are not visited.
    pub fn walk<'v>(
        &self,
        value: &'v Value,
        visit: &mut dyn FnMut(&AttributePath, &Attribute, &'v Value),
    ) {
        walk_block(self, value, &AttributePath::root(), visit);
    }

    /// Rewrites `value` attribute by attribute: `f` receives each attribute's
    /// path, schema and value and returns its replacement, which is then
    /// descended into (so nulling a nested attribute skips its children).
    /// Useful to null write-only attributes or mask sensitive ones.
    pub fn transform(
        &self,
        value: Value,
        f: &mut dyn FnMut(&AttributePath, &Attribute, Value) -> Value,
    ) -> Value {
        transform_block(self, value, &AttributePath::root(), f)
    }
}

/// Whether an attribute appears, and what the value of one object element
/// looks like, for walking.
fn object_attrs(value: &Value) -> Option<&BTreeMap<String, Value>> {
    match value.unwrap_dynamic() {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Calls `each(path, element)` for every element of a collection value laid
/// out by `nesting`: list/set by position, map by key; single for the value itself.
fn for_each_element<'v>(
    value: &'v Value,
    single: bool,
    path: &AttributePath,
    each: &mut dyn FnMut(&AttributePath, &'v Value),
) {
    if single {
        each(path, value);
        return;
    }
    match value.unwrap_dynamic() {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                each(&path.index(i as i64), item);
            }
        }
        Value::Map(m) | Value::Object(m) => {
            for (k, item) in m {
                each(&path.key(k.as_str()), item);
            }
        }
        _ => {}
    }
}

fn walk_attrs<'v>(
    attributes: &[Attribute],
    object: &'v Value,
    path: &AttributePath,
    visit: &mut dyn FnMut(&AttributePath, &Attribute, &'v Value),
) {
    let Some(values) = object_attrs(object) else {
        return;
    };
    for attr in attributes {
        let Some(v) = values.get(&attr.name) else {
            continue;
        };
        let child = path.attr(attr.name.as_str());
        visit(&child, attr, v);
        if let AttributeKind::Nested(n) = &attr.kind {
            for_each_element(
                v,
                n.nesting == ObjectNesting::Single,
                &child,
                &mut |p, elem| {
                    walk_attrs(&n.attributes, elem, p, visit);
                },
            );
        }
    }
}

fn walk_block<'v>(
    block: &Block,
    object: &'v Value,
    path: &AttributePath,
    visit: &mut dyn FnMut(&AttributePath, &Attribute, &'v Value),
) {
    walk_attrs(&block.attributes, object, path, visit);
    let Some(values) = object_attrs(object) else {
        return;
    };
    for nb in &block.block_types {
        let Some(v) = values.get(&nb.type_name) else {
            continue;
        };
        let child = path.attr(nb.type_name.as_str());
        let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
        for_each_element(v, single, &child, &mut |p, elem| {
            walk_block(&nb.block, elem, p, visit)
        });
    }
}

/// Rebuilds each element of a collection with `f(path, element)`.
fn map_elements(
    value: Value,
    single: bool,
    path: &AttributePath,
    f: &mut dyn FnMut(&AttributePath, Value) -> Value,
) -> Value {
    if single {
        return f(path, value);
    }
    let index_all =
        |items: Vec<Value>, f: &mut dyn FnMut(&AttributePath, Value) -> Value| -> Vec<Value> {
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| f(&path.index(i as i64), item))
                .collect()
        };
    let key_all = |m: BTreeMap<String, Value>,
                   f: &mut dyn FnMut(&AttributePath, Value) -> Value| {
        m.into_iter()
            .map(|(k, item)| {
                let v = f(&path.key(k.as_str()), item);
                (k, v)
            })
            .collect::<BTreeMap<_, _>>()
    };
    match value {
        Value::List(items) => Value::List(index_all(items, f)),
        Value::Set(items) => Value::Set(index_all(items, f)),
        Value::Tuple(items) => Value::Tuple(index_all(items, f)),
        Value::Map(m) => Value::Map(key_all(m, f)),
        Value::Object(m) => Value::Object(key_all(m, f)),
        Value::Dynamic(t, inner) => {
            Value::Dynamic(t, Box::new(map_elements(*inner, single, path, f)))
        }
        other => other,
    }
}

fn transform_attrs(
    attributes: &[Attribute],
    object: Value,
    path: &AttributePath,
    f: &mut dyn FnMut(&AttributePath, &Attribute, Value) -> Value,
) -> Value {
    let mut values = match object {
        Value::Object(m) => m,
        Value::Dynamic(t, inner) => {
            return Value::Dynamic(t, Box::new(transform_attrs(attributes, *inner, path, f)));
        }
        other => return other,
    };
    for attr in attributes {
        let Some(v) = values.remove(&attr.name) else {
            continue;
        };
        let child = path.attr(attr.name.as_str());
        let mut v = f(&child, attr, v);
        if let AttributeKind::Nested(n) = &attr.kind {
            v = map_elements(
                v,
                n.nesting == ObjectNesting::Single,
                &child,
                &mut |p, elem| transform_attrs(&n.attributes, elem, p, f),
            );
        }
        values.insert(attr.name.clone(), v);
    }
    Value::Object(values)
}

fn transform_block(
    block: &Block,
    object: Value,
    path: &AttributePath,
    f: &mut dyn FnMut(&AttributePath, &Attribute, Value) -> Value,
) -> Value {
    let object = transform_attrs(&block.attributes, object, path, f);
    let mut values = match object {
        Value::Object(m) => m,
        other => return other,
    };
    for nb in &block.block_types {
        let Some(v) = values.remove(&nb.type_name) else {
            continue;
        };
        let child = path.attr(nb.type_name.as_str());
        let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
        let v = map_elements(v, single, &child, &mut |p, elem| {
            transform_block(&nb.block, elem, p, f)
        });
        values.insert(nb.type_name.clone(), v);
    }
    Value::Object(values)
}

impl Attribute {
    fn with_flags(
        name: impl Into<String>,
        kind: impl Into<AttributeKind>,
        required: bool,
        optional: bool,
        computed: bool,
    ) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            description: String::new(),
            required,
            optional,
            computed,
            sensitive: false,
            write_only: false,
            deprecated: false,
        }
    }

    /// A required attribute (of a type or nested attributes).
    pub fn required(name: impl Into<String>, kind: impl Into<AttributeKind>) -> Self {
        Self::with_flags(name, kind, true, false, false)
    }

    /// An optional attribute.
    pub fn optional(name: impl Into<String>, kind: impl Into<AttributeKind>) -> Self {
        Self::with_flags(name, kind, false, true, false)
    }

    /// A computed-only attribute (set by the provider, never by config).
    pub fn computed(name: impl Into<String>, kind: impl Into<AttributeKind>) -> Self {
        Self::with_flags(name, kind, false, false, true)
    }

    /// An optional attribute the provider fills in when config leaves it null.
    pub fn optional_computed(name: impl Into<String>, kind: impl Into<AttributeKind>) -> Self {
        Self::with_flags(name, kind, false, true, true)
    }

    /// Builder: sets the (markdown) description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Builder: marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Builder: marks the attribute write-only (never in plan or state).
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Builder: marks the attribute deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// The type of the attribute's value.
    pub fn value_type(&self) -> Type {
        self.kind.value_type()
    }

    /// The nested attributes, if this attribute has them.
    pub fn nested(&self) -> Option<&NestedAttributes> {
        match &self.kind {
            AttributeKind::Nested(n) => Some(n),
            AttributeKind::Type(_) => None,
        }
    }
}

impl NestedAttributes {
    /// A single nested object.
    pub fn single(attributes: Vec<Attribute>) -> Self {
        Self {
            nesting: ObjectNesting::Single,
            attributes,
        }
    }

    /// A list of nested objects.
    pub fn list(attributes: Vec<Attribute>) -> Self {
        Self {
            nesting: ObjectNesting::List,
            attributes,
        }
    }

    /// A set of nested objects.
    pub fn set(attributes: Vec<Attribute>) -> Self {
        Self {
            nesting: ObjectNesting::Set,
            attributes,
        }
    }

    /// A map of nested objects.
    pub fn map(attributes: Vec<Attribute>) -> Self {
        Self {
            nesting: ObjectNesting::Map,
            attributes,
        }
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The type of one nested object.
    pub fn object_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.kind.value_type()))
                .collect(),
        )
    }

    /// The type of the attribute's whole value.
    pub fn value_type(&self) -> Type {
        let object = self.object_type();
        match self.nesting {
            ObjectNesting::Single => object,
            ObjectNesting::List => Type::list(object),
            ObjectNesting::Set => Type::set(object),
            ObjectNesting::Map => Type::map(object),
        }
    }
}

impl NestedBlock {
    /// A nested block type with no item limits.
    pub fn new(type_name: impl Into<String>, nesting: BlockNesting, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    /// Builder: minimum number of blocks.
    pub fn min_items(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }

    /// Builder: maximum number of blocks.
    pub fn max_items(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }

    /// The type of the block type's whole value.
    pub fn value_type(&self) -> Type {
        let object = self.block.value_type();
        match self.nesting {
            BlockNesting::Single | BlockNesting::Group => object,
            BlockNesting::List => Type::list(object),
            BlockNesting::Set => Type::set(object),
            BlockNesting::Map => Type::map(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Block {
        Block::new()
            .attributes(vec![
                Attribute::required("name", Type::String).description("Name."),
                Attribute::optional("password", Type::String).sensitive(),
                Attribute::optional("password_wo", Type::String)
                    .sensitive()
                    .write_only(),
                Attribute::computed("arn", Type::String),
                Attribute::optional_computed(
                    "regions",
                    NestedAttributes::map(vec![
                        Attribute::required("instance_class", Type::String),
                        Attribute::optional("secret_wo", Type::String).write_only(),
                        Attribute::optional(
                            "instances",
                            NestedAttributes::list(vec![Attribute::computed(
                                "endpoint",
                                Type::String,
                            )]),
                        ),
                    ]),
                ),
                Attribute::optional(
                    "single",
                    NestedAttributes::single(vec![Attribute::optional("x", Type::Number)]),
                ),
                Attribute::optional(
                    "tags",
                    NestedAttributes::set(vec![Attribute::required("k", Type::String)]),
                ),
            ])
            .blocks(vec![
                NestedBlock::new(
                    "assume_role",
                    BlockNesting::Single,
                    Block::new().attributes(vec![Attribute::required("role_arn", Type::String)]),
                )
                .max_items(1),
                NestedBlock::new(
                    "rule",
                    BlockNesting::List,
                    Block::new().attributes(vec![
                        Attribute::optional("token_wo", Type::String).write_only()
                    ]),
                ),
                NestedBlock::new(
                    "s",
                    BlockNesting::Set,
                    Block::new().attributes(vec![Attribute::optional("v", Type::Bool)]),
                ),
                NestedBlock::new(
                    "m",
                    BlockNesting::Map,
                    Block::new().attributes(vec![Attribute::optional("v", Type::Bool)]),
                ),
                NestedBlock::new(
                    "g",
                    BlockNesting::Group,
                    Block::new().attributes(vec![Attribute::optional("v", Type::Bool)]),
                ),
            ])
            .description("A topology.")
    }

    #[test]
    fn builders_set_flags() {
        let b = sample();
        let name = b.attribute("name").unwrap();
        assert!(name.required && !name.optional && !name.computed);
        assert_eq!(name.description, "Name.");
        let wo = b.attribute("password_wo").unwrap();
        assert!(wo.write_only && wo.sensitive && wo.optional);
        let arn = b.attribute("arn").unwrap();
        assert!(arn.computed && !arn.optional && !arn.required);
        let regions = b.attribute("regions").unwrap();
        assert!(regions.optional && regions.computed);
        assert_eq!(
            regions.nested().map(|n| n.nesting),
            Some(ObjectNesting::Map)
        );
        assert!(b.attribute("nope").is_none());
        assert_eq!(b.block_type("assume_role").map(|nb| nb.max_items), Some(1));
        assert_eq!(b.description, "A topology.");
        assert!(Attribute::optional("d", Type::Bool).deprecated().deprecated);
        assert!(Block::new().deprecated().deprecated);
        assert_eq!(
            NestedBlock::new("x", BlockNesting::List, Block::new())
                .min_items(2)
                .min_items,
            2
        );
    }

    #[test]
    fn value_type_table() {
        let obj = |attrs: Vec<(&str, Type)>| Type::object(attrs);
        let b = sample();
        let want = obj(vec![
            ("name", Type::String),
            ("password", Type::String),
            ("password_wo", Type::String),
            ("arn", Type::String),
            (
                "regions",
                Type::map(obj(vec![
                    ("instance_class", Type::String),
                    ("secret_wo", Type::String),
                    (
                        "instances",
                        Type::list(obj(vec![("endpoint", Type::String)])),
                    ),
                ])),
            ),
            ("single", obj(vec![("x", Type::Number)])),
            ("tags", Type::set(obj(vec![("k", Type::String)]))),
            ("assume_role", obj(vec![("role_arn", Type::String)])),
            ("rule", Type::list(obj(vec![("token_wo", Type::String)]))),
            ("s", Type::set(obj(vec![("v", Type::Bool)]))),
            ("m", Type::map(obj(vec![("v", Type::Bool)]))),
            ("g", obj(vec![("v", Type::Bool)])),
        ]);
        assert_eq!(b.value_type(), want);
        assert_eq!(Schema::new(2, b).value_type(), want);
        assert_eq!(Block::new().value_type(), Type::object::<&str>([]));
    }

    fn sample_value() -> Value {
        Value::object([
            ("name", Value::string("n")),
            ("password", Value::string("p")),
            ("password_wo", Value::string("secret")),
            ("arn", Value::Unknown),
            (
                "regions",
                Value::map([
                    (
                        "us-east-1",
                        Value::object([
                            ("instance_class", Value::string("db.r6g.large")),
                            ("secret_wo", Value::string("s1")),
                            (
                                "instances",
                                Value::list([Value::object([("endpoint", Value::Null)])]),
                            ),
                        ]),
                    ),
                    (
                        "eu-west-1",
                        Value::object([
                            ("instance_class", Value::string("db.r6g.large")),
                            ("secret_wo", Value::Null),
                            ("instances", Value::Null),
                        ]),
                    ),
                ]),
            ),
            ("single", Value::Null),
            (
                "tags",
                Value::set([Value::object([("k", Value::string("a"))])]),
            ),
            (
                "assume_role",
                Value::object([("role_arn", Value::string("r"))]),
            ),
            (
                "rule",
                Value::list([Value::object([("token_wo", Value::string("t"))])]),
            ),
            ("s", Value::set([])),
            (
                "m",
                Value::map([("x", Value::object([("v", Value::bool(true))]))]),
            ),
            ("g", Value::object([("v", Value::Null)])),
        ])
    }

    #[test]
    fn walk_visits_every_attribute_with_its_path() {
        let b = sample();
        let v = sample_value();
        assert!(v.conforms_to(&b.value_type()));
        let mut seen = Vec::new();
        b.walk(&v, &mut |path, attr, value| {
            seen.push((path.to_string(), attr.name.clone(), value.to_string()))
        });
        let paths: Vec<&str> = seen.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "name",
                "password",
                "password_wo",
                "arn",
                "regions",
                r#"regions["eu-west-1"].instance_class"#,
                r#"regions["eu-west-1"].secret_wo"#,
                r#"regions["eu-west-1"].instances"#,
                r#"regions["us-east-1"].instance_class"#,
                r#"regions["us-east-1"].secret_wo"#,
                r#"regions["us-east-1"].instances"#,
                r#"regions["us-east-1"].instances[0].endpoint"#,
                "single",
                "tags",
                "tags[0].k",
                "assume_role.role_arn",
                "rule[0].token_wo",
                r#"m["x"].v"#,
                "g.v",
            ]
        );
        assert_eq!(seen[3].2, "(unknown)");
        // Nothing below null or unknown objects.
        let mut count = 0;
        b.walk(&Value::Null, &mut |_, _, _| count += 1);
        b.walk(&Value::Unknown, &mut |_, _, _| count += 1);
        assert_eq!(count, 0);
    }

    #[test]
    fn transform_nulls_write_only_attributes_everywhere() {
        let b = sample();
        let out = b.transform(sample_value(), &mut |_, attr, v| {
            if attr.write_only {
                Value::Null
            } else {
                v
            }
        });
        let mut non_null_write_only = Vec::new();
        b.walk(&out, &mut |path, attr, v| {
            if attr.write_only && !v.is_null() {
                non_null_write_only.push(path.to_string());
            }
        });
        assert!(non_null_write_only.is_empty(), "{non_null_write_only:?}");
        // Everything else is untouched.
        let mut want = sample_value();
        if let Value::Object(m) = &mut want {
            m.insert("password_wo".into(), Value::Null);
            m.insert(
                "rule".into(),
                Value::list([Value::object([("token_wo", Value::Null)])]),
            );
            if let Some(Value::Map(regions)) = m.get_mut("regions") {
                if let Some(Value::Object(r)) = regions.get_mut("us-east-1") {
                    r.insert("secret_wo".into(), Value::Null);
                }
            }
        }
        assert_eq!(out, want);
    }

    #[test]
    fn transform_sees_paths_and_descends_into_replacements() {
        let b = sample();
        let mut paths = Vec::new();
        let out = b.transform(sample_value(), &mut |path, attr, v| {
            paths.push(path.to_string());
            if attr.name == "regions" {
                Value::Null
            } else {
                v
            }
        });
        assert!(out.get_attr("regions").is_some_and(Value::is_null));
        assert!(
            !paths.iter().any(|p| p.starts_with("regions[")),
            "{paths:?}"
        );
        assert!(paths.contains(&"g.v".to_string()));
        // Null and unknown roots come back unchanged.
        assert_eq!(b.transform(Value::Null, &mut |_, _, v| v), Value::Null);
        assert_eq!(
            b.transform(Value::Unknown, &mut |_, _, v| v),
            Value::Unknown
        );
    }
}
