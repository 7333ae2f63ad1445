//! Prints the JSON Schema of every payload of the generated bindings as one JSON
//! object, name -> schema: `cargo xtask codegen` writes (or checks) them as the
//! files of `schemas/`.

fn main() {
    let schemas: serde_json::Map<String, serde_json::Value> = wechatpay_bindings::json_schemas()
        .into_iter()
        .map(|(name, schema)| {
            let value = serde_json::to_value(&schema).expect("schemas serialize");
            (name.to_owned(), value)
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string(&schemas).expect("values serialize")
    );
}
