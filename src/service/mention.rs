//! Mentions in what our own people write: `@name` or `@name@this.node` names a person here.
//! Mentions of people elsewhere (`@name@other.node`) are left as text for now.

/// The local handles `source` mentions, lowercased, each once, in order of appearance. An `@`
/// inside a word (an e-mail address) mentions nobody.
pub fn local_handles(source: &str, own_domain: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    let mut rest = source.char_indices().peekable();
    while let Some((at, c)) = rest.next() {
        let starts = c == '@' && previous.is_none_or(|p| !p.is_alphanumeric() && p != '_');
        previous = Some(c);
        if !starts {
            continue;
        }
        let tail = &source[at + 1..];
        let name_len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..name_len];
        let after = &tail[name_len..];
        let host = after.strip_prefix('@').map(|h| {
            let len = h
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')))
                .unwrap_or(h.len());
            h[..len].trim_end_matches(['.', ':', '-'])
        });
        let here = host.is_none_or(|h| h.eq_ignore_ascii_case(own_domain));
        let name = name.to_ascii_lowercase();
        if !name.is_empty() && here && !found.contains(&name) {
            found.push(name);
        }
        // Skip what was read, so `@b` in `@a@b` is not read again.
        let skip = name_len + host.map_or(0, |h| 1 + h.len());
        for _ in 0..tail[..skip].chars().count() {
            if let Some((_, c)) = rest.next() {
                previous = Some(c);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_people_here_and_nobody_elsewhere() {
        let source = "Dank je @Bert! En @carla@oss.example:8080, zie ook @dirk@heeten.example \
                      of mail anna@oss.example. Nogmaals @bert.";
        assert_eq!(
            local_handles(source, "oss.example:8080"),
            vec!["bert".to_owned(), "carla".to_owned()]
        );
    }

    #[test]
    fn a_lone_at_sign_or_a_sentence_end_mentions_nobody_extra() {
        assert!(local_handles("@ en @@ en a@b", "oss.example").is_empty());
        assert_eq!(
            local_handles("Groet aan @erik_2@oss.example.", "oss.example"),
            vec!["erik_2".to_owned()]
        );
    }
}
