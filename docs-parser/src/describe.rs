//! The description cell: free text, plus the phrases that carry facts — enumerations
//! (`` `A` \| `B` 枚举值之一 ``, `` `1.0` 枚举值 ``), fixed values (`` 固定值`true` ``,
//! `` 固定为`certificate` ``) and defaults (`` 默认为`RSA` ``). Phrases are separated
//! from the text by `<br/>`.

/// What a description cell says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Description {
    /// The text without the fact phrases, `<br/>` turned into newlines.
    pub(crate) text: String,
    pub(crate) enum_values: Vec<String>,
    /// What values listed one a line (`` `SUCCESS`：支付成功 ``) mean.
    pub(crate) enum_meanings: Vec<(String, String)>,
    pub(crate) default_value: Option<String>,
    pub(crate) constant: Option<String>,
}

const ENUM_MARKERS: [&str; 2] = ["枚举值之一", "枚举值"];
const CONSTANT_MARKERS: [&str; 5] = ["固定值为", "固定值", "固定为", "固定填", "固定枚举值"];
const DEFAULT_MARKERS: [&str; 4] = ["默认值为", "默认值", "默认为", "默认"];

/// Reads a description cell's raw markdown.
pub(crate) fn describe(raw: &str) -> Description {
    // In a table cell `\|` is a literal pipe.
    let unescaped = raw.replace("\\|", "|");
    let mut description = Description::default();
    let mut lines = Vec::new();
    for segment in split_breaks(&unescaped) {
        let segment = segment.trim();
        if segment.is_empty() {
            continue;
        }
        if let Some((value, meaning)) = value_line(segment) {
            if !description.enum_values.contains(&value) {
                description.enum_values.push(value.clone());
            }
            description.enum_meanings.push((value, meaning));
        } else if let Some((before, values)) = enum_phrase(segment) {
            if !before.is_empty() {
                lines.push(before.to_owned());
            }
            for value in values {
                if !description.enum_values.contains(&value) {
                    description.enum_values.push(value);
                }
            }
        } else if let Some((before, value)) = marked_value(segment, &CONSTANT_MARKERS) {
            push_nonempty(&mut lines, before);
            description.constant = Some(value);
        } else if let Some((before, value)) = marked_value(segment, &DEFAULT_MARKERS) {
            push_nonempty(&mut lines, before);
            description.default_value = Some(value);
        } else {
            lines.push(segment.to_owned());
        }
    }
    // `交易状态：` introduced the value lines taken out of the text.
    if !description.enum_meanings.is_empty()
        && let Some(last) = lines.first_mut()
    {
        let trimmed = last.trim_end_matches(['：', ':']).trim_end().len();
        last.truncate(trimmed);
    }
    description.text = lines.join("\n");
    description
}

fn push_nonempty(lines: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        lines.push(text.to_owned());
    }
}

fn split_breaks(text: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let next = ["<br/>", "<br />", "<br>"]
            .iter()
            .filter_map(|tag| lower.find(tag).map(|at| (at, tag.len())))
            .min();
        match next {
            Some((at, len)) => {
                segments.push(&rest[..at]);
                rest = &rest[at + len..];
            }
            None => {
                segments.push(rest);
                return segments;
            }
        }
    }
}

/// `` `SUCCESS`：支付成功 `` -> (SUCCESS, 支付成功): a line of a value list
/// that says what each value means. The value is a code span of one word
/// (letters, digits, `_`, `-`, `.`), right at the start of the line.
fn value_line(segment: &str) -> Option<(String, String)> {
    let rest = segment.strip_prefix('`')?;
    let (value, after) = rest.split_once('`')?;
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if value.is_empty() || value.len() > 64 || !value.chars().all(word) {
        return None;
    }
    let meaning = after
        .trim_start()
        .strip_prefix('：')
        .or_else(|| after.trim_start().strip_prefix(':'))?;
    let meaning = meaning.trim();
    (!meaning.is_empty()).then(|| (value.to_owned(), meaning.to_owned()))
}

/// `<text> `A` | `B` 枚举值之一` -> (text, [A, B]). The values are the run of
/// code spans, separated by `|` (or `、`/`,`), that ends right before the marker.
fn enum_phrase(segment: &str) -> Option<(&str, Vec<String>)> {
    let body = ENUM_MARKERS
        .iter()
        .find_map(|marker| segment.strip_suffix(marker))?
        .trim_end();
    let mut values = Vec::new();
    let mut rest = body;
    loop {
        let inner = rest.strip_suffix('`')?;
        let open = inner.rfind('`')?;
        let value = &inner[open + 1..];
        if value.is_empty() {
            return None;
        }
        values.push(value.to_owned());
        rest = inner[..open].trim_end();
        match rest
            .strip_suffix('|')
            .or_else(|| rest.strip_suffix('、'))
            .or_else(|| rest.strip_suffix(','))
            .or_else(|| rest.strip_suffix('，'))
        {
            Some(before) => rest = before.trim_end(),
            None => break,
        }
    }
    values.reverse();
    Some((rest, values))
}

