//! `schulhof oidc …`: connected tools (OpenID Connect clients) and the signing keys.

use anyhow::Context;
use clap::{Args, Subcommand};
use schulhof_domain::Platform;
use schulhof_domain::oidc::NewClient;

#[derive(Args)]
pub struct OidcArgs {
    #[command(subcommand)]
    command: OidcCommand,
}

#[derive(Subcommand)]
// Parsed once per command line: the size of the enum costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum OidcCommand {
    /// Connected tools.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Make new signing keys (RS256, and ES256 if in use); the old ones stay in the JWKS
    /// for 7 days.
    RotateKeys,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a tool; prints its client id and (for a confidential client) its secret.
    Add {
        #[arg(long)]
        name: String,
        /// An exact redirect URI (repeat for more; all on one host).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// The school number; without it the tool is registered state-wide.
        #[arg(long)]
        instance: Option<String>,
        /// A public client (an app without a secret): PKCE is then required.
        #[arg(long)]
        public: bool,
        /// Claims the tool may receive, comma separated: school, role, name, email, groups.
        #[arg(long, value_delimiter = ',')]
        claims: Vec<String>,
        /// Where RP-initiated logout may lead back to (repeatable).
        #[arg(long = "post-logout-uri")]
        post_logout_uris: Vec<String>,
        /// A text file with the tool's terms of use, shown on the consent screen.
        #[arg(long)]
        terms_file: Option<std::path::PathBuf>,
        /// Where the tool's terms of use are published (linked on the consent screen).
        #[arg(long, default_value = "")]
        terms_url: String,
        /// Back-Channel Logout 1.0: where logout tokens are POSTed at central logout.
        #[arg(long, default_value = "")]
        backchannel_logout_uri: String,
        /// Front-Channel Logout 1.0: loaded in a hidden frame at central logout.
        #[arg(long, default_value = "")]
        frontchannel_logout_uri: String,
        /// What its ID tokens are signed with (id_token_signed_response_alg).
        #[arg(long = "id-token-alg", default_value = "RS256",
              value_parser = ["RS256", "ES256"])]
        id_token_alg: String,
        /// Third-party initiated login (OpenID Connect Core §4): where the platform's tile
        /// sends the browser with `iss` and `target_link_uri` (https, http only on loopback).
        #[arg(long, default_value = "")]
        initiate_login_uri: String,
        /// Where the tool should land after a login from the tile (same host as the
        /// initiate login URI; default: its root).
        #[arg(long, default_value = "")]
        target_link_uri: String,
    },
}

pub async fn run(platform: &Platform, args: OidcArgs) -> anyhow::Result<()> {
    match args.command {
        OidcCommand::RotateKeys => {
            let kids = platform
                .system_oidc_rotate_keys()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "New signing keys {}; the previous keys stay published for 7 days.",
                kids.join(", ")
            );
        }
        OidcCommand::Client {
            command:
                ClientCommand::Add {
                    name,
                    redirect_uris,
                    instance,
                    public,
                    claims,
                    post_logout_uris,
                    terms_file,
                    terms_url,
                    backchannel_logout_uri,
                    frontchannel_logout_uri,
                    id_token_alg,
                    initiate_login_uri,
                    target_link_uri,
                },
        } => {
            let terms = match terms_file {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
                None => String::new(),
            };
            let n = NewClient {
                school: instance,
                name,
                redirect_uris,
                post_logout_uris,
                public,
                claims: claims.into_iter().filter(|c| !c.is_empty()).collect(),
                terms,
                terms_url,
                backchannel_logout_uri,
                frontchannel_logout_uri,
                id_token_alg,
                initiate_login_uri,
                target_link_uri,
            };
            let c = platform
                .system_oidc_add_client(&n)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("client_id: {}", c.client_id);
            match c.secret {
                Some(s) => println!("client_secret: {s}"),
                None => println!("public client: no secret; PKCE (S256) is required"),
            }
        }
    }
    Ok(())
}
