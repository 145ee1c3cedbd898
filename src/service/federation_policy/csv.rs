//! Domain blocks in Mastodon's CSV format, the one other servers and shared blocklists use:
//! `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`. We write that
//! header; reading, we take the columns by name (with or without `#`), or a bare list of
//! domains (suspended). `noop` rows are skipped; `limit` means silence.

use super::actions::{self, Block};
use super::{Severity, normalize_domain};
use crate::db::Conn;
use crate::db::domain_policy::{self, DomainRule, kind};
use crate::error::Result;
use crate::service::audit::Who;

pub const HEADER: &str =
    "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate";

/// The blocks as Mastodon CSV, header first. Private reasons stay out.
pub fn export(rules: &[DomainRule]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for rule in rules.iter().filter(|r| r.kind == kind::BLOCK) {
        let fields = [
            rule.domain.as_str(),
            rule.severity.as_deref().unwrap_or("suspend"),
            "false",
            "false",
            rule.public_comment.as_deref().unwrap_or_default(),
            "false",
        ];
        let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// One CSV record's fields, or why it cannot be read. Fields in quotes may hold commas and
/// doubled quotes (not line breaks: one record per line).
fn fields(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => {
                quoted = false;
                if !matches!(chars.peek(), None | Some(',')) {
                    return Err("text after a closing quote".into());
                }
            }
            (false, ',') => {
                out.push(std::mem::take(&mut field));
                at_start = true;
            }
            (_, c) => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    out.push(field);
    Ok(out)
}

/// One block read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: usize,
    pub domain: String,
    pub severity: Severity,
    pub reason: Option<String>,
}

/// What a file holds: blocks to apply, lines skipped on purpose, lines that are wrong.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// Line number and why (a `noop` row, say).
    pub skipped: Vec<(usize, String)>,
    /// Line number and what is wrong.
    pub bad: Vec<(usize, String)>,
}

/// Reads a Mastodon CSV blocklist.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut columns: Option<(usize, Option<usize>, Option<usize>)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim_start_matches('\u{feff}').trim();
        if raw.is_empty() {
            continue;
        }
        let record = match fields(raw) {
            Ok(record) => record,
            Err(why) => {
                parsed.bad.push((line, why));
                continue;
            }
        };
        let names: Vec<String> = record
            .iter()
            .map(|f| f.trim().trim_start_matches('#').to_ascii_lowercase())
            .collect();
        if columns.is_none() && names.iter().any(|n| n == "domain") {
            let find = |name: &str| names.iter().position(|n| n == name);
            columns = Some((
                find("domain").unwrap_or(0),
                find("severity"),
                find("public_comment"),
            ));
            continue;
        }
        let (domain_at, severity_at, comment_at) = *columns.get_or_insert((0, Some(1), None));
        let get = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
        };
        let Some(domain) = get(Some(domain_at)) else {
            parsed.bad.push((line, "no domain".into()));
            continue;
        };
        let domain = match normalize_domain(domain) {
            Ok(domain) => domain,
            Err(_) => {
                parsed
                    .bad
                    .push((line, format!("{domain:?} is not a domain name")));
                continue;
            }
        };
        let severity = match get(severity_at).map(str::to_ascii_lowercase).as_deref() {
            None | Some("suspend") => Severity::Suspend,
            Some("silence" | "limit") => Severity::Silence,
            Some("noop") => {
                parsed
                    .skipped
                    .push((line, format!("{domain}: severity noop")));
                continue;
            }
            Some(other) => {
                parsed
                    .bad
                    .push((line, format!("unknown severity {other:?}")));
                continue;
            }
        };
        parsed.entries.push(Entry {
            line,
            domain,
            severity,
            reason: get(comment_at).map(str::to_owned),
        });
    }
    parsed
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    /// Line and why: unchanged blocks, `noop` rows.
    pub skipped: Vec<(usize, String)>,
    /// Line and what is wrong; these lines changed nothing.
    pub bad: Vec<(usize, String)>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for domain in &self.added {
            writeln!(f, "added {domain}")?;
        }
        for domain in &self.updated {
            writeln!(f, "updated {domain}")?;
        }
        for (line, why) in &self.skipped {
            writeln!(f, "skipped line {line}: {why}")?;
        }
        for (line, why) in &self.bad {
            writeln!(f, "bad line {line}: {why}")?;
        }
        write!(
            f,
            "{} added, {} updated, {} skipped, {} bad",
            self.added.len(),
            self.updated.len(),
            self.skipped.len(),
            self.bad.len()
        )
    }
}

