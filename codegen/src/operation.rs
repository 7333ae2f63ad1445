//! One operation: its request type (path parameters, body, query, headers), the
//! `Operation` implementation that builds and decodes the HTTP exchange, and
//! pagination when the operation has the offset/limit shape.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use wechatpay_spec::{Field, Kind, Method, Operation, RequestBody, Response};

use crate::CodegenError;
use crate::docs::{field_docs, operation_docs};
use crate::multipart::is_file_part;
use crate::names::{camel, ident, snake};
use crate::types::{FieldPlan, Side, TypeBuilder, has_sensitive, is_sensitive, some_count};

/// What the rest of the generator needs to know about a generated operation.
/// Plain data, names as text: it leaves the worker thread that generated the
/// operation, and token types cannot.
#[derive(Debug, Clone)]
pub(crate) struct OperationPlan {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) summary: String,
    /// The friendly snake_case name, from the overrides file.
    pub(crate) name: Option<String>,
    /// The request type's name.
    pub(crate) request: String,
    pub(crate) response: ResponseType,
    /// Path parameters in path order: (identifier, wire name).
    pub(crate) path_params: Vec<(String, String)>,
    /// Arguments after the path parameters: (identifier, type name).
    pub(crate) parts: Vec<(String, String)>,
    /// Schemas to export: (role, type name).
    pub(crate) schemas: Vec<(&'static str, String)>,
}

/// What an operation answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResponseType {
    /// A generated struct of the operation's module.
    Named(String),
    /// Nothing (`204 No Content`).
    Unit,
    /// A file download: the operation decodes it as bytes, its named method
    /// returns it as a streaming `Download`.
    File,
    /// JSON the page does not describe.
    Json,
}

