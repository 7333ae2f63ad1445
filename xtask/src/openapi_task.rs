//! `cargo xtask openapi --docs DIR --out FILE`: an OpenAPI 3.1 document for every
//! operation of a docs tree (or of a spec file).

use std::path::PathBuf;

use clap::Args;
use wechatpay_spec::openapi::to_openapi;

use crate::diff_task::load;
use crate::fresh::ensure_file_contents;

#[derive(Args)]
pub(crate) struct OpenApiArgs {
    /// A docs tree (directory) or a spec file.
    #[arg(long)]
    docs: PathBuf,
    /// Where to write the document (standard output when absent).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The document's title.
    #[arg(long, default_value = "WeChat Pay APIv3")]
    title: String,
}

pub(crate) fn run(args: OpenApiArgs) -> Result<(), String> {
    let spec = load(&args.docs)?;
    let document = to_openapi(&spec, &args.title);
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    text.push('\n');
    match args.out {
        Some(out) => {
            ensure_file_contents(&out, &text, false)?;
        }
        None => print!("{text}"),
    }
    eprintln!("{} operations", spec.operations.len());
    Ok(())
}
