//! `schulhof mail dns-records [--school NR]`: the DNS records (MX, SPF, DKIM, DMARC) each
//! mail domain of a school publishes, in zone-file form (DKIM keys are made where missing).

use clap::{Args, Subcommand};
use schulhof_domain::Platform;

#[derive(Args)]
pub struct MailArgs {
    #[command(subcommand)]
    command: MailCommand,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Print the DNS records to publish for the mail domains of one school or of all.
    DnsRecords {
        /// The school number; without it every school.
        #[arg(long)]
        school: Option<String>,
    },
}

/// A TXT value in zone-file form: quoted, split into strings of at most 255 bytes (a DKIM
/// key is longer than one string may be).
fn quoted(value: &str) -> String {
    let parts: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c).replace('"', "\\\"")))
        .collect();
    parts.join(" ")
}

pub async fn run(platform: &Platform, args: MailArgs) -> anyhow::Result<()> {
    let MailCommand::DnsRecords { school } = args.command;
    let schools = platform
        .system_mail_dns_records(school.as_deref())
        .await
        .map_err(|e| match (&e, &school) {
            (schulhof_domain::DomainError::NotFound, Some(nr)) => {
                anyhow::anyhow!("no school with number {nr}")
            }
            _ => anyhow::anyhow!("{e}"),
        })?;
    for (nr, domains) in schools {
        println!("; school {nr}");
        for d in domains {
            let which = if d.standard { "standard" } else { "further" };
            println!("; {} ({which} domain)", d.domain);
            for r in d.records {
                let value = if r.kind == "TXT" {
                    quoted(&r.value)
                } else {
                    r.value
                };
                println!("{}.\t3600\tIN\t{}\t{value}", r.name, r.kind);
            }
        }
        println!();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_txt_values_are_split() {
        let v = "a".repeat(300);
        let q = super::quoted(&v);
        assert_eq!(q, format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45)));
        assert_eq!(super::quoted("v=spf1 mx -all"), "\"v=spf1 mx -all\"");
    }
}
