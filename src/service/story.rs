//! Stories: members publish them for their initiative, in Markdown; the author or an owner
//! edits and deletes them. Visibility decides who sees them and whether they leave the node.

use super::{initiative, media, text, theme};
use crate::db::actor::{self, Actor};
use crate::db::initiative::role;
use crate::db::story::{self, Story, StoryFields, Visibility};
use crate::db::{Conn, ScopedFutureExt, follow, now, theme as themes};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const CONTENT_MAX: usize = 100_000;
/// Alternative text of a cover image (as much as Mastodon allows for image descriptions).
pub const COVER_ALT_MAX: usize = 1_500;
/// Teasers made from the text when no summary is given.
const TEASER: usize = 280;

/// A story as its author writes it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub title: String,
    /// Plain text; made from the content when absent.
    pub summary: Option<String>,
    /// Markdown.
    pub content: String,
    pub themes: Vec<String>,
    pub visibility: Visibility,
    /// BCP 47 language tag; Dutch when absent.
    pub language: Option<String>,
    /// A cover image (an upload, see [`super::media`]); `None` for none, also on edits.
    pub cover: Option<Cover>,
}

/// A story's cover: an upload and what it shows, for those who cannot see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub media_id: i64,
    /// Required: a cover without a description shuts out people who use a screen reader.
    pub alt: String,
}

pub async fn publish(
    state: &AppState,
    conn: &mut Conn,
    author: &Actor,
    initiative_handle: &str,
    draft: Draft,
) -> Result<Story> {
    publish_in(state, conn, author, initiative_handle, draft, &[]).await
}

