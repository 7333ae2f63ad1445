//! A name for every operation, as a person would say it: the official SDKs'
//! names where the overrides file records one (`jsapi_prepay`,
//! `query_order_by_out_trade_no`, with the SDK as the reason), and for the
//! others one derived by a rule from the method and the path:
//!
//! - a `POST` whose last segment is an action (`.../close`, `.../cancel`,
//!   `.../apply-abnormal-refund`) is that action on the resource before it
//!   (`close_transaction`); a `POST` whose last segment is a way to pay
//!   (`jsapi`, `app`, `h5`, `native`, `mini-program`) is a prepay
//!   (`app_prepay`); any other `POST` creates its resource (`create_refund`);
//! - a `GET` of a resource by its key is `get_<resource>` (`..._by_<key>`
//!   when the key is named in the path, `out-trade-no/{out_trade_no}`), a
//!   `GET` that pages is `list_<resources>`, any other `GET` is
//!   `query_<resource>`;
//! - `PUT` updates, `PATCH` modifies, `DELETE` deletes its resource.
//!
//! Names are unique across the whole API: when a rule gives two operations
//! the same name, each is prefixed with the words of its path the others do
//! not share (`partner_jsapi_prepay` beside `jsapi_prepay`).

use std::collections::{BTreeMap, BTreeSet};

use crate::{Kind, Method, Operation, Response, Spec};

/// Words that are actions when they start the last segment of a `POST`.
const ACTIONS: &[&str] = &[
    "activate",
    "add",
    "apply",
    "approve",
    "audit",
    "bind",
    "build",
    "cancel",
    "check",
    "claim",
    "close",
    "commit",
    "complete",
    "confirm",
    "create",
    "deactivate",
    "decrypt",
    "delete",
    "disassociate",
    "associate",
    "download",
    "encrypt",
    "finish",
    "freeze",
    "generate",
    "import",
    "invalidate",
    "lock",
    "modify",
    "notify",
    "open",
    "pause",
    "pay",
    "preopen",
    "presign",
    "query",
    "recover",
    "redeclare",
    "refund",
    "reject",
    "remove",
    "renew",
    "restart",
    "resume",
    "retry",
    "return",
    "reverse",
    "revoke",
    "schedule",
    "send",
    "set",
    "start",
    "stop",
    "submit",
    "sync",
    "terminate",
    "transfer",
    "unbind",
    "unfreeze",
    "unlock",
    "update",
    "upload",
    "use",
    "verify",
    "withdraw",
];

/// Last segments of a `POST` that say how the payer pays: a prepay.
const WAYS_TO_PAY: &[&str] = &[
    "jsapi",
    "app",
    "h5",
    "native",
    "mini-program",
    "miniprogram",
    "mweb",
];

/// Gives every `/v3` operation without a name one by the rule, keeping the
/// names the overrides gave, and makes every name unique.
pub fn assign(spec: &mut Spec) {
    let derived: Vec<Option<String>> = spec
        .operations
        .iter()
        .map(|op| op.name.is_none().then(|| derive(op)))
        .collect();
    for (operation, name) in spec.operations.iter_mut().zip(derived) {
        if let Some(name) = name {
            operation.name = Some(name);
        }
    }
    // Names the rule gave twice get the fewest words of their path that
    // tell them apart; names from the overrides were chosen unique and stay.
    for _ in 0..6 {
        let clashes = clashes(spec);
        if clashes.is_empty() {
            return;
        }
        for group in clashes {
            let words: Vec<Vec<String>> = group
                .iter()
                .map(|&i| literal_words(&spec.operations[i].path))
                .collect();
            // The plainest path keeps the plain name (`/v3/pay/transactions/jsapi`
            // beside `/v3/pay/partner/transactions/jsapi`), when one is plainest.
            // A name from the overrides is kept by its operation.
            let reviewed = (0..group.len())
                .find(|&m| spec.operations[group[m]].overridden.contains_key("name"));
            let fewest = words.iter().map(Vec::len).min().unwrap_or(0);
            let plainest: Vec<usize> = (0..group.len())
                .filter(|&m| words[m].len() == fewest)
                .collect();
            let keeper = reviewed.or(match plainest.as_slice() {
                [one] => Some(*one),
                _ => None,
            });
            let shared: BTreeSet<&String> = words[0]
                .iter()
                .filter(|w| words.iter().all(|ws| ws.contains(w)))
                .collect();
            for (member, (&index, own)) in group.iter().zip(&words).enumerate() {
                if Some(member) == keeper {
                    continue;
                }
                let operation = &mut spec.operations[index];
                if operation.overridden.contains_key("name") {
                    continue;
                }
                let name = operation.name.clone().unwrap_or_default();
                let unused = |w: &&String| !name.split('_').any(|n| n == w.as_str());
                let against_keeper: Vec<&String> = match keeper {
                    Some(k) => own
                        .iter()
                        .filter(|w| !words[k].contains(w))
                        .filter(unused)
                        .collect(),
                    None => Vec::new(),
                };
                let mut distinct: Vec<&String> = if against_keeper.is_empty() {
                    own.iter()
                        .filter(|w| !shared.contains(w))
                        .filter(unused)
                        .collect()
                } else {
                    against_keeper
                };
                if distinct.is_empty() && keeper.is_some() {
                    // Its words are all the keeper's: its first other word says where it is.
                    distinct = own.iter().filter(unused).take(1).collect();
                }
                operation.name = Some(match distinct.first() {
                    // One word at a time: the next round adds another if needed.
                    Some(word) => format!("{word}_{name}"),
                    // The same words: the keys in the path tell them apart.
                    None => {
                        let keys = placeholders(&operation.path);
                        match keys.last() {
                            Some(key) if !name.contains(key.as_str()) => format!("{name}_by_{key}"),
                            _ => format!("{name}_{}", operation.method.lower()),
                        }
                    }
                });
            }
        }
    }
    // What no word tells apart is numbered, in the spec's order.
    for group in clashes(spec) {
        for (n, &index) in group.iter().enumerate().skip(1) {
            let operation = &mut spec.operations[index];
            let name = operation.name.clone().unwrap_or_default();
            operation.name = Some(format!("{name}_{}", n + 1));
        }
    }
}