/// Applies a Mastodon CSV blocklist: each good line becomes (or changes) a block, recorded
/// in the audit log; bad lines are reported and change nothing.
pub async fn import(conn: &mut Conn, who: &Who, text: &str) -> Result<ImportReport> {
    let parsed = parse(text);
    let mut report = ImportReport {
        skipped: parsed.skipped,
        bad: parsed.bad,
        ..ImportReport::default()
    };
    for entry in parsed.entries {
        if let Some(existing) = domain_policy::find(conn, &entry.domain, kind::BLOCK).await?
            && existing.severity.as_deref() == Some(entry.severity.as_str())
            && existing.public_comment == entry.reason
        {
            report
                .skipped
                .push((entry.line, format!("{}: unchanged", entry.domain)));
            continue;
        }
        let (_, outcome) = actions::block(
            conn,
            who,
            Block {
                domain: &entry.domain,
                severity: entry.severity,
                reason: entry.reason.as_deref(),
                private_reason: None,
            },
        )
        .await?;
        if outcome.updated {
            report.updated.push(entry.domain);
        } else {
            report.added.push(entry.domain);
        }
    }
    report.skipped.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mastodon_exports_and_reports_bad_lines() {
        let text = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
            spam.example,suspend,false,false,\"spam, lots\",false\n\
            Loud.Example.,silence,true,false,,false\n\
            quiet.example,noop,false,false,,false\n\
            not a domain,suspend,false,false,,false\n\
            odd.example,banish,false,false,,false\n\
            \"broken.example,suspend\n";
        let parsed = parse(text);
        assert_eq!(
            parsed.entries,
            vec![
                Entry {
                    line: 2,
                    domain: "spam.example".into(),
                    severity: Severity::Suspend,
                    reason: Some("spam, lots".into()),
                },
                Entry {
                    line: 3,
                    domain: "loud.example".into(),
                    severity: Severity::Silence,
                    reason: None,
                },
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.skipped[0].0, 4);
        let bad_lines: Vec<usize> = parsed.bad.iter().map(|(l, _)| *l).collect();
        assert_eq!(bad_lines, vec![5, 6, 7]);
    }

    #[test]
    fn a_bare_list_of_domains_is_suspensions() {
        let parsed = parse("a.example\nb.example,silence\n");
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.entries[0].severity, Severity::Suspend);
        assert_eq!(parsed.entries[1].severity, Severity::Silence);
    }

    #[test]
    fn export_round_trips() {
        let at = chrono::NaiveDateTime::default();
        let rule = |domain: &str, severity: &str, comment: Option<&str>| DomainRule {
            id: 1,
            domain: domain.into(),
            kind: kind::BLOCK.into(),
            severity: Some(severity.into()),
            public_comment: comment.map(Into::into),
            private_comment: Some("secret".into()),
            created_by: "cli".into(),
            created_at: at,
            updated_at: at,
        };
        let text = export(&[
            rule("a.example", "suspend", Some("says \"hi\", often")),
            rule("b.example", "silence", None),
        ]);
        assert!(text.starts_with(HEADER));
        assert!(!text.contains("secret"));
        let parsed = parse(&text);
        assert!(parsed.bad.is_empty());
        assert_eq!(
            parsed.entries[0].reason.as_deref(),
            Some("says \"hi\", often")
        );
        assert_eq!(parsed.entries[1].severity, Severity::Silence);
    }
}
