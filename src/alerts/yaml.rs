//! A YAML document as a tree in which every node knows its line and column, so each rule read
//! from it can be reported at its own place in the file.
//!
//! serde-saphyr (already lore's front matter parser) gives a location to each value wrapped in
//! [`serde_saphyr::Spanned`]; [`Node`] wraps every value of the tree that way. Parsing uses the
//! crate's default budgets (nesting depth, alias expansion), so a hostile file costs bounded
//! work.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A value and where it starts (1-based line and column; 0 when the parser could not tell).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// A YAML value whose children are [`Node`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A scalar, as text (`for: 5m`, `apiVersion: 1`, `objective: 99.9` all read as text).
    Text(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in file order (keys as text).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The child at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The text of the scalar at `key`.
    pub fn text_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::text)
    }

    /// The items of the sequence at `key` (none when it is missing or not a sequence).
    pub fn list_at(&self, key: &str) -> &[Node] {
        match self.get(key).map(|n| &n.value) {
            Some(Value::List(items)) => items,
            _ => &[],
        }
    }

    /// The scalar entries of the mapping at `key`, as (key, text) pairs in file order; nested
    /// values are skipped (labels and annotations are flat).
    pub fn strings_at(&self, key: &str) -> Vec<(String, String)> {
        match self.get(key).map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                entries.iter().filter_map(|(k, v)| Some((k.clone(), v.text()?.to_owned()))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Like [`Node::strings_at`], with the line and column of each value.
    pub fn placed_strings_at(&self, key: &str) -> Vec<(String, String, usize, usize)> {
        match self.get(key).map(|n| &n.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.text()?.to_owned(), v.line, v.col)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            value: spanned.value,
            line: usize::try_from(spanned.referenced.line()).unwrap_or(0),
            col: usize::try_from(spanned.referenced.column()).unwrap_or(0),
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Value>()? {
            let value = map.next_value::<Node>()?;
            let key = match key {
                Value::Text(k) => k,
                Value::Null => "null".to_owned(),
                // A sequence or mapping as a key: nothing a rule file means.
                _ => continue,
            };
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// Every document of `text` (a rule file may hold several, `---`-separated).
pub fn documents(text: &str) -> Result<Vec<Node>, serde_saphyr::Error> {
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    serde_saphyr::from_multiple_with_options::<Node>(text, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_knows_its_line() {
        let docs = documents(
            "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up == 0\n---\nb: 1\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        let rule = &docs[0].list_at("groups")[0].list_at("rules")[0];
        assert_eq!((rule.line, rule.col), (4, 9));
        assert_eq!(rule.text_at("alert"), Some("X"));
        let expr = rule.get("expr").unwrap();
        assert_eq!((expr.line, expr.col), (5, 15));
        assert_eq!(docs[1].text_at("b"), Some("1"));
        assert_eq!(docs[1].get("b").unwrap().line, 7);
    }
}
