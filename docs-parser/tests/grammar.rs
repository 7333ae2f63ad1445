//! The page grammar, construct by construct, on small pages written for the test,
//! and every page of `../shared` (current pages, every history revision, the seed).

mod common;

use std::fs;

use wechatpay_docs_parser::{PageResult, Severity, WarningKind, parse_page, parse_tree};
use wechatpay_spec::{Field, Kind, Method, RequestBody, Response};

fn read(page: &str, text: &str) -> PageResult {
    parse_page(page, text)
}

fn errors(result: &PageResult) -> Vec<String> {
    result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn no_errors(result: &PageResult) {
    let errors = errors(result);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} in {fields:#?}"))
}

const TABLE_HEAD: &str = "| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n";
const RESPONSE_HEAD: &str = "| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n";

fn single_page(method: &str, request_rows: &str, response_rows: &str) -> String {
    format!(
        "---\ntitle: 测试\ndescription: 页面说明\n---\n\n# {{{{ $frontmatter.title }}}} {{#{method}}}\n\n{{{{ $frontmatter.description }}}}\n\n{TABLE_HEAD}{request_rows}\n{{.im-table #request}}\n\n::: code-group\n\n```php [异步纯链式]\n$instance->v3->x->{method}Async([])\n->wait();\n```\n\n:::\n\n{RESPONSE_HEAD}{response_rows}\n{{.im-table #response}}\n\n参阅 [官方文档](https://pay.weixin.qq.com/doc/v3/merchant/1)\n"
    )
}

#[test]
fn every_shared_page_parses_without_error() {
    let shared = common::shared_dir();
    let mut trees = vec![shared.join("docs/current")];
    for entry in fs::read_dir(shared.join("docs/history")).unwrap() {
        trees.push(entry.unwrap().path());
    }
    for tree in trees {
        let result = parse_tree(&tree).unwrap();
        let errors: Vec<_> = result.errors().map(ToString::to_string).collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            tree.display(),
            errors.join("\n")
        );
        assert!(!result.spec.operations.is_empty(), "{}", tree.display());
    }
}