/// Groups of operations (by index) that share a name.
fn clashes(spec: &Spec) -> Vec<Vec<usize>> {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, operation) in spec.operations.iter().enumerate() {
        if let Some(name) = &operation.name {
            by_name.entry(name).or_default().push(index);
        }
    }
    by_name.into_values().filter(|v| v.len() > 1).collect()
}

/// The placeholders of a path, as snake_case words.
fn placeholders(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|p| words(p).join("_"))
        .collect()
}

/// The words of a path's literal segments after `/v3`.
fn literal_words(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != "v3" && !s.starts_with('{'))
        .flat_map(words)
        .collect()
}

fn words(segment: &str) -> Vec<String> {
    segment
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A word's singular, for the few plurals the paths use.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["ches", "shes", "sses", "xes"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if word.len() > 3 && !word.ends_with("ss") && !word.ends_with("us") => {
            stem.to_owned()
        }
        _ => word.to_owned(),
    }
}

/// A literal segment that names the key the placeholder after it is
/// (`id`, `out-trade-no`, `batch-id`, `sub-mchid/{sub_mchid}`).
fn is_key(segment: &str, placeholder: Option<&str>) -> bool {
    segment == "id"
        || segment.ends_with("-id")
        || segment.ends_with("-no")
        || segment.starts_with("out-")
        || placeholder.is_some_and(|p| words(p) == words(segment))
}

