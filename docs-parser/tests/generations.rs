//! Every generation of the pages: the ways older and current pages bend the
//! table grammar, each on a small page written for the test in the site's
//! format. Each is read into the tree a reader of the page would see, with a
//! warning at `page:line` naming the reading, and no row is dropped.

use std::collections::BTreeSet;

use wechatpay_docs_parser::{PageResult, Severity, WarningKind, parse_page};
use wechatpay_spec::{Field, Kind, Notification, RequestBody};

fn no_errors(result: &PageResult) {
    let errors: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn warnings_of(result: &PageResult, kind: WarningKind) -> Vec<String> {
    result
        .diagnostics
        .iter()
        .filter(|d| d.kind == Some(kind))
        .map(ToString::to_string)
        .collect()
}

fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} in {fields:#?}"))
}

fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

/// The name of every field row of a page's tables.
fn row_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| {colspan") && !l.starts_with("| ---"))
        .filter(|l| !l.contains("{.type}"))
        .map(|l| {
            let cell = l[2..].split(" |").next().unwrap_or_default();
            cell.split(" {")
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect()
}

/// The name of every field of a tree, nested ones included.
fn collect_names(fields: &[Field], into: &mut BTreeSet<String>) {
    for field in fields {
        into.insert(field.name.clone());
        collect_names(&field.children, into);
    }
}

const ENVELOPE_HEAD: &str = "| body {data-required} | object | 通知的`JSON`数据结构\n\
| id {data-required data-indent=1} | string | 通知的唯一ID\n\
| create_time {data-required data-indent=1} | string | 通知创建的时间\n\
| event_type {data-required data-indent=1} | string | 通知的类型<br/>`TEST.EVENT` 枚举值\n\
| resource_type {data-required data-indent=1} | string | 通知的资源数据类型\n\
| summary {data-required data-indent=1} | string | 回调摘要\n\
| resource {data-required data-indent=1} | object | 通知资源数据\n";

fn webhook_page(rows: &str) -> String {
    format!(
        "---\ntitle: 测试通知\n---\n\n# {{{{ $frontmatter.title }}}} {{#post}}\n\n\
| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n\
| headers {{data-required}} | object | 通知的头参数\n\
| Wechatpay-Serial {{data-required data-indent=1}} | string | 序列号\n\
{ENVELOPE_HEAD}{rows}\n{{.im-table #request}}\n"
    )
}

fn notification(rows: &str) -> (PageResult, Notification) {
    let page = webhook_page(rows);
    let result = parse_page("webhook/v3/TEST.EVENT.md", &page);
    no_errors(&result);
    assert_eq!(result.notifications.len(), 1, "{:#?}", result.diagnostics);
    let notification = result.notifications[0].clone();
    // Nothing dropped: every row's name is in the headers, the envelope or
    // the resource (but the rows that name a content, and the `headers` and
    // `body` rows that hold the others).
    let mut read: BTreeSet<String> = ["headers", "body"].map(String::from).into();
    collect_names(&notification.headers, &mut read);
    collect_names(&notification.envelope, &mut read);
    collect_names(&notification.resource, &mut read);
    let mut expected = row_names(&page);
    for warning in result
        .diagnostics
        .iter()
        .filter(|d| d.kind == Some(WarningKind::ContentName))
    {
        let name = warning.message.split('`').nth(1).unwrap_or_default();
        expected.remove(name);
    }
    assert_eq!(read, expected, "rows read");
    (result, notification)
}

const CIPHERTEXT: &str = "| algorithm {data-required data-indent=2} | string | 加密算法<br/>`AEAD_AES_256_GCM` 枚举值\n\
| nonce {data-required data-indent=2} | string | 随机串\n\
| ciphertext {data-required data-indent=2} | string {data-tooltip=APIv3密钥加密后的BASE64字符串 data-encrypted=by-aes-gcm} | 密文\n";

#[test]
fn envelope_rows_between_the_ciphertext_and_its_separator() {
    let rows = format!(
        "{CIPHERTEXT}| original_type {{data-required data-indent=2}} | string | 原始回调类型<br/>`entrust` 枚举值\n\
| associated_data {{data-indent=2}} | string | 附加数据\n\
| {{colspan=3 .im-table-line}}\n\
| mchid {{data-required data-indent=3}} | string | 商户号\n\
| plan_id {{data-required data-indent=3}} | integer | 模板ID\n"
    );
    let (result, notification) = notification(&rows);
    assert_eq!(names(&notification.resource), ["mchid", "plan_id"]);
    assert_eq!(notification.original_types, ["entrust"]);
    let resource = field(&notification.envelope, "resource");
    assert_eq!(
        names(&resource.children),
        [
            "algorithm",
            "nonce",
            "ciphertext",
            "original_type",
            "associated_data"
        ]
    );
    let warnings = warnings_of(&result, WarningKind::EnvelopeRows);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("`original_type`, `associated_data` between `ciphertext`"),
        "{}",
        warnings[0]
    );
}

#[test]
fn named_contents_after_separators_are_alternatives_of_the_resource() {
    let rows = format!(
        "{CIPHERTEXT}| {{colspan=3 .im-table-line}}\n\
| original_data {{data-indent=2}} | object | 平台提现结果\n\
| status {{data-required data-indent=3}} | string | 状态<br/>`SUCCESS` \\| `FAIL` 枚举值之一\n\
| amount {{data-required data-indent=3}} | integer | 金额\n\
| solution {{data-required data-indent=3}} | string | 解决方案\n\
| {{colspan=3 .im-table-line}}\n\
| original_data {{data-indent=2}} | object | 二级商户提现结果\n\
| sub_mchid {{data-required data-indent=3}} | string | 二级商户号\n\
| status {{data-required data-indent=3}} | string | 状态<br/>`SUCCESS` \\| `CLOSE` 枚举值之一\n\
| amount {{data-required data-indent=3}} | integer | 金额\n"
    );
    let page = webhook_page(&rows);
    let result = parse_page("webhook/v3/TEST.EVENT.md", &page);
    no_errors(&result);
    let notification = &result.notifications[0];
    assert_eq!(
        names(&notification.resource),
        ["status", "amount", "solution", "sub_mchid"]
    );
    let status = field(&notification.resource, "status");
    assert!(status.required, "in every alternative");
    assert_eq!(status.enum_values, ["SUCCESS", "FAIL", "CLOSE"]);
    assert!(field(&notification.resource, "amount").required);
    assert!(
        !field(&notification.resource, "solution").required,
        "one alternative only"
    );
    assert!(
        !field(&notification.resource, "sub_mchid").required,
        "one alternative only"
    );
    assert_eq!(warnings_of(&result, WarningKind::ContentName).len(), 2);
    let resource = field(&notification.envelope, "resource");
    assert!(
        !names(&resource.children).contains(&"original_data"),
        "the name is not a field of the envelope"
    );
}

#[test]
fn a_separator_between_alternatives_marks_nothing() {
    let rows = format!(
        "{CIPHERTEXT}| {{colspan=3 .im-table-line}}\n\
| channel {{data-required data-indent=3}} | string | 渠道\n\
| {{colspan=3 .im-table-line}}\n\
| detail {{data-indent=3}} | object | 转账退回详情\n\
| bank_name {{data-required data-indent=4}} | string | 银行\n\
| memo {{data-required data-indent=4}} | string | 附言\n\
| {{colspan=3 .im-table-line}}\n\
| detail {{data-indent=3}} | object | 网银退回详情\n\
| bank_name {{data-required data-indent=4}} | string | 银行\n\
| online_bank_type {{data-required data-indent=4}} | string | 网银类型\n"
    );
    let (_, notification) = notification(&rows);
    assert_eq!(names(&notification.resource), ["channel", "detail"]);
    assert_eq!(field(&notification.resource, "channel").encoded, None);
    let detail = field(&notification.resource, "detail");
    assert_eq!(
        names(&detail.children),
        ["bank_name", "memo", "online_bank_type"]
    );
    assert!(field(&detail.children, "bank_name").required);
    assert!(!field(&detail.children, "memo").required);
    assert_eq!(field(&detail.children, "memo").encoded, None);
}

#[test]
fn decrypted_fields_starting_deeper_than_one_level() {
    // An older generation: envelope rows after the ciphertext, and the
    // decrypted fields two levels below it.
    let rows = format!(
        "{CIPHERTEXT}| original_type {{data-required data-indent=2}} | string | 原始回调类型\n\
| {{colspan=3 .im-table-line}}\n\
| out_trade_no {{data-required data-indent=4}} | string | 商户订单号\n\
| amount {{data-required data-indent=4}} | object | 金额\n\
| total {{data-required data-indent=5}} | integer | 总金额\n\
| payer {{data-indent=4}} | object | 支付者\n\
| openid {{data-required data-indent=5}} | string | 用户标识\n"
    );
    let (result, notification) = notification(&rows);
    assert_eq!(
        names(&notification.resource),
        ["out_trade_no", "amount", "payer"]
    );
    assert_eq!(
        names(&field(&notification.resource, "amount").children),
        ["total"]
    );
    assert_eq!(
        names(&field(&notification.resource, "payer").children),
        ["openid"]
    );
    assert_eq!(warnings_of(&result, WarningKind::DeeperRows).len(), 1);
    assert_eq!(warnings_of(&result, WarningKind::EnvelopeRows).len(), 1);
}

#[test]
fn rows_that_lost_their_indent() {
    let rows = format!(
        "{CIPHERTEXT}| {{colspan=3 .im-table-line}}\n\
| out_recharge_no {{data-required data-indent=3}} | string | 充值单号\n\
| online_bank_info | object | 网银信息\n\
| bill_no {{data-indent=4}} | string | 银行交易单号\n\
| bank_name {{data-indent=4}} | string | 银行\n\
| accept_time {{data-required data-indent=3}} | string | 受理时间\n\
| channels | string[] | 可用渠道<br/>`BANK_TRANSFER` \\| `ONLINE_BANK` 枚举值之一\n"
    );
    let (result, notification) = notification(&rows);
    assert_eq!(
        names(&notification.resource),
        [
            "out_recharge_no",
            "online_bank_info",
            "accept_time",
            "channels"
        ]
    );
    assert_eq!(
        names(&field(&notification.resource, "online_bank_info").children),
        ["bill_no", "bank_name"]
    );
    let warnings = warnings_of(&result, WarningKind::MissingIndent);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].starts_with("webhook/v3/TEST.EVENT.md:"),
        "{}",
        warnings[0]
    );
}

