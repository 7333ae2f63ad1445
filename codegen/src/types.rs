//! Structs and enums for the fields of one operation: request bodies, query and
//! header parameters, responses, and every nested object and enumeration.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use wechatpay_spec::{Field, Kind, Limits};

use crate::CodegenError;
use crate::docs::{doc_attrs, doc_lines, field_docs, lines_to_doc, schema_metadata};
use crate::names::{Names, camel, ident, snake};

/// Which side of the wire a type is on: request types get validation and setters
/// taking `impl Into<String>`; response types are only decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
}

/// Collects the items of one path module.
pub(crate) struct TypeBuilder<'a> {
    pub(crate) rt: &'a TokenStream,
    pub(crate) names: Names,
    pub(crate) items: Vec<TokenStream>,
    /// The type-name prefix of the operation being generated (`UploadCouponCodes`):
    /// nested types are named after the operation and their field, and only after
    /// their whole parent chain when that name is taken.
    pub(crate) prefix: String,
    /// Types already generated, by shape: a second field with the same enum values,
    /// or the same nested fields on the same side, reuses the first one's type.
    shapes: std::collections::HashMap<String, Ident>,
    /// The fields (CamelCase) from the operation's part down to the one whose
    /// type is being named: a nested type is `{prefix}{Field}`, and when that
    /// is taken `{prefix}{Owner}{Field}`, one owner more at a time.
    field_path: Vec<String>,
    /// Whether schemars derives and attributes sit behind the `json-schema` feature.
    json_schema_feature: bool,
}

/// How a field appears in a struct.
pub(crate) struct FieldPlan {
    pub(crate) ident: Ident,
    pub(crate) wire: String,
    pub(crate) ty: TokenStream,
    pub(crate) required: bool,
    pub(crate) docs: Vec<String>,
    pub(crate) schemars: Vec<TokenStream>,
    /// Statements appending this field's broken limits (request side only).
    pub(crate) validation: TokenStream,
    /// The statement sealing this field's sensitive values, if it holds any
    /// (request side only).
    pub(crate) seal: TokenStream,
    /// Whether the setter/constructor takes `impl Into<ty>` (strings and times).
    pub(crate) into: bool,
}

impl<'a> TypeBuilder<'a> {
    pub(crate) fn new(rt: &'a TokenStream, json_schema_feature: bool) -> Self {
        TypeBuilder {
            rt,
            json_schema_feature,
            names: Names::default(),
            items: Vec::new(),
            prefix: String::new(),
            shapes: std::collections::HashMap::new(),
            field_path: Vec::new(),
        }
    }

    /// Reserves the name of a type nested in the operation's parts: the
    /// prefix and the field, then its owners' fields one at a time, then
    /// numbered, each with `suffix` (`Item` for the items of a list).
    fn nested_name(&mut self, side: Side, suffix: &str) -> Ident {
        for owners in 1..=self.field_path.len() {
            let fields = self.field_path[self.field_path.len() - owners..].concat();
            let candidate = format!("{}{fields}{suffix}", self.prefix);
            if self.names.try_take(&candidate) {
                return ident(&candidate);
            }
        }
        // The same field on the other side of the wire (a refund's `amount`
        // in the request and in the response).
        let part = match side {
            Side::Request => "Request",
            Side::Response => "Response",
        };
        let last = self.field_path.last().cloned().unwrap_or_default();
        ident(
            &self
                .names
                .take(&format!("{}{part}{last}{suffix}", self.prefix)),
        )
    }

    /// Reserves a type name, falling back to `fallback` and then numbered variants.
    pub(crate) fn type_name(&mut self, preferred: &str, fallback: &str) -> Ident {
        if self.names.try_take(preferred) {
            return ident(preferred);
        }
        ident(&self.names.take(fallback))
    }

