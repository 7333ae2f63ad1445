//! Money is never a float: every field of the checked-in spec that the
//! generated code types `f64`, with the reason, in `tests/floats.txt`. A new
//! float shows up in review as a new line there.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wechatpay_codegen::wire::float_reason;
use wechatpay_spec::{Field, Kind, Spec};

fn walk(
    fields: &[Field],
    at: &str,
    floats: &mut BTreeMap<String, &'static str>,
    integers: &mut usize,
) {
    for field in fields {
        let here = format!("{at}.{}", field.name);
        if field.kind == Kind::Number {
            match float_reason(field) {
                Some(reason) => {
                    floats.insert(here.clone(), reason);
                }
                None => *integers += 1,
            }
        }
        walk(&field.children, &here, floats, integers);
    }
}

#[test]
fn every_float_of_the_spec_has_a_reason() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/wechatpay.json");
    let spec = Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut floats = BTreeMap::new();
    let mut integers = 0;
    for operation in spec
        .operations
        .iter()
        .filter(|o| o.path.starts_with("/v3/"))
    {
        let id = operation.id();
        let sections: [(&str, &[Field]); 5] = [
            ("path", &operation.path_params),
            ("query", operation.query.as_ref().map_or(&[], |q| &q.fields)),
            (
                "headers",
                operation.headers.as_ref().map_or(&[], |h| &h.fields),
            ),
            ("body", operation.body_fields()),
            ("response", operation.response_fields()),
        ];
        for (section, fields) in sections {
            walk(
                fields,
                &format!("{id} {section}"),
                &mut floats,
                &mut integers,
            );
        }
    }
    for notification in &spec.notifications {
        let at = format!(
            "notification {} resource",
            notification.event_types.join(",")
        );
        walk(&notification.resource, &at, &mut floats, &mut integers);
    }
    let mut text = format!(
        "# Fields typed f64, with the reason (`wire::float_reason`). The other {integers} `number` fields are i64.\n"
    );
    for (field, reason) in &floats {
        text.push_str(&format!("{field}: {reason}\n"));
    }
    expectorate::assert_contents("tests/floats.txt", &text);
    for field in floats.keys() {
        let name = field.rsplit('.').next().unwrap();
        assert!(
            !["amount", "total", "refund", "price", "fee"]
                .iter()
                .any(|money| name.split('_').any(|word| word == *money)),
            "{field} looks like money"
        );
    }
}