fn api_page(method: &str, request_rows: &str, response_rows: &str) -> String {
    format!(
        "# 测试 {{#{method}}}\n\n\
| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{request_rows}\n{{.im-table #request}}\n\n\
| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{response_rows}\n{{.im-table #response}}\n"
    )
}

#[test]
fn tables_that_start_nested() {
    let response = "| id {data-indent=1} | string | 单号\n| items {data-indent=1} | object[] | 明细\n| sku {data-indent=2} | string | 商品\n";
    let post = api_page(
        "post",
        "| out_trade_no {data-indent=1} | string | 商户订单号\n| amount {data-indent=1} | integer | 金额\n",
        response,
    );
    let result = parse_page("openapi/v3/pay/{mchid}/orders.md", &post);
    no_errors(&result);
    let op = &result.operations[0];
    assert_eq!(names(op.body_fields()), ["out_trade_no", "amount"]);
    assert!(matches!(op.request_body, Some(RequestBody::Json { .. })));
    assert_eq!(names(op.response_fields()), ["id", "items"]);
    assert_eq!(names(&op.response_fields()[1].children), ["sku"]);
    assert_eq!(warnings_of(&result, WarningKind::ImpliedParent).len(), 2);

    // A method without a body: the query, and the path's parameter among them.
    let get = api_page(
        "get",
        "| mchid {data-indent=1} | string | 商户号\n| limit {data-indent=1} | integer | 条数\n",
        response,
    );
    let result = parse_page("openapi/v3/pay/{mchid}/orders.md", &get);
    no_errors(&result);
    let op = &result.operations[0];
    assert_eq!(names(&op.path_params), ["mchid"]);
    assert_eq!(names(&op.query.as_ref().unwrap().fields), ["limit"]);
}