#[test]
fn the_seed_reads_like_its_history_revision() {
    let shared = common::shared_dir();
    let seed_file = fs::read_dir(shared.join("seed"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let page = "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md";
    let seed = read(page, &fs::read_to_string(seed_file).unwrap());
    no_errors(&seed);
    let revision = shared.join("docs/history/02-2024-10-31-f379201").join(page);
    let history = read(page, &fs::read_to_string(revision).unwrap());
    assert_eq!(seed.operations, history.operations);
    // The seed's generation marks nothing required.
    assert!(seed.operations.iter().all(|op| !op.required_marked));
    assert_eq!(seed.operations.len(), 2);
    let upload = &seed.operations[0];
    assert_eq!(upload.method, Method::Post);
    assert_eq!(upload.summary, "上传预存code");
    assert_eq!(upload.page_title, None);
    let list = field(upload.response_fields(), "fail_codes");
    assert_eq!(list.type_name(), "object[]");
    assert_eq!(list.children.len(), 3);
}

#[test]
fn mix_pages_have_one_operation_per_method_heading() {
    let text = format!(
        "# 查询及删除 {{#mix}}\n\n## 查询 {{#get}}\n\n{TABLE_HEAD}| id {{data-required}} | string | 编号\n\n{{.im-table #request}}\n\n{RESPONSE_HEAD}| a | string | A\n\n{{.im-table #response}}\n\n## 删除 {{#delete}}\n\n{TABLE_HEAD}| id {{data-required}} | string | 编号\n| query {{data-required}} | object {{data-tooltip=\"对应PHP的array\"}} | 声明请求的查询参数\n| no {{data-required data-indent=1}} | string | 单号\n\n{{.im-table #request}}\n\n{RESPONSE_HEAD}| 空字符串(无返回内容) {{align=center colspan=3}}\n\n{{.im-table #response}}\n"
    );
    let result = read("openapi/v3/things/{id}.md", &text);
    no_errors(&result);
    let ops = &result.operations;
    assert_eq!(ops.len(), 2);
    assert_eq!(
        (ops[0].method, ops[0].summary.as_str()),
        (Method::Get, "查询")
    );
    assert_eq!(ops[0].page_title.as_deref(), Some("查询及删除"));
    assert_eq!(ops[0].path, "/v3/things/{id}");
    assert_eq!(ops[0].path_params[0].name, "id");
    assert!(matches!(ops[0].response, Response::Json { .. }));
    assert_eq!(ops[1].method, Method::Delete);
    assert_eq!(ops[1].response, Response::Empty);
    let query = ops[1].query.as_ref().unwrap();
    assert!(query.required);
    assert!(query.fields[0].required);
    assert_eq!(ops[1].source.line, 17);
}

#[test]
fn frontmatter_fills_the_heading_and_description() {
    let result = read(
        "openapi/v3/certificates.md",
        &single_page(
            "get",
            "| query | object | 查询参数\n| algorithm_type {data-indent=1} | string |平台证书算法类型<br/>`SM2`\\|`RSA`\\|`ALL`枚举值之一<br/>默认为`RSA`\n",
            "| data {data-required} | object[] | 列表\n| serial_no {data-required data-indent=1} | string | 证书序列号\n",
        ),
    );
    no_errors(&result);
    let op = &result.operations[0];
    assert_eq!(op.summary, "测试");
    assert_eq!(op.description, "页面说明");
    assert_eq!(
        op.doc_links,
        ["https://pay.weixin.qq.com/doc/v3/merchant/1"]
    );
    let algorithm = &op.query.as_ref().unwrap().fields[0];
    assert_eq!(algorithm.enum_values, ["SM2", "RSA", "ALL"]);
    assert_eq!(algorithm.default_value.as_deref(), Some("RSA"));
    assert_eq!(algorithm.description, "平台证书算法类型");
    assert_eq!(op.request_example, Some(serde_json::json!([])));
}

#[test]
fn missing_frontmatter_keys_are_errors() {
    let text = "# {{ $frontmatter.title }} {#get}\n";
    let result = read("openapi/v3/x.md", text);
    let errors = errors(&result);
    assert!(
        errors[0].starts_with("openapi/v3/x.md:1: error:"),
        "{errors:?}"
    );
    assert!(errors[0].contains("frontmatter key `title`"), "{errors:?}");
}

#[test]
fn deep_nesting_arrays_and_both_attribute_cells() {
    let rows = "| json | object {data-required data-tooltip=\"对应PHP的array\"} | 声明请求的`JSON`数据结构\n\
| a {data-indent=1} | object[] | A\n\
| b {data-indent=2} | object | B\n\
| c {data-indent=3} | object[] | C\n\
| d {data-indent=4} | object | D\n\
| e {data-indent=5} | object | E\n\
| f {data-indent=6} | integer[][] | F\n\
| g {data-required data-indent=6} | boolean | G\n\
| h {data-indent=1} | number | H\n";
    let result = read("openapi/v3/deep.md", &single_page("post", rows, ""));
    no_errors(&result);
    let op = &result.operations[0];
    let Some(RequestBody::Json { required, fields }) = &op.request_body else {
        panic!()
    };
    assert!(required, "data-required on the type cell counts");
    let e = &field(
        &field(
            &field(&field(&field(fields, "a").children, "b").children, "c").children,
            "d",
        )
        .children,
        "e",
    );
    assert_eq!(field(&e.children, "f").type_name(), "integer[][]");
    assert!(field(&e.children, "g").required);
    assert_eq!(field(fields, "h").kind, Kind::Number);
    assert!(op.required_marked);
}

#[test]
fn rows_without_description_and_encrypted_fields() {
    let rows = "| json | object | 声明\n\
| name {data-indent=1} | string {data-tooltip=微信支付公钥/平台证书加密后的BASE64字符串 data-encrypted=by-rsa-pubkey} | 姓名\n\
| list {data-indent=1} | string[] | \n\
| headers {data-required} | object | 声明请求的头参数\n\
| Wechatpay-Serial {data-required data-indent=1} | string | 微信支付公钥ID/平台证书序列号\n";
    let result = read("openapi/v3/enc.md", &single_page("post", rows, ""));
    no_errors(&result);
    let op = &result.operations[0];
    let name = field(op.body_fields(), "name");
    assert_eq!(name.encrypted.as_deref(), Some("by-rsa-pubkey"));
    assert_eq!(
        name.tooltip.as_deref(),
        Some("微信支付公钥/平台证书加密后的BASE64字符串")
    );
    assert_eq!(field(op.body_fields(), "list").description, "");
    let headers = op.headers.as_ref().unwrap();
    assert!(headers.required);
    assert_eq!(headers.fields[0].name, "Wechatpay-Serial");
}

#[test]
fn json_encoded_strings_carry_their_decoded_fields() {
    let rows = "| json | object | 声明\n\
| business_time {data-indent=1} | string {data-tooltip=使用json_encode后的字符串 data-encoded=by-json_encode} | 营业期限`JSON`格式字符串\n\
| {colspan=3 .im-table-line}\n\
| period {data-required data-indent=2} | string[] | 起止日期\n\
| other {data-indent=1} | string | 其他\n";
    let response = "| trades | string | `JSON`格式字符串\n| {colspan=3 .im-table-line}\n| transaction {data-indent=1} | object[] | 交易数据\n| out_trade_no {data-required data-indent=2} | string | 商户订单号\n";
    let result = read("openapi/v3/enc.md", &single_page("post", rows, response));
    no_errors(&result);
    let op = &result.operations[0];
    let time = field(op.body_fields(), "business_time");
    assert_eq!(time.encoded.as_deref(), Some("by-json_encode"));
    assert_eq!(time.children[0].name, "period");
    assert_eq!(field(op.body_fields(), "other").children.len(), 0);
    let trades = field(op.response_fields(), "trades");
    assert_eq!(
        trades.encoded.as_deref(),
        Some("json"),
        "a separator alone marks the string"
    );
    assert_eq!(trades.children[0].children[0].name, "out_trade_no");
}

#[test]
fn multipart_uploads() {
    let rows = "| body {data-required} | object | `multipart/form-data` 数据结构\n\
| file {data-required data-indent=1} | object | 图片\n\
| meta {data-required data-indent=1} | string | 媒体文件元信息，使用json表示\n\
| {colspan=3 .im-table-line}\n\
| sha256 {data-required data-indent=2} | string | 文件`sha256`摘要\n\
| filename {data-required data-indent=2} | string | 文件名称\n";
    let result = read(
        "openapi/v3/merchant/media/upload.md",
        &single_page(
            "post",
            rows,
            "| media_id {data-required} | string | 媒体文件标识Id\n",
        ),
    );
    no_errors(&result);
    let Some(RequestBody::Multipart { parts, .. }) = &result.operations[0].request_body else {
        panic!("{:?}", result.operations[0].request_body)
    };
    assert_eq!(parts[0].name, "file");
    let meta = &parts[1];
    assert_eq!(meta.encoded.as_deref(), Some("json"));
    assert_eq!(meta.children.len(), 2);
}

#[test]
fn apiv2_xml_pages_with_flags() {
    let rows = "| security {data-required} | `true` | 声明加载商户API证书\n\
| nonceless | boolean | 声明请求的`XML`无随机字符串参数<br/>固定值`true`\n\
| xml {data-required} | object {data-tooltip=\"对应PHP的array\"} | 声明请求的`XML`数据结构\n\
| mch_id {data-required data-indent=1} | string | 商户号\n\
| version {data-required data-indent=1} | string | 版本号<br/>`1.0` 枚举值\n";
    let response =
        "| return_code {data-required}| string | 返回状态码<br/>`SUCCESS` \\| `FAIL` 枚举值之一\n";
    let result = read(
        "openapi/v2/pay/thing.md",
        &single_page("post", rows, response),
    );
    no_errors(&result);
    let op = &result.operations[0];
    assert!(op.security && op.nonceless);
    let Some(RequestBody::Xml { fields, .. }) = &op.request_body else {
        panic!()
    };
    assert_eq!(field(fields, "version").enum_values, ["1.0"]);
    let Response::Xml { fields } = &op.response else {
        panic!("{:?}", op.response)
    };
    assert_eq!(fields[0].enum_values, ["SUCCESS", "FAIL"]);
}

#[test]
fn query_declared_required_on_the_type_cell() {
    let rows = "| nonceless {data-required} | `true` | 声明请求的`query`无随机字符串参数\n| query | object {data-required data-tooltip=\"对应PHP的array\"} | 声明请求的查询参数\n| appid {data-required data-indent=1} | string | 应用ID\n";
    let result = read(
        "openapi/v2/papay/h5entrustweb.md",
        &single_page(
            "get",
            rows,
            "| redirect_url {data-required} | string | 跳转URL\n",
        ),
    );
    no_errors(&result);
    assert!(result.operations[0].query.as_ref().unwrap().required);
}

#[test]
fn base_uri_and_full_width_responses() {
    let rows = "| base_uri {data-required} | string | 声明接入点`https://api.mch.weixin.qq.com/hk/`(国内接入)\n";
    let cases = [
        (
            "| 文件流(需解析为对应数据) {align=center colspan=3}\n",
            Response::FileStream,
        ),
        (
            "| 空字符串(无返回内容) {align=center colspan=3}\n",
            Response::Empty,
        ),
        (
            "| 重定向至`Location`地址 {align=center colspan=3}\n",
            Response::Redirect {
                description: "重定向至`Location`地址".into(),
            },
        ),
        ("", Response::Undocumented),
    ];
    for (response, expected) in cases {
        let result = read(
            "openapi/v3/statements.md",
            &single_page("get", rows, response),
        );
        no_errors(&result);
        let op = &result.operations[0];
        assert_eq!(
            op.base_uri.as_deref(),
            Some("https://api.mch.weixin.qq.com/hk/")
        );
        assert_eq!(op.response, expected);
    }
}

#[test]
fn error_tables_and_index_pages() {
    let text = single_page(
        "post",
        "| xml | object | x\n| a {data-indent=1} | string | a\n",
        "",
    )
    .replace("| 返回字典 |", "| 异常字典 |")
    .replace(
        "| --- | --- | ---\n\n{.im-table #response}",
        "| --- | --- | ---\n| return_code | string | 返回状态码\n\n{.im-table #response}",
    );
    let result = read("openapi/v2/pay/index.md", &text);
    no_errors(&result);
    let op = &result.operations[0];
    assert_eq!(op.path, "/v2/pay/");
    assert_eq!(op.error_fields[0].name, "return_code");
    assert_eq!(op.response, Response::Undocumented);
}

#[test]
fn notices_and_link_lists() {
    let text = "# 标题 {#get}\n\n::: warning :beginner: {.im-redesigned}\n\n本接口服务已于 `2022.09.08` 发布新版，新接口见[这里](/openapi/v3/global/statements)。\n\n:::\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n\n{.im-table #request}\n\n| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| a | string | A\n\n{.im-table #response}\n\n参阅\n- [官方文档](https://a)\n- [官方文档](https://b)\n";
    let result = read("openapi/v3/old.md", text);
    no_errors(&result);
    let op = &result.operations[0];
    assert_eq!(op.notices.len(), 1);
    assert_eq!(op.notices[0].class, "im-redesigned");
    assert!(op.notices[0].text.contains("2022.09.08"));
    assert_eq!(op.doc_links, ["https://a", "https://b"]);
}

#[test]
fn pages_without_operations_are_not_api_pages() {
    let result = read(
        "openapi/index.md",
        "---\ntitle: 开放接口概览\n---\n\n| 业务标签 | 直连商户模式 | 合作伙伴模式\n| --- | --- | ---\n| 基础支付 {data-protocol=v2 rowspan=8} | [付款码支付](/openapi/v2/pay/micropay) {colspan=2}\n",
    );
    assert!(!result.is_api_page);
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
}

/// Sibling rows of the same name are the site's way of drawing alternatives
/// (one of several shapes): one field, required only where every alternative
/// requires it, enum values joined, with a warning and no row lost.
#[test]
fn same_name_siblings_are_alternatives() {
    let rows = "| json {data-required} | object | x\n\
| scene {data-required data-indent=1} | string | 场景<br/>`BUS` 枚举值\n\
| info {data-required data-indent=1} | object | 公交\n\
| start_time {data-required data-indent=2} | string | 乘车时间\n\
| line_name {data-required data-indent=2} | string | 路线\n\
| scene {data-indent=1} | string | 场景<br/>`PARKING` 枚举值\n\
| info {data-required data-indent=1} | object | 停车\n\
| start_time {data-required data-indent=2} | string | 入场时间\n\
| space_number {data-required data-indent=2} | string | 车位编号\n";
    let result = read(
        "openapi/v3/a.md",
        &single_page("post", rows, "| id | string | x\n"),
    );
    no_errors(&result);
    let warnings: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    // Each counted as the kind of quirk it is, for the tree's summary line.
    assert!(
        result
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .all(|d| d.kind == Some(WarningKind::Alternative))
    );
    assert!(
        warnings[0].contains("read as an alternative"),
        "{}",
        warnings[0]
    );
    let Some(RequestBody::Json { fields, .. }) = &result.operations[0].request_body else {
        panic!("{:?}", result.operations[0].request_body)
    };
    assert_eq!(fields.len(), 2);
    let scene = field(fields, "scene");
    assert!(!scene.required, "required in one alternative only");
    assert_eq!(scene.enum_values, ["BUS", "PARKING"]);
    let info = field(fields, "info");
    assert!(info.required, "required in both");
    assert!(field(&info.children, "start_time").required);
    assert!(!field(&info.children, "line_name").required);
    assert!(!field(&info.children, "space_number").required);
    assert!(info.description.contains("公交") && info.description.contains("停车"));
}

/// Quirks a reader of the page still understands: each read with a warning
/// that says how, none dropped.
#[test]
fn quirks_are_read_with_a_warning() {
    let rows = "| base_uri {data-required} | string | 声明接入点<br/>固定值`https://fraud.mch.weixin.qq.com/`\n\
| transaction_id {data-required} | string | 商户订单号\n\
| json {data-required} | object | x\n\
| payer _currency {data-indent=1} | string | 支付货币类型\n";
    let result = read(
        "openapi/v3/pay/{out_trade_no}.md",
        &single_page("post", rows, "| id | string | x\n"),
    );
    no_errors(&result);
    let warnings: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let op = &result.operations[0];
    assert_eq!(
        op.base_uri.as_deref(),
        Some("https://fraud.mch.weixin.qq.com/")
    );
    assert_eq!(op.path_params.len(), 1);
    assert_eq!(op.path_params[0].name, "out_trade_no");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`transaction_id` is not in the path")),
        "{warnings:#?}"
    );
    let Some(RequestBody::Json { fields, .. }) = &op.request_body else {
        panic!("{:?}", op.request_body)
    };
    assert_eq!(fields[0].name, "payer_currency");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("read as `payer_currency`")),
        "{warnings:#?}"
    );
}

