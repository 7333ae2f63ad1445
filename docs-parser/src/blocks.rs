//! The block structure of a page, read with pulldown-cmark: frontmatter, headings,
//! tables (with the raw source of every cell), paragraphs, lists and code blocks,
//! each with its line.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

/// One top-level block of a page.
#[derive(Debug)]
pub(crate) enum Block {
    Frontmatter {
        line: u32,
        text: String,
    },
    Heading {
        line: u32,
        level: u8,
        /// The heading's source without the leading `#`s.
        raw: String,
    },
    Table {
        line: u32,
        header: Vec<String>,
        rows: Vec<RawRow>,
    },
    Paragraph {
        line: u32,
        raw: String,
        /// Link targets with the line each starts on.
        links: Vec<(u32, String)>,
    },
    List {
        links: Vec<(u32, String)>,
    },
    Code {
        info: String,
        text: String,
    },
}

/// A table row as written: its line and the raw source of each cell.
#[derive(Debug)]
pub(crate) struct RawRow {
    pub(crate) line: u32,
    pub(crate) cells: Vec<String>,
    /// Text after the last cell the markdown parser kept: cells beyond the
    /// header's count, which GFM drops (an unescaped `|` in a description).
    pub(crate) overflow: String,
}

pub(crate) fn read_blocks(source: &str, line_of: impl Fn(usize) -> u32) -> Vec<Block> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    let mut blocks = Vec::new();
    let mut events = Parser::new_ext(source, options).into_offset_iter();
    while let Some((event, range)) = events.next() {
        let Event::Start(tag) = event else { continue };
        let line = line_of(range.start);
        match tag {
            Tag::MetadataBlock(MetadataBlockKind::YamlStyle) => {
                let mut text = String::new();
                for (event, _) in events.by_ref() {
                    match event {
                        Event::Text(t) => text.push_str(&t),
                        Event::End(TagEnd::MetadataBlock(_)) => break,
                        _ => {}
                    }
                }
                blocks.push(Block::Frontmatter { line, text });
            }
            Tag::Heading { level, .. } => {
                skip_to_end(&mut events, |end| matches!(end, TagEnd::Heading(_)));
                let raw = source[range].lines().next().unwrap_or_default();
                blocks.push(Block::Heading {
                    line,
                    level: level as u8,
                    raw: raw.trim_start_matches('#').trim().to_owned(),
                });
            }
            Tag::Table(_) => {
                let (header, rows) = read_table(source, &mut events, &line_of);
                blocks.push(Block::Table { line, header, rows });
            }
            Tag::Paragraph => {
                let links = collect_links(&mut events, &line_of, |end| {
                    matches!(end, TagEnd::Paragraph)
                });
                blocks.push(Block::Paragraph {
                    line,
                    raw: source[range].trim_end().to_owned(),
                    links,
                });
            }
            Tag::List(_) => {
                let links =
                    collect_links(&mut events, &line_of, |end| matches!(end, TagEnd::List(_)));
                blocks.push(Block::List { links });
            }
            Tag::CodeBlock(kind) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.into_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut text = String::new();
                for (event, _) in events.by_ref() {
                    match event {
                        Event::Text(t) => text.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                blocks.push(Block::Code { info, text });
            }
            Tag::BlockQuote(_) => {
                skip_to_end(&mut events, |end| matches!(end, TagEnd::BlockQuote(_)));
            }
            _ => {}
        }
    }
    blocks
}

type OffsetEvents<'a> = pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>;