#[test]
fn type_cells_that_name_no_json_type() {
    let request = "| json | object | 声明\n\
| detail {data-indent=1} | array | 明细\n\
| name {data-indent=2} | string | 名称\n\
| goods {data-indent=1} | array[] | 商品\n\
| sku {data-indent=2} | string | 商品编码\n\
| extra {data-indent=1} | undefined | 其他\n\
| blank {data-indent=1} |  | 空\n\
| tags {data-indent=1} | array | 标签\n";
    let result = parse_page(
        "openapi/v3/untyped.md",
        &api_page("post", request, "| id | string | 单号\n"),
    );
    no_errors(&result);
    let body = result.operations[0].body_fields();
    assert_eq!(field(body, "detail").type_name(), "object");
    assert_eq!(names(&field(body, "detail").children), ["name"]);
    assert_eq!(field(body, "goods").type_name(), "object[]");
    assert_eq!(field(body, "extra").kind, Kind::Any);
    assert_eq!(field(body, "blank").kind, Kind::Any);
    assert_eq!(field(body, "tags").kind, Kind::Any);
    assert_eq!(warnings_of(&result, WarningKind::UntypedRow).len(), 5);
}

#[test]
fn rows_nested_in_a_string_are_its_json() {
    let request = "| json | object | 声明\n\
| scene_info {data-indent=1} | string | 场景信息`JSON`字符串\n\
| device_id {data-required data-indent=2} | string | 设备号\n\
| store {data-indent=2} | object | 门店\n\
| id {data-required data-indent=3} | string | 门店编号\n";
    let result = parse_page(
        "openapi/v3/nested-json.md",
        &api_page("post", request, "| id | string | 单号\n"),
    );
    no_errors(&result);
    let scene = field(result.operations[0].body_fields(), "scene_info");
    assert_eq!(scene.encoded.as_deref(), Some("json"));
    assert_eq!(names(&scene.children), ["device_id", "store"]);
    assert_eq!(names(&scene.children[1].children), ["id"]);
}

