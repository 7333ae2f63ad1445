//! `wechatpay-sandbox`: run the local WeChat Pay on a loopback address and print
//! the environment a client needs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use wechatpay_sandbox::{FaultArgs, Sandbox, SandboxConfig, SigningMode};

/// A local WeChat Pay for the pre-stored code endpoints.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Where to write the generated keys.
    #[arg(long, default_value = ".wechatpay-sandbox")]
    dir: PathBuf,
    /// Sign answers with the platform certificate instead of the public key.
    #[arg(long)]
    certificate_mode: bool,
    /// Neither check request signatures nor sign answers: only for measuring
    /// the transport floor (HTTP, JSON, business rules) without RSA. No client
    /// that verifies accepts its answers.
    #[arg(long)]
    unsigned: bool,
    #[command(flatten)]
    faults: FaultArgs,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let sandbox = Sandbox::start(SandboxConfig {
        addr: args.addr,
        signing: if args.certificate_mode {
            SigningMode::PlatformCertificate
        } else {
            SigningMode::PublicKey
        },
        faults: args.faults.plan(),
        unsigned: args.unsigned,
        ..SandboxConfig::default()
    })
    .await?;
    println!(
        "# WeChat Pay sandbox on {} (Ctrl-C stops it). A client needs:",
        sandbox.base_url()
    );
    for (name, value) in sandbox.environment(&args.dir)? {
        println!("export {name}={value}");
    }
    println!(
        "# Stocks: {} (MERCHANT_UPLOAD), {} (WECHATPAY_MODE)",
        wechatpay_sandbox::DEFAULT_STOCK,
        wechatpay_sandbox::WECHATPAY_MODE_STOCK
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
