//! CareCloud's customer-interface contract (`../spec/customer-interface.json`, embedded), compiled once into a
//! table of operations: method, path template, parameters and request-body schema. [`crate::validate`] checks
//! requests against it; schemas stay JSON and `$ref`s are resolved on use (a map lookup).

use serde_json::Value;
use std::sync::OnceLock;

const DOCUMENT: &str = include_str!("../spec/customer-interface.json");

/// Where a parameter is carried.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum In {
    Path,
    Query,
    Header,
}

pub struct Param {
    pub name: String,
    pub place: In,
    pub required: bool,
    pub schema: Value,
}

enum Segment {
    Literal(String),
    Param(String),
}

pub struct Operation {
    pub method: String,
    /// The spec's path template, e.g. `/rewards/{reward_id}`.
    pub template: String,
    segments: Vec<Segment>,
    /// `security: []`: callable without a token.
    pub public: bool,
    pub params: Vec<Param>,
    /// The JSON request body's schema and whether a body is required.
    pub body: Option<(Value, bool)>,
}

impl Operation {
    /// `path` with the values of parameters named `secret` replaced by `{name}` (for logs).
    pub fn redact(&self, path: &str, secret: fn(&str) -> bool) -> String {
        let segs = segments(path);
        let parts: Vec<String> = self
            .segments
            .iter()
            .zip(&segs)
            .map(|(t, s)| match t {
                Segment::Param(n) if secret(n) => format!("{{{n}}}"),
                _ => s.to_string(),
            })
            .collect();
        format!("/{}", parts.join("/"))
    }
}

/// An operation matched by a path, with the path parameters' values.
pub type Matched<'a> = (&'a Operation, Vec<(&'a str, String)>);

pub struct Spec {
    doc: Value,
    pub operations: Vec<Operation>,
}

/// The spec, parsed and compiled on first use (the sandbox calls this at start-up).
pub fn get() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| match serde_json::from_str(DOCUMENT) {
        Ok(doc) => Spec::compile(doc),
        Err(e) => {
            eprintln!("customer-interface.json does not parse: {e}");
            std::process::exit(1)
        }
    })
}

/// Path segments as the sandbox sees them: leading and one trailing `/` dropped, empty inner segments kept (an
/// empty path parameter is a violation, not a different path).
pub fn segments(path: &str) -> Vec<&str> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    if p.is_empty() {
        Vec::new()
    } else {
        p.split('/').collect()
    }
}