fn skip_to_end(events: &mut OffsetEvents<'_>, is_end: impl Fn(&TagEnd) -> bool) {
    let mut depth = 0usize;
    for (event, _) in events.by_ref() {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(end) if depth == 0 && is_end(end) => return,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

fn collect_links(
    events: &mut OffsetEvents<'_>,
    line_of: &impl Fn(usize) -> u32,
    is_end: impl Fn(&TagEnd) -> bool,
) -> Vec<(u32, String)> {
    let mut links = Vec::new();
    let mut depth = 0usize;
    for (event, range) in events.by_ref() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                depth += 1;
                links.push((line_of(range.start), dest_url.into_string()));
            }
            Event::Start(_) => depth += 1,
            Event::End(end) if depth == 0 && is_end(&end) => break,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    links
}

fn read_table(
    source: &str,
    events: &mut OffsetEvents<'_>,
    line_of: &impl Fn(usize) -> u32,
) -> (Vec<String>, Vec<RawRow>) {
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut cells: Vec<Range<usize>> = Vec::new();
    let mut row_range = 0..0;
    for (event, range) in events.by_ref() {
        match event {
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                cells.clear();
                row_range = range;
            }
            Event::Start(Tag::TableCell) => cells.push(range),
            Event::End(TagEnd::TableHead) => {
                header = cells
                    .iter()
                    .map(|r| source[r.clone()].trim().to_owned())
                    .collect();
            }
            Event::End(TagEnd::TableRow) => {
                let line = line_of(row_range.start);
                // Cells the parser padded in have an empty range at the row's end.
                let last_end = cells.iter().map(|r| r.end).max().unwrap_or(row_range.start);
                let row_text = &source[row_range.clone()];
                let row_end = row_range.start + row_text.trim_end_matches(['\n', '\r']).len();
                let overflow = source
                    .get(last_end.min(row_end)..row_end)
                    .unwrap_or_default()
                    .trim()
                    .trim_start_matches('|')
                    .trim()
                    .to_owned();
                rows.push(RawRow {
                    line,
                    cells: cells
                        .iter()
                        .map(|r| source[r.clone()].trim().to_owned())
                        .collect(),
                    overflow,
                });
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(source: &str) -> impl Fn(usize) -> u32 + '_ {
        move |offset| 1 + source[..offset].matches('\n').count() as u32
    }

    #[test]
    fn tables_keep_raw_cells_and_lines() {
        let source = "# T {#get}\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| a {data-required}| string | x<br/>`A` \\| `B` 枚举值之一\n| b {data-indent=1} | string[] | \n| 空字符串(无返回内容) {align=center colspan=3}\n\n{.im-table #response}\n";
        let blocks = read_blocks(source, lines(source));
        let Block::Table { header, rows, line } = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(*line, 3);
        assert_eq!(header[0], "请求参数");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 5);
        assert_eq!(
            rows[0].cells,
            [
                "a {data-required}",
                "string",
                "x<br/>`A` \\| `B` 枚举值之一"
            ]
        );
        assert_eq!(rows[1].cells, ["b {data-indent=1}", "string[]", ""]);
        assert_eq!(
            rows[2].cells[0],
            "空字符串(无返回内容) {align=center colspan=3}"
        );
        assert!(rows.iter().all(|r| r.overflow.is_empty()));
        assert!(
            matches!(&blocks[2], Block::Paragraph { raw, .. } if raw == "{.im-table #response}")
        );
    }

    #[test]
    fn cells_beyond_the_header_are_kept_as_overflow() {
        let source = "| a | b | c\n| --- | --- | ---\n| x | string | one | two\n";
        let blocks = read_blocks(source, lines(source));
        let Block::Table { rows, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(rows[0].cells, ["x", "string", "one"]);
        assert_eq!(rows[0].overflow, "two");
    }

    #[test]
    fn frontmatter_links_and_code() {
        let source = "---\ntitle: T\n---\n\n# {{ $frontmatter.title }} {#get}\n\n```php [x]\n$a->getAsync([]);\n```\n\n参阅\n- [官方文档](https://a)\n- [官方文档](https://b)\n";
        let blocks = read_blocks(source, lines(source));
        assert!(matches!(&blocks[0], Block::Frontmatter { text, line: 1 } if text == "title: T\n"));
        assert!(
            matches!(&blocks[1], Block::Heading { raw, level: 1, line: 5 } if raw == "{{ $frontmatter.title }} {#get}")
        );
        assert!(matches!(&blocks[2], Block::Code { info, .. } if info == "php [x]"));
        let Block::List { links } = &blocks[4] else {
            panic!("{blocks:?}")
        };
        assert_eq!(
            links,
            &[(12, "https://a".to_owned()), (13, "https://b".to_owned())]
        );
    }
}
