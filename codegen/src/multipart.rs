//! The body of a `multipart/form-data` upload: its file part and its JSON
//! `meta` part, the struct holding them, its checks, and how `to_request`
//! writes it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use wechatpay_spec::{Field, Kind, Operation};

use crate::CodegenError;
use crate::docs::field_docs;
use crate::names::{ident, snake};
use crate::types::{FieldPlan, TypeBuilder, has_sensitive};

/// What the upload's struct holds, planned from the page's form parts.
struct Form<'a> {
    /// The struct's fields: `file`, and `meta` when the page has one.
    plans: Vec<FieldPlan>,
    /// The fields of the `meta` part (none without one).
    meta_fields: &'a [Field],
    /// Whether the `meta` type has limits to check.
    meta_checks: bool,
    /// The file part's name on the wire (`file`, `submission_file`...).
    file_field: String,
}

impl Form<'_> {
    fn has_meta(&self) -> bool {
        self.plans.iter().any(|p| p.ident == "meta")
    }
}

/// Whether a multipart part is the file (`file`, `submission_file`...): every
/// part but the JSON `meta` one.
pub(crate) fn is_file_part(part: &Field) -> bool {
    part.name != "meta" && matches!(part.kind, Kind::Object)
}

/// Pushes the body's struct (and its `meta` type and checks), and returns
/// the statements of `to_request` that write it, and whether it validates.
pub(crate) fn multipart_body(
    rt: &TokenStream,
    builder: &mut TypeBuilder<'_>,
    prefix: &str,
    name: &Ident,
    form: &[Field],
    operation: &Operation,
) -> Result<(TokenStream, bool), CodegenError> {
    let form = plan_form(rt, builder, prefix, form, operation)?;
    let digest_check = sha256_check(rt, form.meta_fields);
    let docs = vec![format!(
        "The `multipart/form-data` body of {}.",
        operation.summary
    )];
    builder.push_plain_struct(name, &docs, &form.plans);
    let validates = form.meta_checks || digest_check.is_some();
    if validates {
        let checks = form.plans.iter().map(|p| &p.validation);
        builder.items.push(quote! {
            impl #rt::Validate for #name {
                fn validate_into(&self, pointer: &str, errors: &mut ::std::vec::Vec<#rt::ValidationError>) {
                    #(#checks)*
                    #digest_check
                }
            }
        });
    }
    Ok((write_body(rt, &form), validates))
}

/// The struct's fields, pushing the `meta` part's type on the way.
fn plan_form<'a>(
    rt: &TokenStream,
    builder: &mut TypeBuilder<'_>,
    prefix: &str,
    form: &'a [Field],
    operation: &Operation,
) -> Result<Form<'a>, CodegenError> {
    let mut planned = Form {
        plans: Vec::new(),
        meta_fields: &[],
        meta_checks: false,
        file_field: String::new(),
    };
    for part in form {
        if is_file_part(part) {
            planned.file_field = part.name.clone();
            let mut docs = field_docs(part);
            docs.push("The file part: from memory, a reader, or a file streamed from disk.".into());
            planned.plans.push(FieldPlan {
                ident: ident("file"),
                wire: part.name.clone(),
                ty: quote!(#rt::FilePart),
                required: true,
                docs,
                schemars: Vec::new(),
                validation: TokenStream::new(),
                seal: TokenStream::new(),
                into: false,
            });
            continue;
        }
        planned.meta_fields = &part.children;
        let meta = builder.type_name(&format!("{prefix}Meta"), &format!("{prefix}MetaPart"));
        let docs = vec![format!("The JSON `meta` part of {}.", operation.summary)];
        planned.meta_checks = builder.request_part(&meta, &docs, &part.children, true)?;
        let mut docs = field_docs(part);
        docs.push("The `meta` part; the request signature covers its JSON.".into());
        planned.plans.push(FieldPlan {
            ident: ident("meta"),
            wire: "meta".into(),
            ty: quote!(#rt::JsonString<#meta>),
            required: true,
            docs,
            schemars: Vec::new(),
            // Its fields are reported under `/meta`, the part they are in.
            validation: if planned.meta_checks {
                quote! {
                    #rt::Validate::validate_into(&self.meta, &#rt::__private::validate::pointer(pointer, "meta"), errors);
                }
            } else {
                TokenStream::new()
            },
            // Sealed in `to_request`, on a copy of the part.
            seal: TokenStream::new(),
            into: false,
        });
    }
    Ok(planned)
}

/// A `sha256` in meta must be the file's, or WeChat Pay refuses the upload:
/// the check that says so before sending it.
fn sha256_check(rt: &TokenStream, meta_fields: &[Field]) -> Option<TokenStream> {
    let field = meta_fields
        .iter()
        .find(|f| f.name == "sha256" && f.kind == Kind::String && !f.is_array())?;
    let id = ident(&snake(&field.name));
    let push = quote! {
        errors.push(#rt::ValidationError {
            pointer: ::std::format!("{pointer}/meta/sha256"),
            message: "is not the SHA-256 of the file part".into(),
        });
    };
    Some(if field.required {
        quote! {
            if !self.meta.0.#id.eq_ignore_ascii_case(self.file.sha256()) {
                #push
            }
        }
    } else {
        quote! {
            if let ::std::option::Option::Some(sha256) = &self.meta.0.#id
                && !sha256.eq_ignore_ascii_case(self.file.sha256())
            {
                #push
            }
        }
    })
}

/// `request.body = Body::Multipart { .. }`: the `meta` JSON (sealed first
/// when it holds a sensitive field) and the file.
fn write_body(rt: &TokenStream, form: &Form<'_>) -> TokenStream {
    let to_bytes = quote!(.to_json().map_err(|e| #rt::Error::from(#rt::ConfigError::new(#rt::Setting::RequestBody, e)))?.into_bytes());
    let meta = if form.has_meta() && has_sensitive(form.meta_fields) {
        quote!(#rt::sensitive::sealed(&self.body.meta, sealer)? #to_bytes)
    } else if form.has_meta() {
        quote!(self.body.meta #to_bytes)
    } else {
        quote!(::std::vec::Vec::new())
    };
    let file_field = &form.file_field;
    quote! {
        request.body = #rt::Body::Multipart {
            meta: #meta,
            file_field: ::std::borrow::Cow::Borrowed(#file_field),
            file: self.body.file.clone(),
        };
    }
}