    /// A struct for `fields`, named `name`; returns nothing, pushes items.
    pub(crate) fn struct_for(
        &mut self,
        name: &Ident,
        docs: &[String],
        fields: &[Field],
        side: Side,
        serde: bool,
    ) -> Result<(), CodegenError> {
        let mut field_names = Names::default();
        let mut plans = Vec::new();
        for field in fields {
            plans.push(self.field_plan(field, side, &mut field_names)?);
        }
        // Answers keep the members no page lists (see `wire`).
        let rest = (side == Side::Response && serde).then(|| ident(&field_names.take("extra")));
        self.push_struct(name, docs, &plans, side, serde, rest.as_ref());
        Ok(())
    }

    /// A top-level request part (body, query, headers, multipart meta). Like
    /// every type, it implements `Validate` only if it has a limit to check;
    /// the answer says whether it does, so that the request visits only those.
    pub(crate) fn request_part(
        &mut self,
        name: &Ident,
        docs: &[String],
        fields: &[Field],
        serde: bool,
    ) -> Result<bool, CodegenError> {
        self.struct_for(name, docs, fields, Side::Request, serde)?;
        Ok(has_checks(fields))
    }

    fn field_plan(
        &mut self,
        field: &Field,
        side: Side,
        field_names: &mut Names,
    ) -> Result<FieldPlan, CodegenError> {
        let rt = self.rt;
        let ident_text = field_names.take(&snake(&field.name));
        let ident = ident(&ident_text);
        let (ty, into) = self.value_type(field, side)?;
        let mut schemars = Vec::new();
        push_limit_attrs(&mut schemars, &field.limits, field.is_array());
        if field.is_array() && !field.item_limits.is_empty() {
            let mut inner = Vec::new();
            push_limit_attrs(&mut inner, &field.item_limits, field.array_depth > 1);
            if !inner.is_empty() {
                schemars.push(quote!(inner(#(#inner),*)));
            }
        }
        let validation = if side == Side::Request {
            validation_for(rt, field, &ident)
        } else {
            TokenStream::new()
        };
        // `Option`, `Vec` and `JsonString` seal what they hold: one call
        // whatever the field's shape.
        let seal = if side == Side::Request && holds_sensitive(field) {
            quote!(#rt::sensitive::Seal::seal(&mut self.#ident, sealer)?;)
        } else {
            TokenStream::new()
        };
        let mut docs = field_docs(field);
        if is_sensitive(field) {
            docs.push(match side {
                Side::Request => "Sensitive: give the plaintext. The client seals it (RSA-OAEP) with the WeChat Pay public key or platform certificate it names in `Wechatpay-Serial`.",
                Side::Response => "Sensitive: encrypted with the merchant's API certificate key; `Client::decrypt` opens it.",
            }.to_owned());
        }
        if side == Side::Response {
            for doc in &mut docs {
                if doc == "**Required.**" {
                    *doc = "Marked required on the page; not promised, like every answer field (see the crate docs).".to_owned();
                }
            }
        }
        Ok(FieldPlan {
            ident,
            wire: field.name.clone(),
            ty,
            // See `wire`: no answer field is promised.
            required: field.required && side == Side::Request,
            docs,
            schemars,
            validation,
            seal,
            into: into && field.array_depth == 0,
        })
    }

    /// The Rust type of a field's value (without `Option`), generating nested
    /// structs and enums as needed. The flag says whether setters take
    /// `impl Into<_>` of it (a `String`, a `DateTime`).
    fn value_type(
        &mut self,
        field: &Field,
        side: Side,
    ) -> Result<(TokenStream, bool), CodegenError> {
        self.field_path.push(camel(&field.name));
        let typed = self.value_type_inner(field, side);
        self.field_path.pop();
        typed
    }

    fn value_type_inner(
        &mut self,
        field: &Field,
        side: Side,
    ) -> Result<(TokenStream, bool), CodegenError> {
        let rt = self.rt;
        let (mut ty, into) = match field.kind {
            Kind::String if field.encoded.is_some() && !field.children.is_empty() => {
                let inner = self.nested_struct(field, side)?;
                (quote!(#rt::JsonString<#inner>), false)
            }
            Kind::String if !field.enum_values.is_empty() => {
                let shape = format!("enum {:?}", field.enum_values);
                let name = match self.shapes.get(&shape) {
                    Some(existing) => existing.clone(),
                    None => {
                        let name = self.nested_name(side, "");
                        self.push_enum(&name, field);
                        self.shapes.insert(shape, name.clone());
                        name
                    }
                };
                (quote!(#name), false)
            }
            // Plaintext the client encrypts as it builds the request; ciphertext
            // the caller decrypts when it needs the value.
            Kind::String if is_sensitive(field) => match side {
                Side::Request => (quote!(#rt::sensitive::Sensitive), false),
                Side::Response => (quote!(#rt::sensitive::Encrypted), false),
            },
            Kind::String if crate::wire::is_time(field) => (quote!(#rt::DateTime), true),
            Kind::String => (quote!(::std::string::String), true),
            Kind::Integer => (quote!(i64), false),
            Kind::Number if crate::wire::float_reason(field).is_none() => (quote!(i64), false),
            Kind::Number => (quote!(f64), false),
            Kind::Boolean => (quote!(bool), false),
            Kind::Object if field.children.is_empty() => (
                quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
                false,
            ),
            Kind::Object => {
                let inner = self.nested_struct(field, side)?;
                (quote!(#inner), false)
            }
            // The page gives no type: whatever WeChat Pay sends is kept as it came.
            Kind::Any => (quote!(::serde_json::Value), false),
        };
        for _ in 0..field.array_depth {
            ty = quote!(::std::vec::Vec<#ty>);
        }
        Ok((ty, into))
    }

    /// The struct of a field's nested fields (a JSON-encoded string's, an
    /// object's), named after the field (see [`Self::nested_name`]).
    pub(crate) fn struct_of(&mut self, field: &Field, side: Side) -> Result<Ident, CodegenError> {
        self.field_path.push(camel(&field.name));
        let name = self.nested_struct(field, side);
        self.field_path.pop();
        name
    }

    fn nested_struct(&mut self, field: &Field, side: Side) -> Result<Ident, CodegenError> {
        let shape = format!("{side:?} {}", shape_of(&field.children));
        if let Some(existing) = self.shapes.get(&shape) {
            return Ok(existing.clone());
        }
        let suffix = if field.is_array() { "Item" } else { "" };
        let name = self.nested_name(side, suffix);
        let mut docs = vec![if field.is_array() {
            format!("An item of `{}`.", field.name)
        } else if field.encoded.is_some() {
            format!("The JSON content of `{}`.", field.name)
        } else {
            format!("The `{}` object.", field.name)
        }];
        if !field.description.is_empty() {
            docs.push(field.description.clone());
        }
        self.struct_for(&name, &docs, &field.children, side, true)?;
        self.shapes.insert(shape, name.clone());
        Ok(name)
    }

    fn push_enum(&mut self, name: &Ident, field: &Field) {
        let mut variant_names = Names::default();
        let mut variants = Vec::new();
        for value in &field.enum_values {
            let variant = ident(&variant_names.take(&camel(value)));
            variants.push((variant, value.clone()));
        }
        let catch_all = ident(&variant_names.take("Unrecognized"));
        let mut docs = vec![format!("Values of `{}`.", field.name)];
        if !field.description.is_empty() {
            docs.push(field.description.clone());
        }
        let doc = lines_to_doc(&docs);
        let rt = self.rt;
        let variant_defs = variants.iter().map(|(v, wire)| {
            // What the page says the value means, when it says.
            let meaning = field.enum_meanings.get(wire).map(|m| {
                let m = format!(" {m}");
                quote!(#[doc = #m])
            });
            quote!(#meaning #v = #wire,)
        });
        // The runtime's macro writes the boilerplate (wire names both ways,
        // serde, JSON Schema): it reads better, and is a fraction of the tokens
        // to format when the whole site is generated.
        self.items.push(quote! {
            #rt::open_enum! {
                #doc
                pub enum #name {
                    #(#variant_defs)*
                    #[unrecognized]
                    #catch_all(String),
                }
            }
        });
    }

    /// A struct without serde derives or validation (request wrappers, multipart bodies).
    pub(crate) fn push_plain_struct(&mut self, name: &Ident, docs: &[String], plans: &[FieldPlan]) {
        self.push_struct(name, docs, plans, Side::Response, false, None);
    }

    pub(crate) fn push_struct(
        &mut self,
        name: &Ident,
        docs: &[String],
        plans: &[FieldPlan],
        side: Side,
        serde: bool,
        rest: Option<&Ident>,
    ) {
        let rt = self.rt;
        let lines = doc_lines(docs);
        let doc = doc_attrs(&lines);
        let fields = plans
            .iter()
            .map(|plan| field(plan, serde, self.json_schema_feature));
        let rest_field = rest.map(|rest| {
            quote! {
                /// Members WeChat Pay sent that the docs do not list, kept as
                /// they came (and serialized back).
                #[serde(flatten)]
                pub #rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
        });
        let derives = derives(plans, serde, self.json_schema_feature);
        let metadata = (serde && !lines.is_empty())
            .then(|| schemars_attr(&[schema_metadata(&lines)], self.json_schema_feature));
        let constructor = constructor(name, plans, rest);
        // Setters build requests; responses are decoded, not built field by field.
        let setters = (side == Side::Request).then(|| setters(plans));
        let validate = (side == Side::Request)
            .then(|| validate_impl(rt, name, plans))
            .flatten();
        let seal = seal_impl(rt, name, plans);
        let deserialize = serde.then(|| deserialize(rt, name, plans, rest));
        self.items.push(quote! {
            #doc
            #derives
            #metadata
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
                #rest_field
            }

            #deserialize

            impl #name {
                #constructor
                #setters
            }

            #validate

            #seal
        });
    }
}

/// A struct's derives. `Deserialize` comes from the runtime's
/// `impl_deserialize!`: the derive's code is most of what a generated crate
/// costs to compile. The `#[serde(...)]` field attributes are still read by
/// `Serialize` and schemars.
fn derives(plans: &[FieldPlan], serde: bool, json_schema_feature: bool) -> TokenStream {
    let default = plans.iter().all(|p| !p.required).then(|| quote!(, Default));
    match (serde, json_schema_feature) {
        (false, _) => quote!(#[derive(Debug, Clone, PartialEq #default)]),
        (true, false) => quote! {
            #[derive(Debug, Clone, PartialEq #default, ::serde::Serialize, ::schemars::JsonSchema)]
        },
        (true, true) => quote! {
            #[derive(Debug, Clone, PartialEq #default, ::serde::Serialize)]
            #[cfg_attr(feature = "json-schema", derive(::schemars::JsonSchema))]
        },
    }
}

/// `Validate`, for a type with limits somewhere inside; the others have no
/// `Validate` impl and are not visited.
fn validate_impl(rt: &TokenStream, name: &Ident, plans: &[FieldPlan]) -> Option<TokenStream> {
    if plans.iter().all(|p| p.validation.is_empty()) {
        return None;
    }
    let checks = plans.iter().map(|p| &p.validation);
    Some(quote! {
        impl #rt::Validate for #name {
            fn validate_into(&self, pointer: &str, errors: &mut ::std::vec::Vec<#rt::ValidationError>) {
                #(#checks)*
            }
        }
    })
}

/// `Seal`, for a type holding a sensitive value somewhere inside.
fn seal_impl(rt: &TokenStream, name: &Ident, plans: &[FieldPlan]) -> Option<TokenStream> {
    if plans.iter().all(|p| p.seal.is_empty()) {
        return None;
    }
    let seals = plans.iter().map(|p| &p.seal);
    Some(quote! {
        impl #rt::sensitive::Seal for #name {
            fn seal(&mut self, sealer: &#rt::sensitive::Sealer) -> ::std::result::Result<(), #rt::sensitive::SensitiveError> {
                #(#seals)*
                ::std::result::Result::Ok(())
            }
        }
    })
}

/// `#[schemars(..)]` with these arguments, behind the `json-schema` feature
/// when there is one.
fn schemars_attr(arguments: &[TokenStream], json_schema_feature: bool) -> TokenStream {
    if json_schema_feature {
        quote!(#[cfg_attr(feature = "json-schema", schemars(#(#arguments),*))])
    } else {
        quote!(#[schemars(#(#arguments),*)])
    }
}

/// A struct field with its docs and serde and schemars attributes; optional
/// fields are `Option`s.
fn field(plan: &FieldPlan, serde: bool, json_schema_feature: bool) -> TokenStream {
    let ident = &plan.ident;
    let ty = &plan.ty;
    let lines = doc_lines(&plan.docs);
    let doc = doc_attrs(&lines);
    let mut attrs = Vec::new();
    if serde && plan.ident.to_string().trim_start_matches("r#") != plan.wire {
        let wire = &plan.wire;
        attrs.push(quote!(#[serde(rename = #wire)]));
    }
    if serde && !plan.required {
        // Not `default`: decoding is `impl_deserialize!`'s, which
        // needs no attribute, and for schemars `default` means an
        // expression per field computing a default to show (always
        // `None`, never shown), type-checked 18,000 times.
        attrs.push(quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]));
    }
    let mut schemars = plan.schemars.clone();
    if serde && !lines.is_empty() {
        schemars.push(schema_metadata(&lines));
    }
    if serde && !schemars.is_empty() {
        attrs.push(schemars_attr(&schemars, json_schema_feature));
    }
    let ty = if plan.required {
        quote!(#ty)
    } else {
        quote!(::std::option::Option<#ty>)
    };
    quote!(#doc #(#attrs)* pub #ident: #ty,)
}

/// `new`, from the required fields, every other field unset.
fn constructor(name: &Ident, plans: &[FieldPlan], rest: Option<&Ident>) -> TokenStream {
    let required: Vec<&FieldPlan> = plans.iter().filter(|p| p.required).collect();
    let params = required.iter().map(|p| {
        let ident = &p.ident;
        let ty = &p.ty;
        if p.into {
            quote!(#ident: impl ::std::convert::Into<#ty>)
        } else {
            quote!(#ident: #ty)
        }
    });
    let inits = plans.iter().map(|p| {
        let ident = &p.ident;
        if !p.required {
            quote!(#ident: ::std::option::Option::None,)
        } else if p.into {
            quote!(#ident: #ident.into(),)
        } else {
            quote!(#ident,)
        }
    });
    let rest_init = rest.map(|rest| quote!(#rest: ::serde_json::Map::new(),));
    let new_doc = if required.is_empty() {
        " Creates a value with every field unset.".to_owned()
    } else {
        let names: Vec<String> = required.iter().map(|p| format!("`{}`", p.wire)).collect();
        format!(
            " Creates a value from its required fields ({}).",
            names.join(", ")
        )
    };
    let many_args = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #[doc = #new_doc]
        #many_args
        pub fn new(#(#params),*) -> Self {
            #name { #(#inits)* #rest_init }
        }
    }
}

/// A setter per optional field: `with_` + the field without the underscores
/// that made it an identifier (`match_`, `_2fa`), numbered if two fields end
/// alike.
fn setters(plans: &[FieldPlan]) -> TokenStream {
    let mut setter_names = std::collections::BTreeSet::new();
    let setters = plans.iter().filter(|p| !p.required).map(|p| {
        let ident = &p.ident;
        let base = format!(
            "with_{}",
            ident.to_string().trim_start_matches("r#").trim_matches('_')
        );
        let mut name = base.clone();
        let mut n = 2;
        while !setter_names.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        let setter = format_ident!("{}", name);
        let ty = &p.ty;
        let doc = format!(" Sets `{}`.", p.wire);
        if p.into {
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, #ident: impl ::std::convert::Into<#ty>) -> Self {
                    self.#ident = ::std::option::Option::Some(#ident.into());
                    self
                }
            }
        } else {
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, #ident: #ty) -> Self {
                    self.#ident = ::std::option::Option::Some(#ident);
                    self
                }
            }
        }
    });
    quote!(#(#setters)*)
}

/// The `impl_deserialize!` call: each field by its position and wire name,
/// required or optional, and the `extra` map when there is one.
fn deserialize(
    rt: &TokenStream,
    name: &Ident,
    plans: &[FieldPlan],
    rest: Option<&Ident>,
) -> TokenStream {
    let entries = plans.iter().enumerate().map(|(index, p)| {
        let index = Literal::usize_unsuffixed(index);
        let ident = &p.ident;
        let kind = if p.required {
            quote!(required)
        } else {
            quote!(optional)
        };
        let wire = &p.wire;
        quote!(#ident: #kind(#index, #wire),)
    });
    let rest_entry = rest.map(|rest| quote!(..#rest));
    quote! {
        #rt::__private::impl_deserialize! {
            #name {
                #(#entries)*
                #rest_entry
            }
        }
    }
}

/// What makes two nested types interchangeable: their fields' names, types,
/// requiredness, values and limits, recursively (not their descriptions).
fn shape_of(fields: &[Field]) -> String {
    let mut shape = String::new();
    for field in fields {
        shape.push_str(&format!(
            "{}:{}:{}:{:?}:{:?}:{:?}:{:?}:{:?}[{}];",
            field.name,
            field.type_name(),
            field.required,
            field.enum_values,
            field.encoded.is_some(),
            field.limits,
            field.item_limits,
            field.encrypted,
            shape_of(&field.children)
        ));
    }
    shape
}

/// `Some(12)` or `None`, for a count or length.
pub(crate) fn some_count(value: Option<u32>) -> TokenStream {
    match value {
        Some(v) => {
            let v = Literal::u32_unsuffixed(v);
            quote!(::std::option::Option::Some(#v))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// `Some(0.0)` or `None`, for a numeric bound.
fn some_number(value: Option<i64>) -> TokenStream {
    match value {
        Some(v) => {
            let v = Literal::f64_unsuffixed(v as f64);
            quote!(::std::option::Option::Some(#v))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// schemars attributes carrying the limits into the JSON Schema.
fn push_limit_attrs(out: &mut Vec<TokenStream>, limits: &Limits, is_array: bool) {
    let (min, max) = if is_array {
        (limits.min_items, limits.max_items)
    } else {
        (limits.min_length, limits.max_length)
    };
    let (min, max) = (
        min.map(Literal::u32_unsuffixed),
        max.map(Literal::u32_unsuffixed),
    );
    match (min, max) {
        (Some(min), Some(max)) => out.push(quote!(length(min = #min, max = #max))),
        (Some(min), None) => out.push(quote!(length(min = #min))),
        (None, Some(max)) => out.push(quote!(length(max = #max))),
        (None, None) => {}
    }
    if let Some(pattern) = &limits.pattern {
        out.push(quote!(regex(pattern = #pattern)));
    }
    match (
        limits.minimum.map(Literal::i64_unsuffixed),
        limits.maximum.map(Literal::i64_unsuffixed),
    ) {
        (Some(min), Some(max)) => out.push(quote!(range(min = #min, max = #max))),
        (Some(min), None) => out.push(quote!(range(min = #min))),
        (None, Some(max)) => out.push(quote!(range(max = #max))),
        (None, None) => {}
    }
}

/// Whether the docs mark the field for RSA-OAEP encryption with the WeChat Pay
/// key (requests) or the merchant's key (responses).
pub(crate) fn is_sensitive(field: &Field) -> bool {
    field.encrypted.as_deref() == Some(wechatpay_spec::ENCRYPTED_BY_RSA)
}

/// Whether the field is sensitive or holds a sensitive field at any depth.
pub(crate) fn holds_sensitive(field: &Field) -> bool {
    is_sensitive(field) || has_sensitive(&field.children)
}

/// Whether any of these fields is sensitive or holds one.
pub(crate) fn has_sensitive(fields: &[Field]) -> bool {
    fields.iter().any(holds_sensitive)
}

/// Whether any of these fields, or of their nested fields, has a limit to check.
pub(crate) fn has_checks(fields: &[Field]) -> bool {
    fields.iter().any(|field| {
        // A sensitive field's documented length is its ciphertext's: the
        // plaintext is not checked against it.
        let string_limits = field.kind == Kind::String
            && !crate::wire::is_time(field)
            && field.encoded.is_none()
            && !is_sensitive(field)
            && field.enum_values.is_empty()
            && (field.limits.min_length.is_some()
                || field.limits.max_length.is_some()
                || field.limits.pattern.is_some()
                || field.item_limits.min_length.is_some()
                || field.item_limits.max_length.is_some()
                || field.item_limits.pattern.is_some());
        let count_limits = field.is_array()
            && (field.limits.min_items.is_some() || field.limits.max_items.is_some());
        let number_limits = matches!(field.kind, Kind::Integer | Kind::Number)
            && !field.is_array()
            && (field.limits.minimum.is_some() || field.limits.maximum.is_some());
        string_limits || count_limits || number_limits || has_checks(&field.children)
    })
}

/// The checks of one field's limits, appending to `errors` under `pointer`.
fn validation_for(rt: &TokenStream, field: &Field, ident: &Ident) -> TokenStream {
    let wire = &field.name;
    let nested = (matches!(field.kind, Kind::Object if !field.children.is_empty())
        || (field.encoded.is_some() && !field.children.is_empty()))
        && has_checks(&field.children);
    let mut checks = Vec::new();
    let limits = &field.limits;
    let item_limits = &field.item_limits;
    let opt = some_count;
    let optf = some_number;
    if field.is_array() {
        if limits.min_items.is_some() || limits.max_items.is_some() {
            let (min, max) = (opt(limits.min_items), opt(limits.max_items));
            checks.push(
                quote!(#rt::__private::validate::items(value.len(), #min, #max, &here, errors);),
            );
        }
        let item_checks = scalar_checks(rt, field, item_limits, &quote!(item), &quote!(&at));
        let nested_items = nested && field.array_depth == 1;
        if !item_checks.is_empty() || nested_items {
            let recurse =
                nested_items.then(|| quote!(#rt::Validate::validate_into(item, &at(), errors);));
            checks.push(quote! {
                for (index, item) in value.iter().enumerate() {
                    let at = || ::std::format!("{}/{}", here(), index);
                    #(#item_checks)*
                    #recurse
                }
            });
        }
    } else {
        checks.extend(scalar_checks(
            rt,
            field,
            limits,
            &quote!(value),
            &quote!(&here),
        ));
        if nested {
            checks.push(quote!(#rt::Validate::validate_into(value, &here(), errors);));
        }
        if matches!(field.kind, Kind::Integer | Kind::Number)
            && (limits.minimum.is_some() || limits.maximum.is_some())
        {
            let (min, max) = (optf(limits.minimum), optf(limits.maximum));
            checks.push(
                quote!(#rt::__private::validate::range(*value as f64, #min, #max, &here, errors);),
            );
        }
    }
    if checks.is_empty() {
        return TokenStream::new();
    }
    if field.required {
        quote! {
            {
                let value = &self.#ident;
                let here = || #rt::__private::validate::pointer(pointer, #wire);
                #(#checks)*
            }
        }
    } else {
        quote! {
            if let ::std::option::Option::Some(value) = &self.#ident {
                let here = || #rt::__private::validate::pointer(pointer, #wire);
                #(#checks)*
            }
        }
    }
}

/// Length and pattern checks of the string `value`, reported at `at`.
fn scalar_checks(
    rt: &TokenStream,
    field: &Field,
    limits: &Limits,
    value: &TokenStream,
    at: &TokenStream,
) -> Vec<TokenStream> {
    if field.kind != Kind::String
        || crate::wire::is_time(field)
        || field.encoded.is_some()
        || !field.enum_values.is_empty()
        || is_sensitive(field)
    {
        return Vec::new();
    }
    let mut checks = Vec::new();
    if limits.min_length.is_some() || limits.max_length.is_some() {
        let (min, max) = (some_count(limits.min_length), some_count(limits.max_length));
        checks.push(quote!(#rt::__private::validate::length(#value, #min, #max, #at, errors);));
    }
    if let Some(pattern) = &limits.pattern {
        checks.push(quote! {{
            static PATTERN: #rt::__private::validate::Pattern = #rt::__private::validate::Pattern::new(#pattern);
            PATTERN.check(#value, #at, errors);
        }});
    }
    checks
}