/// Publishes a story and shares it to theme groups (ours or elsewhere, as resolved actors):
/// its `Create` goes to them too, naming them.
pub async fn publish_in(
    state: &AppState,
    conn: &mut Conn,
    author: &Actor,
    initiative_handle: &str,
    draft: Draft,
    groups: &[Actor],
) -> Result<Story> {
    if groups.iter().any(|g| g.actor_type != actor::kind::GROUP) {
        return Err(Error::invalid("groups", "only groups can be shared to"));
    }
    if !groups.is_empty() && draft.visibility != Visibility::Public {
        return Err(Error::invalid(
            "groups",
            "only public stories can be shared to groups",
        ));
    }
    let (initiative_actor, _) = initiative::find(conn, initiative_handle).await?;
    for local in groups.iter().filter(|g| g.local) {
        let member = super::theme_group::is_member(conn, local, &initiative_actor).await?
            || super::theme_group::is_member(conn, local, author).await?;
        if !member {
            return Err(Error::invalid(
                "groups",
                format!(
                    "{} is not a member of {}",
                    initiative_actor.handle(),
                    local.handle()
                ),
            ));
        }
    }
    let group_ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let group_ids = &group_ids;
    let (group, _) = initiative::find(conn, initiative_handle).await?;
    initiative::require_member(conn, &group, author).await?;
    let checked = check(&draft)?;
    if let Some((media_id, _)) = &checked.cover {
        media::usable_as_cover(conn, *media_id, author, group.id).await?;
    }
    let at = now();
    let (group_id, author_id) = (group.id, author.id);
    let urls = state.urls.clone();
    let published = conn
        .transaction(|conn| {
            async move {
                let story =
                    story::insert_local(conn, group_id, author_id, &checked.fields(), at, |id| {
                        urls.story(id)
                    })
                    .await?;
                let found = themes::ensure(conn, &checked.themes).await?;
                themes::set_for_story(conn, story.id, &found).await?;
                crate::db::theme_group::share_story(conn, story.id, group_ids).await?;
                events::emit(state, conn, Event::StoryPublished { story_id: story.id }).await?;
                Ok(story)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(published)
}

/// Replaces a story's text, themes and visibility.
pub async fn edit(
    state: &AppState,
    conn: &mut Conn,
    editor: &Actor,
    story_id: i64,
    draft: Draft,
) -> Result<Story> {
    let existing = editable(conn, editor, story_id).await?;
    let checked = check(&draft)?;
    // A cover the story already has stays usable by whoever may edit it.
    if let Some((media_id, _)) = &checked.cover
        && existing.cover_media_id != Some(*media_id)
    {
        media::usable_as_cover(conn, *media_id, editor, existing.initiative_id).await?;
    }
    let was = existing.visibility();
    let edited = conn
        .transaction(|conn| {
            async move {
                let story = story::update(conn, existing.id, &checked.fields(), now()).await?;
                let found = themes::ensure(conn, &checked.themes).await?;
                themes::set_for_story(conn, story.id, &found).await?;
                events::emit(
                    state,
                    conn,
                    Event::StoryEdited {
                        story_id: story.id,
                        was,
                    },
                )
                .await?;
                Ok(story)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(edited)
}

/// Pins a story to its initiative's profile (`featured`), or unpins it.
pub async fn pin(conn: &mut Conn, editor: &Actor, story_id: i64, pinned: bool) -> Result<Story> {
    let existing = editable(conn, editor, story_id).await?;
    story::set_pinned(conn, existing.id, pinned).await?;
    story::get(conn, existing.id).await
}

/// Deletes a story: a tombstone stays at its address and followers hear of it.
pub async fn delete(
    state: &AppState,
    conn: &mut Conn,
    editor: &Actor,
    story_id: i64,
) -> Result<()> {
    let existing = editable(conn, editor, story_id).await?;
    let was = existing.visibility();
    conn.transaction(|conn| {
        async move {
            story::mark_deleted(conn, existing.id, now()).await?;
            events::emit(
                state,
                conn,
                Event::StoryDeleted {
                    story_id: existing.id,
                    was,
                },
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// The story, if `viewer` may see it. Public stories are for anyone; local-only ones (and those
/// of local-only initiatives) for people signed in here; followers-only ones for the
/// initiative's followers and members.
pub async fn visible(conn: &mut Conn, story_id: i64, viewer: Option<&Actor>) -> Result<Story> {
    let found = story::get(conn, story_id)
        .await
        .map_err(|_| Error::NotFound(format!("story {story_id}")))?;
    if found.is_deleted() {
        return Err(Error::Gone(format!("story {story_id}")));
    }
    // Hidden by a moderator: shown to nobody (staff see it on the report).
    if found.hidden_at.is_some() {
        return Err(Error::NotFound(format!("story {story_id}")));
    }
    if found.visibility() == Visibility::Followers
        && !may_see_followers_only(conn, &found, viewer).await?
    {
        return Err(Error::NotFound(format!("story {story_id}")));
    }
    if !super::local_only::may_see_local(viewer)
        && super::local_only::story_stays_here(conn, &found).await?
    {
        return Err(Error::NotFound(format!("story {story_id}")));
    }
    Ok(found)
}

/// Whether `viewer` follows the story's initiative or is one of its members.
pub async fn may_see_followers_only(
    conn: &mut Conn,
    found: &Story,
    viewer: Option<&Actor>,
) -> Result<bool> {
    let Some(viewer) = viewer else {
        return Ok(false);
    };
    if crate::db::initiative::role_of(conn, found.initiative_id, viewer.id)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    Ok(follow::find(conn, viewer.id, found.initiative_id)
        .await?
        .is_some_and(|f| f.accepted()))
}

/// A local story that `editor` may change: its author's, or any in an initiative they own.
pub async fn editable(conn: &mut Conn, editor: &Actor, story_id: i64) -> Result<Story> {
    let found = story::get(conn, story_id)
        .await
        .map_err(|_| Error::NotFound(format!("story {story_id}")))?;
    if !found.local {
        return Err(Error::Forbidden);
    }
    if found.is_deleted() {
        return Err(Error::Gone(format!("story {story_id}")));
    }
    if found.author_id == editor.id {
        return Ok(found);
    }
    let group = actor::get(conn, found.initiative_id).await?;
    match initiative::require_member(conn, &group, editor)
        .await?
        .as_str()
    {
        role::OWNER => Ok(found),
        _ => Err(Error::Forbidden),
    }
}

struct Checked {
    title: String,
    summary: String,
    source: String,
    content: String,
    language: String,
    visibility: Visibility,
    themes: Vec<(String, String)>,
    /// Upload id and alternative text.
    cover: Option<(i64, String)>,
}

impl Checked {
    fn fields(&self) -> StoryFields<'_> {
        StoryFields {
            title: &self.title,
            summary: &self.summary,
            source: &self.source,
            content: &self.content,
            language: &self.language,
            visibility: self.visibility.as_str(),
            cover_media_id: self.cover.as_ref().map(|(id, _)| *id),
            cover_alt: self.cover.as_ref().map(|(_, alt)| alt.as_str()),
        }
    }
}

fn check(draft: &Draft) -> Result<Checked> {
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(Error::invalid(
            "title",
            format!("must be 1 to {TITLE_MAX} characters"),
        ));
    }
    let source = draft.content.trim();
    if source.is_empty() {
        return Err(Error::invalid("content", "is empty"));
    }
    if source.chars().count() > CONTENT_MAX {
        return Err(Error::invalid(
            "content",
            format!("must be at most {CONTENT_MAX} characters"),
        ));
    }
    let content = text::markdown_to_html(source);
    let summary = match draft
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(summary) if summary.chars().count() > SUMMARY_MAX => {
            return Err(Error::invalid(
                "summary",
                format!("must be at most {SUMMARY_MAX} characters"),
            ));
        }
        Some(summary) => text::plain_text(&text::escape(summary)),
        None => text::teaser(&text::plain_text(&content), TEASER),
    };
    let language = draft.language.as_deref().unwrap_or("nl").trim().to_owned();
    let valid_language = !language.is_empty()
        && language.len() <= 35
        && language
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if !valid_language {
        return Err(Error::invalid(
            "language",
            "must be a language tag like nl or en",
        ));
    }
    let cover = match &draft.cover {
        None => None,
        Some(cover) => {
            let alt = cover.alt.trim();
            if alt.is_empty() {
                return Err(Error::invalid(
                    "cover_alt",
                    "describe the cover image for people who cannot see it",
                ));
            }
            if alt.chars().count() > COVER_ALT_MAX {
                return Err(Error::invalid(
                    "cover_alt",
                    format!("must be at most {COVER_ALT_MAX} characters"),
                ));
            }
            Some((cover.media_id, alt.to_owned()))
        }
    };
    Ok(Checked {
        title: title.to_owned(),
        summary,
        source: source.to_owned(),
        content,
        language,
        visibility: draft.visibility,
        themes: theme::parse("themes", &draft.themes)?,
        cover,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            title: "Oogstfeest".into(),
            summary: None,
            content: "Zaterdag vieren we de **oogst** in de moestuin. Iedereen is welkom, ook als je nog nooit hebt geholpen.".into(),
            themes: vec!["groen".into()],
            visibility: Visibility::Public,
            language: None,
            cover: None,
        }
    }

    #[test]
    fn drafts_are_checked_and_summaries_made() {
        let checked = check(&draft()).unwrap();
        assert_eq!(checked.language, "nl");
        assert!(
            checked.summary.starts_with("Zaterdag vieren we de oogst"),
            "{}",
            checked.summary
        );
        assert!(checked.content.contains("<strong>oogst</strong>"));
        let given = check(&Draft {
            summary: Some("Kom <ook>!".into()),
            ..draft()
        })
        .unwrap();
        assert_eq!(given.summary, "Kom <ook>!");
        for bad in [
            Draft {
                title: " ".into(),
                ..draft()
            },
            Draft {
                content: "".into(),
                ..draft()
            },
            Draft {
                language: Some("nl nl".into()),
                ..draft()
            },
            Draft {
                themes: vec!["twee woorden".into()],
                ..draft()
            },
            Draft {
                summary: Some("x".repeat(501)),
                ..draft()
            },
        ] {
            assert!(check(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_cover_needs_a_description() {
        let with = |alt: &str| Draft {
            cover: Some(Cover {
                media_id: 3,
                alt: alt.into(),
            }),
            ..draft()
        };
        let checked = check(&with("  Twaalf buren rond een kruiwagen aardappels ")).unwrap();
        let fields = checked.fields();
        assert_eq!(fields.cover_media_id, Some(3));
        assert_eq!(
            fields.cover_alt,
            Some("Twaalf buren rond een kruiwagen aardappels")
        );
        for alt in [String::new(), " \n ".into(), "x".repeat(COVER_ALT_MAX + 1)] {
            match check(&with(&alt)) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "cover_alt"),
                other => panic!("{alt:?}: {:?}", other.map(|c| c.cover)),
            }
        }
        let without = check(&draft()).unwrap();
        assert_eq!(without.fields().cover_media_id, None);
        assert_eq!(without.fields().cover_alt, None);
    }
}