impl Spec {
    fn compile(doc: Value) -> Spec {
        let mut operations = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                let shared = item.get("parameters");
                for (method, op) in item.as_object().into_iter().flatten() {
                    if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                        continue;
                    }
                    operations.push(Operation {
                        method: method.to_uppercase(),
                        template: template.clone(),
                        segments: segments(template)
                            .into_iter()
                            .map(
                                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                                    Some(name) => Segment::Param(name.to_string()),
                                    None => Segment::Literal(s.to_string()),
                                },
                            )
                            .collect(),
                        public: op
                            .get("security")
                            .and_then(Value::as_array)
                            .is_some_and(Vec::is_empty),
                        params: shared
                            .into_iter()
                            .chain(op.get("parameters"))
                            .filter_map(Value::as_array)
                            .flatten()
                            .filter_map(|p| Spec::param(&doc, p))
                            .collect(),
                        body: op.get("requestBody").and_then(|b| {
                            let b = resolve(&doc, b);
                            let schema = b.pointer("/content/application~1json/schema")?;
                            let required =
                                b.get("required").and_then(Value::as_bool).unwrap_or(false);
                            Some((schema.clone(), required))
                        }),
                    });
                }
            }
        }
        Spec { doc, operations }
    }

    fn param(doc: &Value, p: &Value) -> Option<Param> {
        let p = resolve(doc, p);
        let place = match p.get("in")?.as_str()? {
            "path" => In::Path,
            "query" => In::Query,
            "header" => In::Header,
            _ => return None,
        };
        Some(Param {
            name: p.get("name")?.as_str()?.to_string(),
            place,
            required: place == In::Path
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: p.get("schema").cloned().unwrap_or(Value::Null),
        })
    }

    /// Follows `$ref`s (`#/…` pointers into this document) to the schema they name.
    pub fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        resolve(&self.doc, v)
    }

    /// The operations whose template matches `path`, with the path parameters' values (raw, not decoded);
    /// templates with more literal segments first (`/rewards/tags` before `/rewards/{reward_id}`).
    fn matching(&self, path: &str) -> Vec<Matched<'_>> {
        let segs = segments(path);
        let mut found: Vec<(usize, Matched)> = self
            .operations
            .iter()
            .filter(|op| op.segments.len() == segs.len())
            .filter_map(|op| {
                let mut params = Vec::new();
                let mut literals = 0;
                for (t, s) in op.segments.iter().zip(&segs) {
                    match t {
                        Segment::Literal(l) if l == s => literals += 1,
                        Segment::Literal(_) => return None,
                        Segment::Param(n) => {
                            params.push((n.as_str(), crate::http::percent_decode(s)))
                        }
                    }
                }
                Some((literals, (op, params)))
            })
            .collect();
        found.sort_by_key(|(literals, _)| std::cmp::Reverse(*literals));
        found.into_iter().map(|(_, m)| m).collect()
    }

    /// The operation for `method` on `path`, with its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let all = self.matching(path);
        // The best template for this path decides: a method it lacks is a 405, not another template's operation.
        let best = all.first().map(|(op, _)| op.template.clone())?;
        all.into_iter()
            .find(|(op, _)| op.template == best && op.method.eq_ignore_ascii_case(method))
    }

    /// Why no operation of the customer interface matches `method path` (`None` when one does): the path has
    /// operations but not this method, or no operation has this path (an enterprise-only or misspelt one).
    pub fn mismatch(&self, method: &str, path: &str) -> Option<&'static str> {
        if self.find(method, path).is_some() {
            None
        } else if self.matching(path).is_empty() {
            Some("no operation of the customer interface has this path")
        } else {
            Some("the customer interface has no operation with this method on this path")
        }
    }

    /// Whether the path's operations are callable without a token.
    pub fn is_public(&self, path: &str) -> bool {
        self.matching(path).first().is_some_and(|(best, _)| {
            self.operations
                .iter()
                .any(|op| op.template == best.template && op.public)
        })
    }

    /// `value` reduced to what `schema` declares (unknown properties dropped, recursively): what the sandbox stores
    /// of a request body, so stored state reads back spec-valid.
    pub fn project(&self, schema: &Value, value: &Value) -> Value {
        let schema = self.resolve(schema);
        match value {
            Value::Object(m) => {
                let mut props = serde_json::Map::new();
                self.properties(schema, &mut props);
                if props.is_empty() {
                    return value.clone();
                }
                Value::Object(
                    m.iter()
                        .filter_map(|(k, v)| props.get(k).map(|s| (k.clone(), self.project(s, v))))
                        .collect(),
                )
            }
            Value::Array(items) => match schema.get("items") {
                Some(s) => Value::Array(items.iter().map(|v| self.project(s, v)).collect()),
                None => value.clone(),
            },
            _ => value.clone(),
        }
    }

    /// The declared properties of an object schema, `allOf` branches merged.
    pub fn properties(&self, schema: &Value, out: &mut serde_json::Map<String, Value>) {
        let schema = self.resolve(schema);
        if let Some(p) = schema.get("properties").and_then(Value::as_object) {
            out.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for branch in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.properties(branch, out);
        }
    }

    /// A component schema by name.
    pub fn schema(&self, name: &str) -> &Value {
        self.doc
            .pointer(&format!("/components/schemas/{name}"))
            .unwrap_or(&Value::Null)
    }
}

fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    // A bounded walk: a `$ref` cycle without content cannot hang the sandbox.
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => v = doc.pointer(pointer).unwrap_or(&Value::Null),
            None => return v,
        }
    }
    v
}
