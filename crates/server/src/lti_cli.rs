//! `schulhof lti tool add …`: registers an LTI 1.3 tool and prints what the tool is
//! configured with (the platform's issuer, endpoints and the tool's ids).

use anyhow::Context;
use clap::{Args, Subcommand};
use schulhof_domain::Platform;
use schulhof_domain::lti::{NewLtiTool, path};

#[derive(Args)]
pub struct LtiArgs {
    #[command(subcommand)]
    command: LtiCommand,
}

#[derive(Subcommand)]
enum LtiCommand {
    /// LTI tools.
    Tool {
        #[command(subcommand)]
        command: ToolCommand,
    },
}

#[derive(Subcommand)]
enum ToolCommand {
    /// Register a tool; prints the platform details and the tool's client and deployment id.
    Add {
        #[arg(long)]
        name: String,
        /// The tool's OIDC login initiation URL.
        #[arg(long)]
        login_url: String,
        /// Where launches go by default (also a redirect URI).
        #[arg(long)]
        target_link_uri: String,
        /// Further exact redirect URIs (launch URLs; repeatable).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// A file with the tool's public keys (a JSON Web Key Set or one JWK).
        #[arg(long, required_unless_present = "jwks_url")]
        jwks_file: Option<std::path::PathBuf>,
        /// Or the URL the tool publishes its key set at (fetched by the server; public
        /// addresses only, refreshed when the tool uses a new key).
        #[arg(long)]
        jwks_url: Option<String>,
        /// The school number; without it the tool is registered state-wide.
        #[arg(long)]
        instance: Option<String>,
        /// Personal claims it may receive with the person's consent: name, email.
        #[arg(long, value_delimiter = ',')]
        claims: Vec<String>,
        /// A text file with the tool's terms of use.
        #[arg(long)]
        terms_file: Option<std::path::PathBuf>,
    },
}

pub async fn run(platform: &Platform, args: LtiArgs) -> anyhow::Result<()> {
    let LtiCommand::Tool {
        command:
            ToolCommand::Add {
                name,
                login_url,
                target_link_uri,
                redirect_uris,
                jwks_file,
                jwks_url,
                instance,
                claims,
                terms_file,
            },
    } = args.command;
    let jwks = match &jwks_file {
        Some(f) => {
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?
        }
        None => String::new(),
    };
    let terms = match terms_file {
        Some(p) => {
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => String::new(),
    };
    let n = NewLtiTool {
        school: instance,
        name,
        login_url,
        target_link_uri,
        redirect_uris,
        jwks,
        jwks_url: jwks_url.unwrap_or_default(),
        claims: claims.into_iter().filter(|c| !c.is_empty()).collect(),
        terms,
    };
    let t = platform
        .system_lti_add_tool(&n)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let iss = platform
        .config()
        .outbound
        .public_url
        .as_deref()
        .unwrap_or("https://<public-url>")
        .trim_end_matches('/')
        .to_owned();
    println!("issuer: {iss}");
    println!("client_id: {}", t.client_id);
    println!("deployment_id: {}", t.deployment_id);
    println!("auth_login_url: {iss}{}", path::AUTHORIZE);
    println!("auth_token_url: {iss}{}", path::TOKEN);
    // LTI ID tokens are signed with the OpenID Connect provider's keys.
    println!("key_set_url: {iss}{}", schulhof_oidc::JWKS);
    Ok(())
}
