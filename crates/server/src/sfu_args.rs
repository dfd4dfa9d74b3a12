//! The conference media engine's settings of `schulhof serve` (the built-in SFU): flags with
//! the environment variables they replace, checked by `schulhof_chat::conference::settings`
//! so that a wrong value stops the start with the setting's name.

use clap::Args;
use schulhof_chat::conference::{SfuSettings, SfuValues};

#[derive(Args, Clone, Debug, Default)]
pub struct SfuArgs {
    /// UDP address of the conference media socket (port 0: any free port).
    #[arg(long, env = "SCHULHOF_SFU_BIND", value_name = "ADDR")]
    pub sfu_bind: Option<String>,
    /// TCP address for ICE over TCP where UDP is blocked; `off` turns it off (default: the
    /// UDP bind's IP, any free port).
    #[arg(long, env = "SCHULHOF_SFU_TCP_BIND", value_name = "ADDR|off")]
    pub sfu_tcp_bind: Option<String>,
    /// The media address announced to browsers (on a real network: the public IP).
    #[arg(long, env = "SCHULHOF_SFU_PUBLIC_IP", value_name = "IP")]
    pub sfu_public_ip: Option<String>,
    /// The most cameras one participant receives (Last-N), 1 to 49; default 9.
    #[arg(long, env = "SCHULHOF_SFU_LAST_N", value_name = "N")]
    pub sfu_last_n: Option<String>,
    /// TURN/STUN servers handed to browsers (comma-separated `turn:`, `turns:`, `stun:` URLs).
    #[arg(long, env = "SCHULHOF_TURN_URLS", value_name = "URLS")]
    pub turn_urls: Option<String>,
    /// The TURN servers' user name.
    #[arg(long, env = "SCHULHOF_TURN_USERNAME")]
    pub turn_username: Option<String>,
    /// The TURN servers' credential.
    #[arg(long, env = "SCHULHOF_TURN_CREDENTIAL", hide_env_values = true)]
    pub turn_credential: Option<String>,
    /// This node's name, recorded with the conferences whose media it hosts (default
    /// `local`; distinct per node).
    #[arg(long, env = "SCHULHOF_NODE_ID")]
    pub node_id: Option<String>,
}

impl SfuArgs {
    /// The checked settings; the error names the wrong setting.
    pub fn settings(&self) -> anyhow::Result<SfuSettings> {
        let v = SfuValues {
            bind: self.sfu_bind.clone(),
            tcp_bind: self.sfu_tcp_bind.clone(),
            public_ip: self.sfu_public_ip.clone(),
            turn_urls: self.turn_urls.clone(),
            turn_username: self.turn_username.clone(),
            turn_credential: self.turn_credential.clone(),
            last_n: self.sfu_last_n.clone(),
            node_id: self.node_id.clone(),
        };
        v.settings().map_err(anyhow::Error::msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sfu: SfuArgs,
    }

    #[test]
    fn flags_are_typed_and_a_wrong_one_is_named() {
        let cli = Cli::try_parse_from([
            "schulhof",
            "--sfu-bind",
            "127.0.0.1:40000",
            "--sfu-tcp-bind",
            "off",
            "--sfu-last-n",
            "4",
            "--node-id",
            "node-b",
        ])
        .expect("flags");
        let s = cli.sfu.settings().expect("settings");
        assert_eq!(s.engine.bind, "127.0.0.1:40000".parse().expect("addr"));
        assert_eq!((s.engine.tcp_bind, s.engine.last_n), (None, 4));
        assert_eq!(s.node_id, "node-b");
        let cli = Cli::try_parse_from(["schulhof", "--sfu-public-ip", "irgendwo"]).expect("x");
        let e = cli.sfu.settings().expect_err("bad ip").to_string();
        assert!(
            e.contains("--sfu-public-ip") && e.contains("irgendwo"),
            "{e}"
        );
    }
}