#[test]
fn a_separator_after_a_number_with_rows_under_it_is_an_error() {
    let request = "| json | object | 声明\n\
| a {data-indent=1} | integer | x\n\
| {colspan=3 .im-table-line}\n\
| b {data-indent=2} | string | y\n\
| c {data-indent=1} | string | z\n";
    let result = parse_page(
        "openapi/v3/bad.md",
        &api_page("post", request, "| id | string | 单号\n"),
    );
    let errors: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("openapi/v3/bad.md:7:") && e.contains("only a string can hold")),
        "{errors:#?}"
    );
    assert!(
        names(result.operations[0].body_fields()).contains(&"c"),
        "the rest is kept"
    );
}

#[test]
fn rows_nested_in_a_string_with_values_are_not_its_json() {
    let rows = format!(
        "{CIPHERTEXT}| {{colspan=3 .im-table-line}}\n\
| qr_info {{data-indent=3}} | object | 扫码信息\n\
| employee_type {{data-indent=3}} | string | 员工类型<br/>`ADMIN` \\| `STAFF` 枚举值之一\n\
| openid {{data-required data-indent=4}} | string | 用户openid\n\
| accept_time {{data-indent=3}} | string | 受理时间\n\
| channel {{data-indent=3}} | string | 渠道<br/>`A` \\| `B` 枚举值之一\n\
| detail {{data-indent=4}} | string | 详情\n"
    );
    let (result, notification) = notification(&rows);
    assert_eq!(
        names(&notification.resource),
        ["qr_info", "accept_time", "channel", "detail"]
    );
    let qr = field(&notification.resource, "qr_info");
    assert_eq!(names(&qr.children), ["employee_type", "openid"]);
    assert_eq!(qr.children[0].encoded, None, "values, not JSON");
    assert_eq!(warnings_of(&result, WarningKind::ValuedParent).len(), 2);
}
