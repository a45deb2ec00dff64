//! Query-protocol request parameters: flat `Name=value` pairs with list
//! members spelled `Name.Member.N` (1-based) and structures `Name.N.Field`.

use crate::error::{ApiError, ApiResult};
use std::collections::BTreeMap;

/// The decoded parameters of one request (first value wins on duplicates).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    map: BTreeMap<String, String>,
}

/// A `Filters.Filter.N` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    /// Filter name, e.g. `db-cluster-id`.
    pub name: String,
    /// Accepted values.
    pub values: Vec<String>,
}

impl Params {
    /// Decodes an `application/x-www-form-urlencoded` body or query string.
    pub(crate) fn parse(body: &[u8]) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        Params { map }
    }

    /// Adds the pairs of another set that are not already present.
    pub(crate) fn merge(&mut self, other: Params) {
        for (k, v) in other.map {
            self.map.entry(k).or_insert(v);
        }
    }

    /// These parameters without the named ones (and their list members or
    /// structure fields): for an action that shares a parser with another
    /// but does not take all of its parameters.
    pub(crate) fn without(&self, names: &[&str]) -> Params {
        let dropped = |k: &str| {
            names
                .iter()
                .any(|n| k == *n || k.strip_prefix(n).is_some_and(|rest| rest.starts_with('.')))
        };
        Params {
            map: self
                .map
                .iter()
                .filter(|(k, _)| !dropped(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// A raw value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// A value that must be present and non-empty, else `MissingParameter`.
    pub(crate) fn required(&self, name: &str) -> ApiResult<&str> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ApiError::missing_parameter(format!(
                "The request must contain the parameter {name}"
            ))),
        }
    }

    /// A boolean (`true`/`false`, case-insensitive), else `InvalidParameterValue`.
    pub(crate) fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid_value(format!(
                "Invalid boolean value for parameter {name}: '{v}'"
            ))),
        }
    }

    /// A boolean defaulting to false.
    pub(crate) fn flag(&self, name: &str) -> ApiResult<bool> {
        Ok(self.bool(name)?.unwrap_or(false))
    }

    /// An integer, else `InvalidParameterValue`.
    pub(crate) fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
                ApiError::invalid_value(format!("Invalid value for parameter {name}: '{v}'"))
            }),
        }
    }

    /// A list of strings `Name.Member.1`, `Name.Member.2`, … (stops at the first gap).
    pub(crate) fn list(&self, name: &str, member: &str) -> Vec<String> {
        let mut out = Vec::new();
        for n in 1.. {
            match self.get(&format!("{name}.{member}.{n}")) {
                Some(v) => out.push(v.to_string()),
                None => break,
            }
        }
        out
    }

    /// True when any `Name.*` key is present (a list was sent, even if empty-valued).
    pub(crate) fn has_prefix(&self, name: &str) -> bool {
        let prefix = format!("{name}.");
        self.map.keys().any(|k| k.starts_with(&prefix)) || self.map.contains_key(name)
    }

    /// `Tags.Tag.N.Key` / `.Value`.
    pub(crate) fn tags(&self, name: &str) -> ApiResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for n in 1.. {
            let key = self.get(&format!("{name}.Tag.{n}.Key"));
            let value = self.get(&format!("{name}.Tag.{n}.Value"));
            match (key, value) {
                (None, None) => break,
                (None, Some(_)) => {
                    return Err(ApiError::invalid_value(format!(
                        "Tag {n} has a value but no key"
                    )))
                }
                (Some(k), v) => out.push((k.to_string(), v.unwrap_or("").to_string())),
            }
        }
        Ok(out)
    }

    /// `Filters.Filter.N.Name` / `.Values.Value.M`.
    pub(crate) fn filters(&self) -> ApiResult<Vec<Filter>> {
        let mut out = Vec::new();
        for n in 1.. {
            let prefix = format!("Filters.Filter.{n}");
            let name = self.get(&format!("{prefix}.Name"));
            let values = self.list(&format!("{prefix}.Values"), "Value");
            match name {
                None if values.is_empty() => break,
                None => {
                    return Err(ApiError::missing_parameter(format!(
                        "The request must contain the parameter Filters.Filter.{n}.Name"
                    )))
                }
                Some(name) => {
                    if values.is_empty() {
                        return Err(ApiError::invalid_value(format!(
                            "Filter {name} must have at least one value"
                        )));
                    }
                    out.push(Filter {
                        name: name.to_string(),
                        values,
                    })
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_lists_tags_and_filters() {
        let p = Params::parse(
            b"Action=X&VpcSecurityGroupIds.VpcSecurityGroupId.1=sg-1&VpcSecurityGroupIds.VpcSecurityGroupId.2=sg-2\
              &Tags.Tag.1.Key=a&Tags.Tag.1.Value=b%20c&Filters.Filter.1.Name=db-cluster-id\
              &Filters.Filter.1.Values.Value.1=x&Filters.Filter.1.Values.Value.2=y&B=TRUE",
        );
        assert_eq!(
            p.list("VpcSecurityGroupIds", "VpcSecurityGroupId"),
            vec!["sg-1", "sg-2"]
        );
        assert_eq!(
            p.tags("Tags").unwrap(),
            vec![("a".to_string(), "b c".to_string())]
        );
        assert_eq!(p.filters().unwrap()[0].values, vec!["x", "y"]);
        assert_eq!(p.bool("B").unwrap(), Some(true));
        assert!(p.required("Nope").is_err());
    }

    #[test]
    fn without_drops_names_with_their_members_only() {
        let p = Params::parse(
            b"PreferredMaintenanceWindow=sun:05:00-sun:06:00&PreferredBackupWindow=03:00-04:00\
              &EnableCloudwatchLogsExports.member.1=postgresql&Port=5432",
        );
        let q = p.without(&["PreferredMaintenanceWindow", "EnableCloudwatchLogsExports"]);
        assert_eq!(q.get("PreferredMaintenanceWindow"), None);
        assert!(q.list("EnableCloudwatchLogsExports", "member").is_empty());
        assert_eq!(q.get("PreferredBackupWindow"), Some("03:00-04:00"));
        assert_eq!(q.get("Port"), Some("5432"));
    }

    #[test]
    fn rejects_bad_scalars() {
        let p = Params::parse(b"B=yes&I=abc");
        assert_eq!(p.bool("B").unwrap_err().code, "InvalidParameterValue");
        assert_eq!(p.int("I").unwrap_err().code, "InvalidParameterValue");
    }
}
