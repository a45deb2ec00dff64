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
        let mut attrs: BTreeMap<String, Type> =
            self.attributes.iter().map(|a| (a.name.clone(), a.kind.value_type())).collect();
        for b in &self.block_types {
            attrs.insert(b.type_name.clone(), b.value_type());
        }
        Type::Object(attrs)
    }

    /// Visits every attribute of `value` (which has this block's type), depth
    /// first in schema order, with its path, its schema and its value:
    /// attributes of nested attribute objects and nested blocks too. Children
    /// of null or unknown objects are not visited.
    pub fn walk<'v>(&self, value: &'v Value, visit: &mut dyn FnMut(&AttributePath, &Attribute, &'v Value)) {
        walk_block(self, value, &AttributePath::root(), visit);
    }

    /// Rewrites `value` attribute by attribute: `f` receives each attribute's
    /// path, schema and value and returns its replacement, which is then
    /// descended into (so nulling a nested attribute skips its children).
    /// Useful to null write-only attributes or mask sensitive ones.
    pub fn transform(&self, value: Value, f: &mut dyn FnMut(&AttributePath, &Attribute, Value) -> Value) -> Value {
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
    let Some(values) = object_attrs(object) else { return };
    for attr in attributes {
        let Some(v) = values.get(&attr.name) else { continue };
        let child = path.attr(attr.name.as_str());
        visit(&child, attr, v);
        if let AttributeKind::Nested(n) = &attr.kind {
            for_each_element(v, n.nesting == ObjectNesting::Single, &child, &mut |p, elem| {
                walk_attrs(&n.attributes, elem, p, visit);
            });
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
    let Some(values) = object_attrs(object) else { return };
    for nb in &block.block_types {
        let Some(v) = values.get(&nb.type_name) else { continue };
        let child = path.attr(nb.type_name.as_str());
        let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
        for_each_element(v, single, &child, &mut |p, elem| walk_block(&nb.block, elem, p, visit));
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
    let index_all = |items: Vec<Value>, f: &mut dyn FnMut(&AttributePath, Value) -> Value| -> Vec<Value> {
        items.into_iter().enumerate().map(|(i, item)| f(&path.index(i as i64), item)).collect()
    };
    let key_all = |m: BTreeMap<String, Value>, f: &mut dyn FnMut(&AttributePath, Value) -> Value| {
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
        Value::Dynamic(t, inner) => Value::Dynamic(t, Box::new(map_elements(*inner, single, path, f))),
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
        let Some(v) = values.remove(&attr.name) else { continue };
        let child = path.attr(attr.name.as_str());
        let mut v = f(&child, attr, v);
        if let AttributeKind::Nested(n) = &attr.kind {
            v = map_elements(v, n.nesting == ObjectNesting::Single, &child, &mut |p, elem| {
                transform_attrs(&n.attributes, elem, p, f)
            });
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
        let Some(v) = values.remove(&nb.type_name) else { continue };
        let child = path.attr(nb.type_name.as_str());
        let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
        let v = map_elements(v, single, &child, &mut |p, elem| transform_block(&nb.block, elem, p, f));
        values.insert(nb.type_name.clone(), v);
    }
    Value::Object(values)
}

impl Attribute {
    fn with_flags(name: impl Into<String>, kind: impl Into<AttributeKind>, required: bool, optional: bool, computed: bool) -> Self {
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
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.kind.value_type())).collect())
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