/// Each malformed row is one error naming `page:line` and the row; the other rows are kept.
#[test]
fn bad_rows_are_located_errors_and_the_rest_is_kept() {
    let cases: &[(&str, &str)] = &[
        ("| a {data-indent=1} | strin | x\n", "unknown type `strin`"),
        (
            "| a {data-indent=3} | string | x\n",
            "jumps from indent 1 to 3",
        ),
        (
            "| a {data-indent=1} | string | x\n| a {data-indent=1} | integer | y\n",
            "duplicate field `a`",
        ),
        (
            "| a b {data-indent=1} | string | x\n",
            "is not a field name",
        ),
        (
            "| a {data-indent=x} | string | x\n",
            "`data-indent=x` is not a whole number",
        ),
        (
            "| a {data-indent=1} | integer | x\n| {colspan=3 .im-table-line}\n| b {data-indent=2} | string | y\n",
            "only a string can hold JSON-encoded fields",
        ),
        (
            "| a {data-indent=1} | integer | x\n| b {data-indent=2} | string | y\n",
            "a `integer`, which has no fields",
        ),
    ];
    for (bad, message) in cases {
        let rows = format!(
            "| json | object | 声明\n| first {{data-indent=1}} | string | ok\n{bad}| last {{data-indent=1}} | string | ok\n"
        );
        let result = read("openapi/v3/bad.md", &single_page("post", &rows, ""));
        let errors = errors(&result);
        assert!(
            errors.iter().any(|e| e.contains(message)
                && e.starts_with("openapi/v3/bad.md:")
                && e.contains("\n    | ")),
            "expected `{message}` in {errors:#?}"
        );
        let names: Vec<_> = result.operations[0]
            .body_fields()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert!(
            names.contains(&"first") && names.contains(&"last"),
            "{bad}: {names:?}"
        );
    }
}

