//! Arbitrary and mutated pages never make the parser panic: whatever the input,
//! the answer is operations and diagnostics.

mod common;

use std::fs;
use std::sync::OnceLock;

use proptest::prelude::*;
use wechatpay_docs_parser::parse_page;

/// Fragments of the grammar, so that random pages reach deep into the parser.
const TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "| ",
    " | ",
    "|",
    "# ",
    "## ",
    "{#get}",
    "{#post}",
    "{#mix}",
    "{.im-table #request}",
    "{.im-table #response}",
    "| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n",
    "| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n",
    "json",
    "query",
    "body",
    "xml",
    "headers",
    "base_uri",
    "security",
    "nonceless",
    "{data-required}",
    "{data-indent=1}",
    "{data-indent=2}",
    "{data-indent=9}",
    "{data-required data-indent=1}",
    "{colspan=3 .im-table-line}",
    "空字符串(无返回内容) {align=center colspan=3}",
    "文件流 {align=center colspan=3}",
    "string",
    "object",
    "object[]",
    "integer[][]",
    "`true`",
    "{data-encoded=by-json_encode}",
    "<br/>",
    "`A` \\| `B` 枚举值之一",
    "默认为`X`",
    "固定值`true`",
    "::: warning {.im-deprecated}",
    ":::",
    "---\ntitle: t\n---\n",
    "{{ $frontmatter.title }}",
    "{{ $frontmatter.nope }}",
    "参阅 [官方文档](https://x)",
    "```php\n$i->v3->x->postAsync([\n'a' => [1, 'b' => \\json_encode(['c'])],\n])\n```\n",
    "{",
    "}",
    "`",
    "\\|",
    "=>",
    "'",
    "\"",
    "[",
    "]",
    "中文",
    "\u{0}",
    "\r\n",
];

fn token_page() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|tokens| tokens.concat())
}

fn shared_pages() -> &'static [String] {
    static PAGES: OnceLock<Vec<String>> = OnceLock::new();
    PAGES.get_or_init(read_shared_pages)
}

fn read_shared_pages() -> Vec<String> {
    let mut pages = Vec::new();
    let mut dirs = vec![common::shared_dir().join("docs/current")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                pages.push(fs::read_to_string(path).unwrap());
            }
        }
    }
    pages.sort();
    pages
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, String),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (
            any::<usize>(),
            prop_oneof![
                prop::sample::select(TOKENS).prop_map(str::to_owned),
                ".{0,12}"
            ]
        )
            .prop_map(|(at, text)| Mutation::Insert(at, text)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(page: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = page.lines().map(str::to_owned).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::Insert(at, text) => {
                let line = &mut lines[at % n];
                let mut cut = at % (line.len() + 1);
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                line.insert_str(cut, text);
            }
            Mutation::Truncate(i) => lines.truncate(i % n),
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_pages_never_panic(page in token_page(), path in prop::sample::select(&["openapi/v3/a/{id}.md", "openapi/v2/x/index.md", "a.md", "x.txt"][..])) {
        let result = parse_page(path, &page);
        for d in &result.diagnostics {
            prop_assert!(d.line >= 1);
        }
    }

    #[test]
    fn mutated_real_pages_never_panic(index in any::<prop::sample::Index>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let pages = shared_pages();
        let page = index.get(pages);
        let mutated = apply(page, &mutations);
        let _ = parse_page("openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md", &mutated);
    }
}