/// The name the rule gives an operation.
pub fn derive(operation: &Operation) -> String {
    let segments: Vec<&str> = operation
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "v3")
        .collect();
    let is_placeholder = |s: &str| s.starts_with('{') && s.ends_with('}');
    // The last literal segment, and what key the path ends with, if any.
    let mut end = segments.len();
    let mut by = None;
    if end > 0 && is_placeholder(segments[end - 1]) {
        let key = segments[end - 1].trim_matches(['{', '}']);
        if end > 1 && is_key(segments[end - 2], Some(key)) {
            by = Some(key.to_owned());
            end -= 2;
        } else {
            end -= 1;
        }
    }
    // The resource: the nearest literal segment that is not a key.
    let resource_at = |before: usize| -> Option<usize> {
        (0..before).rev().find(|&i| {
            let next = segments.get(i + 1).filter(|s| is_placeholder(s));
            !is_placeholder(segments[i])
                && !next.is_some_and(|p| is_key(segments[i], Some(p.trim_matches(['{', '}']))))
        })
    };
    let by_suffix = by
        .as_ref()
        .map(|key| format!("_by_{}", words(key).join("_")))
        .unwrap_or_default();
    let resource_words = |at: Option<usize>, single: bool| -> String {
        at.map(|i| {
            let ws = words(segments[i]);
            let last = ws.len() - 1;
            ws.iter()
                .enumerate()
                .map(|(n, w)| {
                    if single && n == last {
                        singular(w)
                    } else {
                        w.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join("_")
        })
        .unwrap_or_else(|| "resource".to_owned())
    };
    match operation.method {
        Method::Post => {
            let last = segments
                .get(end.wrapping_sub(1))
                .copied()
                .unwrap_or_default();
            let last_words = words(last);
            if by.is_none() && WAYS_TO_PAY.contains(&last) {
                return format!("{}_prepay", last_words.join("_"));
            }
            if by.is_none()
                && last_words
                    .first()
                    .is_some_and(|w| ACTIONS.contains(&w.as_str()))
            {
                let object = resource_words(resource_at(end - 1), true);
                let action = last_words.join("_");
                // `cancel-applyment` names its object already.
                return if last_words.len() > 1 {
                    action
                } else {
                    format!("{action}_{object}")
                };
            }
            format!(
                "create_{}{by_suffix}",
                resource_words(resource_at(end), true)
            )
        }
        Method::Get => {
            let at = resource_at(end);
            let ends_in_key = segments.last().is_some_and(|s| is_placeholder(s));
            if !ends_in_key && pages(operation) {
                format!("list_{}", resource_words(at, false))
            } else if ends_in_key {
                format!("get_{}{by_suffix}", resource_words(at, true))
            } else {
                format!("query_{}", resource_words(at, true))
            }
        }
        Method::Put => format!(
            "update_{}{by_suffix}",
            resource_words(resource_at(end), true)
        ),
        Method::Patch => format!(
            "modify_{}{by_suffix}",
            resource_words(resource_at(end), true)
        ),
        Method::Delete => format!(
            "delete_{}{by_suffix}",
            resource_words(resource_at(end), true)
        ),
        Method::Head | Method::Options => format!(
            "{}_{}",
            operation.method.lower(),
            resource_words(resource_at(end), true)
        ),
    }
}

/// Whether a `GET` answers a page of a list: a query with a page size, an
/// answer with a list of objects.
fn pages(operation: &Operation) -> bool {
    let limited = operation.query.as_ref().is_some_and(|q| {
        q.fields.iter().any(|f| {
            matches!(
                f.name.as_str(),
                "limit" | "page_size" | "offset" | "offset_id"
            )
        })
    });
    let listed = match &operation.response {
        Response::Json { fields } => fields
            .iter()
            .any(|f| f.array_depth > 0 && f.kind == Kind::Object),
        _ => false,
    };
    limited && listed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn op(method: Method, path: &str) -> Operation {
        let mut operation = Operation::new(
            method,
            path,
            "s",
            Source {
                page: "p.md".into(),
                line: 1,
            },
        );
        operation.response = Response::Empty;
        operation
    }

    #[test]
    fn the_rule_says_what_the_operation_does() {
        for (method, path, name) in [
            (
                Method::Post,
                "/v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close",
                "close_transaction",
            ),
            (Method::Post, "/v3/refund/domestic/refunds", "create_refund"),
            (
                Method::Post,
                "/v3/combine-transactions/jsapi",
                "jsapi_prepay",
            ),
            (
                Method::Post,
                "/v3/applyment4sub/applyment/applyment_id/{applyment_id}/cancel-applyment",
                "cancel_applyment",
            ),
            (
                Method::Get,
                "/v3/refund/domestic/refunds/{out_refund_no}",
                "get_refund",
            ),
            (
                Method::Get,
                "/v3/transfer/batches/batch-id/{batch_id}",
                "get_batch_by_batch_id",
            ),
            (
                Method::Get,
                "/v3/merchant/fund/balance/{account_type}",
                "get_balance",
            ),
            (
                Method::Put,
                "/v3/marketing/busifavor/stocks/{stock_id}",
                "update_stock",
            ),
            (
                Method::Delete,
                "/v3/smartguide/guides/{guide_id}",
                "delete_guide",
            ),
            (
                Method::Post,
                "/v3/marketing/partnerships/build",
                "build_partnership",
            ),
        ] {
            assert_eq!(derive(&op(method, path)), name, "{method} {path}");
        }
    }

    #[test]
    fn names_are_unique_and_reviewed_ones_stay() {
        let mut reviewed = op(Method::Post, "/v3/pay/transactions/jsapi");
        reviewed.name = Some("jsapi_prepay".into());
        reviewed
            .overridden
            .insert("name".into(), "wechatpay-go".into());
        let mut spec = Spec::new(vec![
            reviewed,
            op(Method::Post, "/v3/combine-transactions/jsapi"),
            op(Method::Post, "/v3/ecommerce/refunds/apply"),
            op(Method::Post, "/v3/brand/refunds/apply"),
        ]);
        assign(&mut spec);
        let names: BTreeMap<&str, &str> = spec
            .operations
            .iter()
            .map(|o| (o.path.as_str(), o.name.as_deref().unwrap()))
            .collect();
        assert_eq!(names["/v3/pay/transactions/jsapi"], "jsapi_prepay");
        assert_eq!(
            names["/v3/combine-transactions/jsapi"],
            "combine_jsapi_prepay"
        );
        assert_eq!(
            names["/v3/ecommerce/refunds/apply"],
            "ecommerce_apply_refund"
        );
        assert_eq!(names["/v3/brand/refunds/apply"], "brand_apply_refund");
    }
}