/// `<text>固定值`X`` -> (text, X), for any of `markers`, when the code span ends the segment.
fn marked_value<'a>(segment: &'a str, markers: &[&str]) -> Option<(&'a str, String)> {
    let inner = segment.strip_suffix('`')?;
    let open = inner.rfind('`')?;
    let value = &inner[open + 1..];
    let before = inner[..open].trim_end();
    let before = before
        .strip_suffix([':', '：'])
        .unwrap_or(before)
        .trim_end();
    let text = markers
        .iter()
        .find_map(|marker| before.strip_suffix(marker))?;
    let text = text.trim_end().trim_end_matches([',', '，', ';', '；']);
    Some((text, value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text() {
        let d = describe("批次号");
        assert_eq!(d.text, "批次号");
        assert!(d.enum_values.is_empty());
    }

    #[test]
    fn enum_after_break() {
        let d = describe(
            "券code状态<br/>`SENDED` \\| `USED` \\| `EXPIRED` \\| `DELETED` \\| `DEACTIVATED` 枚举值之一",
        );
        assert_eq!(d.text, "券code状态");
        assert_eq!(
            d.enum_values,
            ["SENDED", "USED", "EXPIRED", "DELETED", "DEACTIVATED"]
        );
    }

    #[test]
    fn enum_without_spaces_then_default() {
        let d = describe("平台证书算法类型<br/>`SM2`\\|`RSA`\\|`ALL`枚举值之一<br/>默认为`RSA`");
        assert_eq!(d.text, "平台证书算法类型");
        assert_eq!(d.enum_values, ["SM2", "RSA", "ALL"]);
        assert_eq!(d.default_value.as_deref(), Some("RSA"));
    }

    #[test]
    fn enum_only_and_single_value() {
        let d = describe("`LEGAL` \\| `SUPER` 枚举值之一");
        assert_eq!(d.text, "");
        assert_eq!(d.enum_values, ["LEGAL", "SUPER"]);
        let d = describe("接口版本号<br/>`1.0` 枚举值");
        assert_eq!(d.text, "接口版本号");
        assert_eq!(d.enum_values, ["1.0"]);
    }

    #[test]
    fn enum_with_leading_text_in_same_segment() {
        let d = describe("类型 `A` \\| `B` 枚举值之一");
        assert_eq!(d.text, "类型");
        assert_eq!(d.enum_values, ["A", "B"]);
    }

    #[test]
    fn constants() {
        let d = describe("声明请求的`XML`无随机字符串参数<br/>固定值`true`");
        assert_eq!(d.text, "声明请求的`XML`无随机字符串参数");
        assert_eq!(d.constant.as_deref(), Some("true"));
        let d = describe("加密证书的附加数据<br/>固定为`certificate`");
        assert_eq!(d.constant.as_deref(), Some("certificate"));
        assert_eq!(
            describe("固定填`#wechat_redirect`").constant.as_deref(),
            Some("#wechat_redirect")
        );
        let d = describe("签名类型<br/>固定枚举值`HMAC-SHA256`");
        assert_eq!(
            (d.text.as_str(), d.constant.as_deref()),
            ("签名类型", Some("HMAC-SHA256"))
        );
    }

    #[test]
    fn code_spans_in_text_are_kept() {
        let d = describe("前序接口返回的`URL.query.token`");
        assert_eq!(d.text, "前序接口返回的`URL.query.token`");
        assert_eq!(d.constant, None);
        assert!(d.enum_values.is_empty());
        let d = describe("声明请求的`JSON`数据结构");
        assert_eq!(d.text, "声明请求的`JSON`数据结构");
    }

    #[test]
    fn multiple_breaks_become_lines() {
        let d = describe("第一行<br>第二行<BR/>第三行");
        assert_eq!(d.text, "第一行\n第二行\n第三行");
    }

    #[test]
    fn value_lists_with_meanings() {
        let d = describe(
            "交易状态：<br/>`SUCCESS`：支付成功 <br/>`PAY_FAIL`：支付失败(其他原因) <br/>注意：`X` 见文档",
        );
        assert_eq!(d.text, "交易状态\n注意：`X` 见文档");
        assert_eq!(d.enum_values, ["SUCCESS", "PAY_FAIL"]);
        assert_eq!(
            d.enum_meanings,
            [
                ("SUCCESS".to_owned(), "支付成功".to_owned()),
                ("PAY_FAIL".to_owned(), "支付失败(其他原因)".to_owned())
            ]
        );
        // A code span that is not a value at the start of a line stays text.
        let d = describe("`out_trade_no` 与 `transaction_id`：二选一");
        assert!(d.enum_values.is_empty(), "{d:?}");
    }

    #[test]
    fn a_lone_marker_is_text() {
        let d = describe("枚举值之一");
        assert_eq!(d.text, "枚举值之一");
        assert!(d.enum_values.is_empty());
    }
}