/// The APIv2 pages share the request table with wechatpay-php's request
/// options (`fragment`, `timeout`): not part of the request, not an error, and
/// not dropped either.
#[test]
fn v2_client_options_are_kept() {
    let rows = "| fragment {data-required} | string | 固定填`#wechat_redirect`\n| xml {data-required} | object | 声明\n| appid {data-required data-indent=1} | string | 应用ID\n";
    let result = read("openapi/v2/page.md", &single_page("post", rows, ""));
    no_errors(&result);
    let warning = result
        .diagnostics
        .iter()
        .find(|d| d.kind == Some(WarningKind::ClientOption))
        .expect("a client-option warning");
    assert_eq!(warning.line, 12, "{warning}");
    let operation = &result.operations[0];
    assert_eq!(operation.client_options.len(), 1);
    assert_eq!(operation.client_options[0].name, "fragment");
    assert_eq!(
        operation.client_options[0].constant.as_deref(),
        Some("#wechat_redirect")
    );
    assert_eq!(operation.body_fields()[0].name, "appid");
    // The same row on an APIv3 page is a path parameter gone astray.
    let result = read("openapi/v3/page.md", &single_page("post", rows, ""));
    assert!(errors(&result)[0].contains("top-level request row `fragment`"));
}

#[test]
fn page_level_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "post",
            "| stray | string | x\n",
            "top-level request row `stray` is not a path parameter",
        ),
        ("get", "", "unrecognised full-width response row"),
    ];
    for (method, rows, message) in cases {
        let response = if rows.is_empty() {
            "| 这是什么 {align=center colspan=3}\n"
        } else {
            ""
        };
        let result = read("openapi/v3/page.md", &single_page(method, rows, response));
        let errors = errors(&result);
        assert!(
            errors.iter().any(|e| e.contains(message)),
            "expected `{message}` in {errors:#?}"
        );
    }
    let text = "| 请求参数 | 类型 | 描述\n| --- | --- | ---\n| a | string | x\n";
    let result = read("openapi/v3/orphan.md", text);
    assert!(errors(&result)[0].contains("before any operation heading"));
    let text = "# T {#get}\n\n| 名称 | 类型 | 描述\n| --- | --- | ---\n| a | string | x\n";
    let result = read("openapi/v3/unmarked.md", text);
    assert!(
        errors(&result)[0].contains("neither marked"),
        "{:?}",
        errors(&result)
    );
}