impl OperationPlan {
    /// The parts as typed parameters (`body: module::UploadCouponCodesBody`),
    /// types named through `module` (empty: bare).
    pub(crate) fn part_params(&self, module: &TokenStream) -> Vec<TokenStream> {
        self.parts
            .iter()
            .map(|(arg, ty)| {
                let (arg, ty) = (ident(arg), qualify(module, ty));
                quote!(#arg: #ty)
            })
            .collect()
    }
}

/// A generated type named through `module`, or bare when `module` is empty
/// (inside the operation's own module).
fn qualify(module: &TokenStream, name: &str) -> TokenStream {
    let name = ident(name);
    if module.is_empty() {
        quote!(#name)
    } else {
        quote!(#module::#name)
    }
}

impl OperationPlan {
    /// What the named method returns, and the client method it ends in: a file is
    /// streamed to the caller (`Client::download`), not buffered.
    pub(crate) fn call_response(
        &self,
        module: &TokenStream,
        rt: &TokenStream,
    ) -> (TokenStream, TokenStream) {
        match self.response {
            ResponseType::File => (quote!(#rt::Download), quote!(download)),
            _ => (self.response.tokens(module, rt), quote!(execute)),
        }
    }
}

impl ResponseType {
    /// The Rust type, a generated one named through `module` (empty inside
    /// the operation's own module).
    pub(crate) fn tokens(&self, module: &TokenStream, rt: &TokenStream) -> TokenStream {
        match self {
            ResponseType::Named(name) => qualify(module, name),
            ResponseType::Unit => quote!(()),
            ResponseType::File => quote!(#rt::Bytes),
            ResponseType::Json => quote!(::serde_json::Value),
        }
    }
}

/// Why an operation is not generated.
pub(crate) struct Skip(pub(crate) String);

/// The header the runtime always sends itself.
const SERIAL_HEADER: &str = "Wechatpay-Serial";

pub(crate) fn check_supported(operation: &Operation) -> Result<(), Skip> {
    if matches!(operation.request_body, Some(RequestBody::Xml { .. }))
        || matches!(operation.response, Response::Xml { .. })
    {
        return Err(Skip(
            "APIv2 XML operation: the runtime speaks the APIv3 JSON protocol".into(),
        ));
    }
    if let Response::Redirect { .. } = operation.response {
        return Err(Skip("redirect responses are not supported".into()));
    }
    if let Some(RequestBody::Multipart { parts, .. }) = &operation.request_body {
        let files = parts.iter().filter(|p| is_file_part(p)).count();
        for part in parts {
            if !(is_file_part(part) || part.name == "meta" && part.kind == Kind::String) {
                return Err(Skip(format!(
                    "multipart part `{}` ({}) is not a file or a JSON `meta` part",
                    part.name,
                    part.type_name()
                )));
            }
        }
        if files != 1 {
            return Err(Skip(format!(
                "a multipart upload of {files} files: the runtime sends one file and its meta"
            )));
        }
    }
    Ok(())
}

pub(crate) fn generate(
    operation: &Operation,
    builder: &mut TypeBuilder<'_>,
) -> Result<OperationPlan, CodegenError> {
    let rt = builder.rt.clone();
    let prefix = operation
        .name
        .as_deref()
        .map(camel)
        .unwrap_or_else(|| camel(operation.method.lower()));
    builder.prefix = prefix.clone();
    let request = builder.type_name(&format!("{prefix}Request"), &format!("{prefix}Request"));
    let parts = request_parts(operation, builder, &prefix)?;
    let mut schemas = parts.schemas.clone();
    let response = response_part(operation, builder, &prefix, &mut schemas)?;
    let path_checks = request_struct(operation, builder, &request, &parts.parts)?;
    builder.items.push(operation_impls(
        operation,
        &rt,
        &request,
        &parts,
        &response,
        &path_checks,
    ));
    if let Some(paging) = pagination(operation, &request, &prefix, builder, &rt) {
        builder.items.push(paging);
    }
    Ok(OperationPlan {
        method: operation.method,
        path: operation.path.clone(),
        summary: operation.summary.clone(),
        name: operation.name.clone(),
        request: request.to_string(),
        response: response.ty,
        path_params: operation
            .path_params
            .iter()
            .map(|param| (ident(&snake(&param.name)).to_string(), param.name.clone()))
            .collect(),
        parts: parts
            .parts
            .into_iter()
            .map(|(arg, ty, _)| (arg.to_string(), ty.to_string()))
            .collect(),
        schemas,
    })
}

/// The parts of a request beside its path (body, query, headers), each a
/// generated type, and what `to_request` does with them.
struct RequestParts {
    /// (field, type, whether the type has limits to check)
    parts: Vec<(Ident, Ident, bool)>,
    /// The parts with a JSON Schema: `("body", type)`, `("query", type)`.
    schemas: Vec<(&'static str, String)>,
    /// Statements of `to_request` that put the parts in the request.
    build: Vec<TokenStream>,
    /// Whether a required part carries a request number (`out_request_no`...),
    /// which makes repeating the request safe.
    request_number: bool,
    /// Whether a part holds a sensitive field, which `to_request` seals.
    seals: bool,
}

fn request_parts(
    operation: &Operation,
    builder: &mut TypeBuilder<'_>,
    prefix: &str,
) -> Result<RequestParts, CodegenError> {
    let mut out = RequestParts {
        parts: Vec::new(),
        schemas: Vec::new(),
        build: Vec::new(),
        request_number: false,
        seals: false,
    };
    if let Some(body) = &operation.request_body {
        out.body(operation, builder, prefix, body)?;
    }
    if let Some(query) = operation.query.as_ref().filter(|q| !q.fields.is_empty()) {
        out.query(operation, builder, prefix, &query.fields)?;
    }
    // Headers other than the one the runtime sends itself.
    if let Some(headers) = &operation.headers {
        let fields: Vec<Field> = headers
            .fields
            .iter()
            .filter(|f| !f.name.eq_ignore_ascii_case(SERIAL_HEADER))
            .cloned()
            .collect();
        if !fields.is_empty() {
            out.headers(operation, builder, prefix, &fields)?;
        }
    }
    Ok(out)
}

impl RequestParts {
    /// The body's type, and the statement writing it (JSON, sealed first
    /// when it holds a sensitive field, or a multipart upload).
    fn body(
        &mut self,
        operation: &Operation,
        builder: &mut TypeBuilder<'_>,
        prefix: &str,
        body: &RequestBody,
    ) -> Result<(), CodegenError> {
        let rt = builder.rt.clone();
        let name = builder.type_name(&format!("{prefix}Body"), &format!("{prefix}RequestBody"));
        match body {
            RequestBody::Json { fields, .. } => {
                let docs = vec![format!(
                    "The JSON body of {} (`{} {}`).",
                    operation.summary, operation.method, operation.path
                )];
                let checks = builder.request_part(&name, &docs, fields, true)?;
                self.build.push(if has_sensitive(fields) {
                    self.seals = true;
                    quote!(request.body = #rt::Body::json(&#rt::sensitive::sealed(&self.body, sealer)?)?;)
                } else {
                    quote!(request.body = #rt::Body::json(&self.body)?;)
                });
                self.schemas.push(("body", name.to_string()));
                self.request_number |= has_request_number(fields);
                self.parts.push((ident("body"), name, checks));
            }
            RequestBody::Multipart { parts: form, .. } => {
                let (tokens, checks) =
                    crate::multipart::multipart_body(&rt, builder, prefix, &name, form, operation)?;
                self.build.push(tokens);
                self.seals |= has_sensitive(form);
                self.parts.push((ident("body"), name, checks));
            }
            RequestBody::Xml { .. } => unreachable!("checked by check_supported"),
        }
        Ok(())
    }

    /// The query's type, and a statement per parameter.
    fn query(
        &mut self,
        operation: &Operation,
        builder: &mut TypeBuilder<'_>,
        prefix: &str,
        fields: &[Field],
    ) -> Result<(), CodegenError> {
        let rt = builder.rt.clone();
        let name = builder.type_name(&format!("{prefix}Query"), &format!("{prefix}RequestQuery"));
        let docs = vec![format!(
            "Query parameters of {} (`{} {}`).",
            operation.summary, operation.method, operation.path
        )];
        let checks = builder.request_part(&name, &docs, fields, true)?;
        self.push_params(&rt, &ident("query"), fields);
        self.schemas.push(("query", name.to_string()));
        self.parts.push((ident("query"), name, checks));
        self.request_number |= has_request_number(fields);
        Ok(())
    }

    /// The headers' type, and a statement per header.
    fn headers(
        &mut self,
        operation: &Operation,
        builder: &mut TypeBuilder<'_>,
        prefix: &str,
        fields: &[Field],
    ) -> Result<(), CodegenError> {
        let rt = builder.rt.clone();
        let name = builder.type_name(
            &format!("{prefix}Headers"),
            &format!("{prefix}RequestHeaders"),
        );
        let docs = vec![format!("Request headers of {}.", operation.summary)];
        let checks = builder.request_part(&name, &docs, fields, false)?;
        self.push_params(&rt, &ident("headers"), fields);
        self.parts.push((ident("headers"), name, checks));
        Ok(())
    }

    /// A statement per parameter of `part` (`query`, `headers`), writing it
    /// into the request's list of the same name.
    fn push_params(&mut self, rt: &TokenStream, part: &Ident, fields: &[Field]) {
        self.seals |= has_sensitive(fields);
        for field in fields {
            self.build.push(push_param(
                rt,
                &quote!(self.#part),
                field,
                &quote!(request.#part),
            ));
        }
    }
}

/// What an operation answers: the Rust type, how `decode` reads the body,
/// and whether the answer is signed.
struct ResponsePart {
    ty: ResponseType,
    decode: TokenStream,
    signed: bool,
}

fn response_part(
    operation: &Operation,
    builder: &mut TypeBuilder<'_>,
    prefix: &str,
    schemas: &mut Vec<(&'static str, String)>,
) -> Result<ResponsePart, CodegenError> {
    let rt = builder.rt.clone();
    let (ty, decode, signed) = match &operation.response {
        Response::Json { fields } => {
            let name = builder.type_name(
                &format!("{prefix}Response"),
                &format!("{prefix}ResponseBody"),
            );
            let docs = vec![format!(
                "The response of {} (`{} {}`).",
                operation.summary, operation.method, operation.path
            )];
            builder.struct_for(&name, &docs, fields, Side::Response, true)?;
            schemas.push(("response", name.to_string()));
            (
                ResponseType::Named(name.to_string()),
                quote!(#rt::__private::decode::json(&body)),
                true,
            )
        }
        Response::Empty => (
            ResponseType::Unit,
            quote!(#rt::__private::decode::empty(&body)),
            true,
        ),
        Response::FileStream => (
            ResponseType::File,
            quote!(::std::result::Result::Ok(body)),
            false,
        ),
        Response::Undocumented => (
            ResponseType::Json,
            quote!(#rt::__private::decode::json(&body)),
            true,
        ),
        Response::Xml { .. } | Response::Redirect { .. } => {
            unreachable!("checked by check_supported")
        }
    };
    Ok(ResponsePart { ty, decode, signed })
}

/// Pushes the request type (path parameters, then the parts) and returns
/// the checks of its path parameters.
fn request_struct(
    operation: &Operation,
    builder: &mut TypeBuilder<'_>,
    request: &Ident,
    parts: &[(Ident, Ident, bool)],
) -> Result<Vec<TokenStream>, CodegenError> {
    let rt = builder.rt.clone();
    let mut plans: Vec<FieldPlan> = Vec::new();
    let mut path_checks = Vec::new();
    for param in &operation.path_params {
        let field_ident = ident(&snake(&param.name));
        let mut docs = field_docs(param);
        docs.push("Path parameter.".into());
        // The URL segment stays text; the decoded fields get their type, so a
        // caller builds the value typed and encodes it
        // (`JsonString::new(value).to_json()?`), which fails rather than
        // panics on a value JSON cannot hold.
        if param.encoded.is_some() && !param.children.is_empty() {
            let decoded = builder.struct_of(param, Side::Request)?;
            docs.push(format!(
                "The JSON of a [`{decoded}`]: `JsonString::new(value).to_json()?` gives it."
            ));
        }
        let wire = &param.name;
        // A path parameter is never empty: the URL would lose a segment.
        let min = some_count(Some(param.limits.min_length.unwrap_or(1)));
        let max = some_count(param.limits.max_length);
        path_checks.push(quote! {
            #rt::__private::validate::length(&self.#field_ident, #min, #max, &|| #rt::__private::validate::pointer("/path", #wire), errors);
        });
        plans.push(FieldPlan {
            ident: field_ident,
            wire: param.name.clone(),
            ty: quote!(::std::string::String),
            required: true,
            docs,
            schemars: Vec::new(),
            validation: TokenStream::new(),
            seal: TokenStream::new(),
            into: true,
        });
    }
    for (part, ty, _) in parts {
        let doc = match part.to_string().as_str() {
            "body" => "The request body.",
            "query" => "Query parameters.",
            _ => "Request headers.",
        };
        plans.push(FieldPlan {
            ident: part.clone(),
            wire: part.to_string(),
            ty: quote!(#ty),
            required: true,
            docs: vec![doc.to_owned()],
            schemars: Vec::new(),
            validation: TokenStream::new(),
            seal: TokenStream::new(),
            into: false,
        });
    }
    builder.push_plain_struct(request, &operation_docs(operation), &plans);
    Ok(path_checks)
}

/// The request type's constants, `Validate` and `Operation` impls.
fn operation_impls(
    operation: &Operation,
    rt: &TokenStream,
    request: &Ident,
    parts: &RequestParts,
    response: &ResponsePart,
    path_checks: &[TokenStream],
) -> TokenStream {
    let method = format_ident!("{}", operation.method.as_str());
    let path = &operation.path;
    let method_doc = format!(" `{}`", operation.method);
    let path_doc = format!(" `{path}`");
    let validate = validate_impl(rt, request, parts, path_checks);
    let to_request = to_request(operation, rt, parts, response);
    let response_type = response.ty.tokens(&TokenStream::new(), rt);
    let decode = &response.decode;
    quote! {
        impl #request {
            #[doc = #method_doc]
            pub const METHOD: #rt::Method = #rt::Method::#method;
            #[doc = #path_doc]
            pub const PATH: &'static str = #path;
        }

        #validate

        impl #rt::Operation for #request {
            type Response = #response_type;

            #to_request

            fn decode(body: #rt::Bytes) -> ::std::result::Result<Self::Response, #rt::DecodeError> {
                #decode
            }
        }
    }
}

/// The request's `Validate`: its path parameters, then each part with limits
/// (a request with nothing to check keeps the trait's default).
fn validate_impl(
    rt: &TokenStream,
    request: &Ident,
    parts: &RequestParts,
    path_checks: &[TokenStream],
) -> TokenStream {
    let part_checks: Vec<TokenStream> = parts
        .parts
        .iter()
        .filter(|(_, _, checks)| *checks)
        .map(|(part, _, _)| {
            let root = match part.to_string().as_str() {
                "body" => String::new(),
                other => format!("/{other}"),
            };
            quote!(#rt::Validate::validate_into(&self.#part, #root, errors);)
        })
        .collect();
    if path_checks.is_empty() && part_checks.is_empty() {
        return quote!(impl #rt::Validate for #request {});
    }
    quote! {
        impl #rt::Validate for #request {
            fn validate_into(&self, _pointer: &str, errors: &mut ::std::vec::Vec<#rt::ValidationError>) {
                #(#path_checks)*
                #(#part_checks)*
            }
        }
    }
}

/// `Operation::to_request`: the path, the parts (sealed where they hold a
/// sensitive field), and what the request needs said about it.
fn to_request(
    operation: &Operation,
    rt: &TokenStream,
    parts: &RequestParts,
    response: &ResponsePart,
) -> TokenStream {
    let path_args = operation.path_params.iter().map(|param| {
        let id = ident(&snake(&param.name));
        let wire = &param.name;
        quote!((#wire, self.#id.as_str()))
    });
    let idempotent =
        !matches!(operation.method, Method::Get | Method::Head) && parts.request_number;
    // The request carries its own request number: repeating it is safe.
    let idempotent = idempotent.then(|| quote!(request.idempotent = true;));
    // WeChat Pay does not sign file downloads.
    let unsigned = (!response.signed).then(|| quote!(request.signed_response = false;));
    let base_uri = operation
        .base_uri
        .as_ref()
        .map(|uri| quote!(request.base_uri = ::std::option::Option::Some(#uri);));
    let build = &parts.build;
    let changes_request =
        !build.is_empty() || idempotent.is_some() || unsigned.is_some() || base_uri.is_some();
    let binding = if changes_request {
        quote!(let mut request)
    } else {
        quote!(let request)
    };
    let sealer = if parts.seals {
        quote!(sealer)
    } else {
        quote!(_sealer)
    };
    quote! {
        fn to_request(&self, #sealer: &#rt::sensitive::Sealer) -> ::std::result::Result<#rt::Request, #rt::Error> {
            let path = #rt::__private::encode::path(Self::PATH, &[#(#path_args),*])?;
            #binding = #rt::Request::new(Self::METHOD, Self::PATH, path);
            #(#build)*
            #idempotent
            #unsigned
            #base_uri
            ::std::result::Result::Ok(request)
        }
    }
}

/// A required field whose name ends in `request_no` makes a request repeatable:
/// WeChat Pay answers a repeated request number with the first result.
fn has_request_number(fields: &[Field]) -> bool {
    fields
        .iter()
        .any(|f| f.required && f.name.ends_with("request_no"))
}

/// `request.query.push(("status", value))` for one parameter.
fn push_param(
    rt: &TokenStream,
    parent: &TokenStream,
    field: &Field,
    target: &TokenStream,
) -> TokenStream {
    let id = ident(&snake(&field.name));
    let wire = &field.name;
    // A value holding sensitive fields is sealed (a copy) before it is written.
    let (sealed, sealed_ref) = if has_sensitive(&field.children) {
        let sealed = quote!(#rt::sensitive::sealed(value, sealer)?);
        (sealed.clone(), quote!(&#sealed))
    } else {
        (quote!(value), quote!(value))
    };
    let to_text = if is_sensitive(field) {
        // Sealed as the request is built; a failure stops it, typed.
        if field.is_array() {
            quote!(
                value
                    .iter()
                    .map(|item| sealer.encrypt(item.expose()))
                    .collect::<::std::result::Result<::std::vec::Vec<_>, _>>()?
                    .join(",")
            )
        } else {
            quote!(sealer.encrypt(value.expose())?)
        }
    } else if field.encoded.is_some() && !field.children.is_empty() && !field.is_array() {
        // JSON text: a failure is an error, not the panic `to_string()` would
        // make of it.
        quote!(#sealed.to_json().map_err(|e| {
            #rt::Error::from(#rt::ConfigError::new(#rt::Setting::Parameter(#wire.into()), e))
        })?)
    } else if field.is_array() {
        quote!(
            value
                .iter()
                .map(|item| item.to_string())
                .collect::<::std::vec::Vec<_>>()
                .join(",")
        )
    } else {
        match field.kind {
            Kind::Object => quote!(::serde_json::to_string(#sealed_ref).map_err(|e| {
                #rt::Error::from(#rt::ConfigError::new(#rt::Setting::Parameter(#wire.into()), e))
            })?),
            _ => quote!(value.to_string()),
        }
    };
    if field.required {
        quote! {{
            let value = &#parent.#id;
            #target.push((::std::borrow::Cow::Borrowed(#wire), #to_text));
        }}
    } else {
        quote! {
            if let ::std::option::Option::Some(value) = &#parent.#id {
                #target.push((::std::borrow::Cow::Borrowed(#wire), #to_text));
            }
        }
    }
}

/// `impl Paginated` for list operations: a GET with integer `offset` and `limit`
/// query parameters whose response has a `total_count` and one list of objects.
fn pagination(
    operation: &Operation,
    request: &Ident,
    prefix: &str,
    builder: &TypeBuilder<'_>,
    rt: &TokenStream,
) -> Option<TokenStream> {
    if operation.method != Method::Get {
        return None;
    }
    let query = &operation.query.as_ref()?.fields;
    let offset = query
        .iter()
        .find(|f| f.name == "offset" && f.kind == Kind::Integer && !f.is_array())?;
    query.iter().find(|f| f.name == "limit")?;
    let Response::Json { fields } = &operation.response else {
        return None;
    };
    let total = fields.iter().find(|f| {
        f.name == "total_count" && !f.is_array() && matches!(f.kind, Kind::Integer | Kind::Number)
    })?;
    let lists: Vec<&Field> = fields
        .iter()
        .filter(|f| f.array_depth == 1 && f.kind == Kind::Object && !f.children.is_empty())
        .collect();
    let [list] = lists.as_slice() else {
        return None;
    };
    let item = ident(&format!("{prefix}{}Item", camel(&list.name)));
    if !builder.names.contains(&item.to_string()) {
        return None;
    }
    let list_ident = ident(&snake(&list.name));
    let total_ident = ident(&snake(&total.name));
    let offset_ident = ident(&snake(&offset.name));
    // Answer fields are all `Option` (see `wire`).
    let items = quote!(response.#list_ident.unwrap_or_default());
    let total_value = match crate::wire::float_reason(total) {
        None => quote!(response.#total_ident.and_then(|t| u64::try_from(t).ok())),
        Some(_) => quote!(response.#total_ident.map(|t| t.max(0.0) as u64)),
    };
    let offset_value = if offset.required {
        quote!(u64::try_from(self.query.#offset_ident).unwrap_or(0))
    } else {
        quote!(self.query.#offset_ident.and_then(|o| u64::try_from(o).ok()).unwrap_or(0))
    };
    let set_offset = if offset.required {
        quote!(next.query.#offset_ident = i64::try_from(offset).unwrap_or(i64::MAX);)
    } else {
        quote!(next.query.#offset_ident = ::std::option::Option::Some(i64::try_from(offset).unwrap_or(i64::MAX));)
    };
    Some(quote! {
        impl #rt::Paginated for #request {
            type Item = #item;

            fn offset(&self) -> u64 {
                #offset_value
            }

            fn with_offset(&self, offset: u64) -> Self {
                let mut next = self.clone();
                #set_offset
                next
            }

            fn into_page(response: Self::Response) -> #rt::Page<Self::Item> {
                #rt::Page {
                    total: #total_value,
                    items: #items,
                }
            }
        }
    })
}
