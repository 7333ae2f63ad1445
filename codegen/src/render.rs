//! Generated token streams as files a person reads: parsed, pretty-printed
//! (prettyplease), the runtime's macro bodies formatted too, items spaced, and
//! the `@generated` header on top.

use quote::format_ident;

use crate::CodegenError;

/// One formatted file: parsed, pretty-printed, enums put back in their macro,
/// items spaced, and the `@generated` header on top.
pub(crate) fn render(
    file: &str,
    source: &str,
    header: &str,
    runtime: &str,
) -> Result<String, CodegenError> {
    let mut parsed: syn::File = syn::parse_str(source).map_err(|e| CodegenError::Parse {
        module: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut text = if unwrap_macros(&mut parsed.items) {
        rewrap_macros(&prettyplease::unparse(&parsed), runtime)
    } else {
        prettyplease::unparse(&parsed)
    };
    text = space_items(&text);
    Ok(format!("{header}{text}"))
}

/// Marks an enum that was the body of an `open_enum!` invocation.
const OPEN_ENUM_MARK: &str = "__wechatpay_open_enum";

/// Marks a constant whose value was the body of an `impl_deserialize!` invocation.
const DESERIALIZE_MARK: &str = "__wechatpay_impl_deserialize";

/// prettyplease leaves macro bodies on long unformatted lines. The body of
/// `open_enum!` parses as an enum (string discriminants are valid syntax) and
/// that of `impl_deserialize!` as a struct expression, so each is swapped for a
/// marked enum or constant, formatted as one, and put back in its macro by
/// [`rewrap_macros`]. Returns whether anything was swapped.
fn unwrap_macros(items: &mut [syn::Item]) -> bool {
    let mut any = false;
    for item in items {
        match item {
            syn::Item::Macro(invocation) => {
                let Some(name) = invocation.mac.path.segments.last().map(|s| &s.ident) else {
                    continue;
                };
                let tokens = invocation.mac.tokens.clone();
                let swapped: Option<syn::Item> = if name == "open_enum" {
                    syn::parse2::<syn::ItemEnum>(tokens).ok().map(|mut body| {
                        let mark = format_ident!("{OPEN_ENUM_MARK}");
                        body.attrs.insert(0, syn::parse_quote!(#[#mark]));
                        syn::Item::Enum(body)
                    })
                } else if name == "impl_deserialize" {
                    syn::parse2::<syn::ExprStruct>(tokens).ok().map(|body| {
                        let mark = format_ident!("{DESERIALIZE_MARK}");
                        syn::parse_quote!(#[#mark] const _: () = #body;)
                    })
                } else {
                    None
                };
                if let Some(swapped) = swapped {
                    *item = swapped;
                    any = true;
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &mut module.content {
                    any |= unwrap_macros(items);
                }
            }
            _ => {}
        }
    }
    any
}

/// Puts each marked item back into its macro (`runtime::open_enum! { ... }`,
/// `runtime::__private::impl_deserialize! { ... }`), indented.
fn rewrap_macros(text: &str, runtime: &str) -> String {
    let enum_mark = format!("#[{OPEN_ENUM_MARK}]");
    let deserialize_mark = format!("#[{DESERIALIZE_MARK}]");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The indentation of the macro being rewritten, and whether it is a struct
    // expression (whose `const _: () = ` and `;` go).
    let mut open: Option<(&str, bool)> = None;
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match open {
            None if line.trim_start() == enum_mark => {
                out.push_str(&format!("{indent}{runtime}::open_enum! {{\n"));
                open = Some((indent, false));
                continue;
            }
            None if line.trim_start() == deserialize_mark => {
                out.push_str(&format!(
                    "{indent}{runtime}::__private::impl_deserialize! {{\n"
                ));
                open = Some((indent, true));
                continue;
            }
            None => out.push_str(line),
            Some((outer, expression)) => {
                let mut body = line.to_owned();
                let closes = if expression {
                    // The constant's first line loses `const _: () = `; it closes
                    // with `};` at the macro's indentation, or on its first line.
                    let value = line
                        .get(outer.len()..)
                        .and_then(|rest| rest.strip_prefix("const _: () = "));
                    let first = value.is_some();
                    if let Some(value) = value {
                        body = format!("{outer}{value}");
                    }
                    line.ends_with(';') && (first || line.len() == outer.len() + 2)
                } else {
                    line.len() == outer.len() + 1 && line.ends_with('}')
                };
                if expression && closes {
                    body.pop();
                }
                if !body.is_empty() {
                    out.push_str("    ");
                }
                out.push_str(&body);
                if closes {
                    out.push_str(&format!("\n{outer}}}"));
                    open = None;
                }
            }
        }
        out.push('\n');
    }
    out
}

/// prettyplease puts items right after each other; a blank line after every
/// closing brace of an item or impl member makes the files read like hand-written
/// code.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous = "";
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let starts_item = [
            "///", "//!", "#[", "pub ", "impl", "fn ", "const ", "mod ", "enum ", "struct ",
        ]
        .iter()
        .any(|p| line[indent..].starts_with(p))
            || line.ends_with("::open_enum! {")
            || line.ends_with("::impl_deserialize! {");
        let closed =
            previous.trim_start() == "}" && previous.len() - previous.trim_start().len() == indent;
        let after_inner_docs =
            previous.trim_start().starts_with("//!") && !line.trim_start().starts_with("//!");
        // A run of `pub mod x;` declarations ends before the next item.
        let is_declaration = |line: &str| {
            let line = line.trim_start();
            (line.starts_with("pub mod ") || line.starts_with("pub use ")) && line.ends_with(';')
        };
        let after_declarations = is_declaration(previous)
            && !is_declaration(line)
            && !line.trim_start().starts_with("#[")
            && !line.trim().is_empty()
            && !line.trim_start().starts_with('}');
        if (closed && starts_item) || after_inner_docs || after_declarations {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn macro_bodies_are_formatted_and_put_back_in_their_macros() {
        let source = r#"
            mod inner {
                ::rt::impl_deserialize! { Empty {} }
                ::rt::impl_deserialize! { Pair { first: required(0, "first"), second_field: optional(1, "secondField"), } }
                ::rt::open_enum! { pub enum Kind { A = "A", #[unrecognized] Unrecognized(String), } }
            }
        "#;
        let text = render("test.rs", source, "", "::rt").unwrap();
        let expected = r#"mod inner {
    ::rt::__private::impl_deserialize! {
        Empty {}
    }

    ::rt::__private::impl_deserialize! {
        Pair {
            first: required(0, "first"),
            second_field: optional(1, "secondField"),
        }
    }

    ::rt::open_enum! {
        pub enum Kind {
            A = "A",
            #[unrecognized]
            Unrecognized(String),
        }
    }
}
"#;
        assert_eq!(text, expected);
        // What is put back still parses as the same macro calls.
        let reparsed: syn::File = syn::parse_str(&text).unwrap();
        assert_eq!(reparsed.items.len(), 1);
    }
}