#[test]
fn extra_cells_are_kept_in_the_description_with_a_warning() {
    let result = read(
        "openapi/v3/pipe.md",
        &single_page(
            "post",
            "| json | object | x\n| a {data-indent=1} | string | one | two\n",
            "",
        ),
    );
    no_errors(&result);
    assert_eq!(
        result.operations[0].body_fields()[0].description,
        "one | two"
    );
    assert!(result.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("more than three cells")));
}

#[test]
fn unknown_attributes_are_warnings() {
    let result = read(
        "openapi/v3/attr.md",
        &single_page(
            "post",
            "| json | object | x\n| a {data-indent=1 data-secret} | string | a\n",
            "",
        ),
    );
    no_errors(&result);
    assert!(
        result
            .diagnostics
            .iter()
            .any(|d| d.message.contains("unknown attribute `data-secret`"))
    );
}

#[test]
fn undocumented_path_parameters_are_added_with_a_warning() {
    let result = read(
        "openapi/v3/items/{item_id}/parts/{part}.md",
        &single_page("get", "| part | string | 部件\n", ""),
    );
    no_errors(&result);
    let op = &result.operations[0];
    let names: Vec<_> = op.path_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["item_id", "part"], "in path order");
    assert!(op.path_params[0].required);
    assert!(
        result
            .diagnostics
            .iter()
            .any(|d| d.message.contains("`item_id` has no row"))
    );
}
